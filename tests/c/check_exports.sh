#!/usr/bin/env bash
# Check the export table of a simulator DLL: exactly the functions of
# include/tapi_functions.h and the tapisim_ functions of include/tapisim.h,
# under their plain names (no stdcall @N decoration on x86, as tapi32.dll).
#   bash tests/c/check_exports.sh DLL [OBJDUMP]
# OBJDUMP defaults to x86_64-w64-mingw32-objdump (any PE objdump reads both
# PE32 and PE32+). Prints the table's size and exits non-zero, listing the
# differences, when a name is missing, extra or decorated.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dll="${1:?usage: $0 DLL [OBJDUMP]}"
objdump="${2:-x86_64-w64-mingw32-objdump}"
[ -f "$dll" ] || { echo "check_exports: no such file: $dll" >&2; exit 2; }
expected="$(bash "$here/exports.sh")"
# The [Ordinal/Name Pointer] Table lists one "[ n] name" line per export.
actual="$("$objdump" -p "$dll" | awk '
    /^\[Ordinal\/Name Pointer\] Table/ { on = 1; next }
    on && NF == 0 { on = 0 }
    on { sub(/^[ \t]*\[[ 0-9]*\][ \t]*/, ""); print }' | LC_ALL=C sort)"
format="$("$objdump" -f "$dll" | sed -n 's/.*file format //p')"
missing="$(LC_ALL=C comm -23 <(echo "$expected") <(echo "$actual"))"
extra="$(LC_ALL=C comm -13 <(echo "$expected") <(echo "$actual"))"
n_exp="$(echo "$expected" | grep -c .)"
n_act="$(echo "$actual" | grep -c . || true)"
echo "check_exports: $dll ($format): $n_act exports, $n_exp expected"
rc=0
if [ -n "$missing" ]; then
    echo "missing:"; echo "$missing" | sed 's/^/  /'; rc=1
fi
if [ -n "$extra" ]; then
    echo "unexpected (extra or decorated):"; echo "$extra" | sed 's/^/  /'; rc=1
fi
[ "$rc" = 0 ] && echo "check_exports: OK (exactly the TAPI and tapisim_ functions, undecorated)"
exit "$rc"
