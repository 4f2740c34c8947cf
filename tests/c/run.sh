#!/usr/bin/env bash
# Build the simulator sources together with the C tests under ASan + UBSan
# (LeakSanitizer included) and run them, twice: with the message signal as an
# eventfd (Linux) and as a pipe (other POSIX systems). Exits non-zero on any
# test failure or sanitizer report. Also loads the simulator built as a
# shared library with dlopen (tests/c/dll_load.c). Then prints the CPU time
# of an idle 2 s lineGetMessage (tests/c/idle_cpu.c: a figure, not a
# pass/fail criterion).
# The Windows builds of the same tests: tests/c/run_windows.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=tests/c/build
mkdir -p "$out"
CFLAGS=(-std=c11 -Wall -Wextra -Werror -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all
        -pthread -Iinclude -Ipytapi2/simulator/csrc -D_POSIX_C_SOURCE=200809L)
gcc "${CFLAGS[@]}" pytapi2/simulator/csrc/*.c tests/c/test_sim.c tests/c/test_os.c -o "$out/test_sim"
gcc "${CFLAGS[@]}" pytapi2/simulator/csrc/*.c tests/c/test_proxy.c -o "$out/test_proxy"
gcc "${CFLAGS[@]}" pytapi2/simulator/csrc/*.c tests/c/idle_cpu.c tests/c/test_os.c -o "$out/idle_cpu"
# The message signal as a pipe (what POSIX systems without eventfd use).
gcc "${CFLAGS[@]}" -DPLAT_NO_EVENTFD pytapi2/simulator/csrc/*.c tests/c/test_sim.c tests/c/test_os.c \
    -o "$out/test_sim_pipe"
# The simulator as a shared library, loaded with dlopen by its export names.
gcc "${CFLAGS[@]}" -fPIC -shared -fvisibility=hidden pytapi2/simulator/csrc/*.c -o "$out/libtapisim-test.so"
gcc "${CFLAGS[@]}" tests/c/dll_load.c tests/c/test_os.c -o "$out/dll_load"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
"$out/test_sim" "$@"
"$out/test_sim_pipe" "$@"
"$out/test_proxy"
"$out/dll_load" "$out/libtapisim-test.so" $(bash tests/c/exports.sh)
"$out/idle_cpu"
# The binding's request core against the simulator's exports.
gcc "${CFLAGS[@]}" -Ipytapi2/_core pytapi2/simulator/csrc/*.c tests/c/test_core.c -o "$out/test_core"
"$out/test_core"
echo "C tests: OK"
