#!/usr/bin/env bash
# The simulator and the binding's tests under AddressSanitizer + UBSan.
#
# 1. C: the simulator's own C tests (tests/c/run.sh), LeakSanitizer ON.
# 2. Python: an ASan+UBSan build of libtapisim.so, loaded by pytapi2 through
#    PYTAPI2_LIBRARY, with the ASan/UBSan runtimes preloaded into python and
#    PYTHONMALLOC=malloc, so that every buffer pytapi2 hands to TAPI (cffi
#    allocations included) is a malloc block ASan tracks: a write by the
#    simulator into memory Python already freed is a heap-use-after-free report.
#    LeakSanitizer is OFF for the Python process only: CPython deliberately
#    keeps interned objects, module state and arenas alive until exit, which
#    LSan would report by the thousand; the C tests keep it on for the simulator.
#
# Usage: bash tests/sanitize/run.sh [extra pytest args]
# Any sanitizer report aborts the process (halt_on_error, -fno-sanitize-recover)
# and fails the script; reports are also written under $OUT/reports.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=${SANITIZE_OUT:-$ROOT/tests/sanitize/build}
mkdir -p "$OUT"
rm -rf "$OUT/reports"
mkdir -p "$OUT/reports"
CC=${CC:-gcc}

echo "=== sanitize: simulator C tests (ASan + UBSan + LSan)"
bash tests/c/run.sh

echo "=== sanitize: ASan + UBSan build of libtapisim.so"
"$CC" -std=c11 -Wall -Wextra -Werror -g -O1 -fno-omit-frame-pointer -fPIC -shared \
    -fsanitize=address,undefined -fno-sanitize-recover=all -fvisibility=hidden \
    -pthread -D_POSIX_C_SOURCE=200809L -Iinclude \
    pytapi2/simulator/csrc/*.c -o "$OUT/libtapisim-asan.so"

PYTHON=${PYTHON:-python}
"$PYTHON" -c "import pytapi2._native" 2>/dev/null || {
    echo "pytapi2 is not built: pip install . or python setup.py build_ext --inplace" >&2
    exit 1
}

preload="$("$CC" -print-file-name=libasan.so):$("$CC" -print-file-name=libubsan.so)"
export LD_PRELOAD="$preload"
export PYTAPI2_LIBRARY="$OUT/libtapisim-asan.so"
export PYTHONMALLOC=malloc
export PYTAPI2_SANITIZE=1
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=0:log_path=$OUT/reports/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$OUT/reports/ubsan"
# The stress test at a sanitizer-friendly size (ASan slows the simulator ~3x).
export PYTAPI2_STRESS_REFRESHES=${PYTAPI2_STRESS_REFRESHES:-2000}
# The request core's SIGINT storm (tests/hardening/test_core_safety.py): 20 s
# of SIGINT every ~0.5 ms at a loop of caught info() calls, under ASan.
export PYTAPI2_SIGINT_STORM_S=${PYTAPI2_SIGINT_STORM_S:-20}

echo "=== sanitize: pytest under ASan + UBSan (PYTAPI2_LIBRARY=$PYTAPI2_LIBRARY)"
"$PYTHON" - <<'PY'
import pytapi2
b = pytapi2.backend()
assert b.is_simulator and b.path.endswith("libtapisim-asan.so"), b
print("backend:", b)
PY
status=0
"$PYTHON" -m pytest -q -p no:cacheprovider -W ignore::DeprecationWarning \
    tests/hardening tests/api tests/proxy tests/test_simulator_raw.py \
    "$@" || status=$?
unset LD_PRELOAD
if compgen -G "$OUT/reports/*" >/dev/null; then
    echo "=== sanitizer reports:" >&2
    cat "$OUT"/reports/* >&2
    exit 1
fi
if [ "$status" -ne 0 ]; then
    exit "$status"
fi
echo "sanitize: OK (no ASan/UBSan report)"
