#!/usr/bin/env bash
# ui.sh - time to first render of the web view (machinable ui) in headless
# chromium, on synthetic storages written by internal/synth: the
# experiments page with 10,000 experiments, an experiment of 10,000
# components (table, sorting, filtering, the charts) and an overlay of
# 100 components × 10,000 rows. Needs chromium (apt-get install -y
# chromium). Prints a table; docs/ui.md quotes it.
#
#   bench/ui.sh                 # prints the numbers
#   bench/ui.sh results.txt     # and writes them to results.txt
set -euo pipefail
cd "$(dirname "$0")/.."
command -v chromium >/dev/null || { echo "ui.sh: chromium is needed (apt-get install -y chromium)" >&2; exit 1; }
out=${1:-}
[ -z "$out" ] || out=$(realpath -m "$out")
MACHINABLE_UI_BENCH=1 MACHINABLE_REQUIRE_SERVICES=1 MACHINABLE_UI_BENCH_OUT="$out" \
  go test -count=1 -run '^TestUIBenchmark$' -timeout 30m -v ./web/ | grep -E 'bench_test.go|^(ok|FAIL|---)' | sed -E 's/^ *bench_test.go:[0-9]+: //'
