#!/usr/bin/env bash
# Build the simulator sources together with the C tests under ASan + UBSan
# (LeakSanitizer included) and run them. Exits non-zero on any test failure
# or sanitizer report.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=tests/c/build
mkdir -p "$out"
CFLAGS=(-std=c11 -Wall -Wextra -Werror -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all
        -pthread -Iinclude -Ipytapi2/simulator/csrc -D_POSIX_C_SOURCE=200809L)
gcc "${CFLAGS[@]}" pytapi2/simulator/csrc/*.c tests/c/test_sim.c -o "$out/test_sim"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
"$out/test_sim" "$@"
# The binding's request core against the simulator's exports.
gcc "${CFLAGS[@]}" -Ipytapi2/_core pytapi2/simulator/csrc/*.c tests/c/test_core.c -o "$out/test_core"
"$out/test_core"
echo "C tests: OK"
