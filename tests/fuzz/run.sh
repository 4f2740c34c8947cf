#!/usr/bin/env bash
# Bounded coverage-guided fuzz run of the decoders and conversions (atheris).
#
#   bash tests/fuzz/run.sh            # CI: FUZZ_SECONDS=45 (default)
#   FUZZ_SECONDS=3600 bash tests/fuzz/run.sh   # by hand
#
# atheris is installed with pip when missing (it ships manylinux wheels for
# CPython 3.11; no compiler needed). The corpus lives in tests/fuzz/corpus
# (not committed; seeded from fuzz_decoders.py --make-seeds). Any finding
# (an exception other than TapiProtocolError / ValueError) makes atheris exit
# non-zero and leaves crash-* files in tests/fuzz/findings.
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-python}
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
SECONDS_BUDGET=${FUZZ_SECONDS:-45}
OUT=${FUZZ_OUT:-tests/fuzz}
"$PYTHON" -c "import atheris" 2>/dev/null || "$PYTHON" -m pip install -q "atheris>=2.3"
mkdir -p "$OUT/corpus" "$OUT/findings"
"$PYTHON" tests/fuzz/fuzz_decoders.py --make-seeds "$OUT/corpus"
log=$(mktemp)
status=0
"$PYTHON" tests/fuzz/fuzz_decoders.py -max_total_time="$SECONDS_BUDGET" -timeout=10 \
    -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$OUT/findings/" \
    "$OUT/corpus" 2>&1 | tee "$log" | grep -E "^#[0-9]+ +(INITED|DONE)|stat::|Done|ERROR|Uncaught|Traceback|crash" || true
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
    tail -40 "$log" >&2
    echo "fuzz: FINDING (exit $status); inputs in $OUT/findings" >&2
    exit 1
fi
echo "fuzz: OK ($(grep -Eo 'stat::number_of_executed_units: [0-9]+' "$log" | grep -Eo '[0-9]+') executions in ${SECONDS_BUDGET}s, no finding)"
