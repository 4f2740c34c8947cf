#!/usr/bin/env bash
# The names the simulator must export, one per line, sorted: every function
# declared in include/tapi_functions.h (LONG WINAPI name(...)) and every
# tapisim_ function declared in include/tapisim.h.
#   bash tests/c/exports.sh          the names
#   bash tests/c/exports.sh --def    a module-definition file (EXPORTS + names)
#                                    for MSVC's link /DEF: (undecorated stdcall
#                                    names on x86, like tapi32.dll)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
names() {
    {
        sed -n 's/^[[:space:]]*LONG[[:space:]]\{1,\}WINAPI[[:space:]]\{1,\}\([A-Za-z_][A-Za-z0-9_]*\)[[:space:]]*(.*/\1/p' \
            "$root/include/tapi_functions.h"
        sed -n 's/^[[:space:]]*[A-Za-z_][A-Za-z0-9_ ]*[[:space:]*]\(tapisim_[A-Za-z0-9_]*\)[[:space:]]*(.*/\1/p' \
            "$root/include/tapisim.h"
    } | LC_ALL=C sort -u
}
case "${1:-}" in
    "") names ;;
    --def) echo "EXPORTS"; names | sed 's/^/    /' ;;
    *) echo "usage: $0 [--def]" >&2; exit 2 ;;
esac
