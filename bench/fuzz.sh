#!/usr/bin/env bash
# Runs every Go fuzz target of the repository (func FuzzX in a
# fuzz_test.go), one after another, each for FUZZTIME, and prints the
# executions per target. A failing input is written by go test to the
# package's testdata/fuzz/FuzzX/ (move it to bench/fuzz-findings/FuzzX/
# if it cannot be fixed at once, see bench/fuzz-findings/README.md).
#
# Usage: bench/fuzz.sh [FuzzX ...]        (default: all targets)
#   FUZZTIME=10m                          how long each target runs (go test -fuzztime: 30s, 10m, 100000x)
#   FUZZ_PARALLEL=1                       fuzz workers per target (go test -parallel)
#   FUZZMINIMIZETIME=5s                   how long to minimize each new input (go test -fuzzminimizetime;
#                                         go's 60s default starves the slow targets: FuzzRestore ran 20x fewer inputs)
#   MACHINABLE_FUZZ_SKIP_KNOWN=1          look past the known findings of bench/fuzz-findings/
#   FUZZ_LOGS=dir                         keep each target's go test output there
set -uo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-10m}
parallel=${FUZZ_PARALLEL:-1}
minimize=${FUZZMINIMIZETIME:-5s}
logs=${FUZZ_LOGS:-$(mktemp -d "${TMPDIR:-/tmp}/machinable-fuzz.XXXXXX")}
mkdir -p "$logs"

# "package-dir FuzzName" for every target, in a stable order.
targets=$(git grep -n -E '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' -- '*fuzz_test.go' |
  sed -E 's#^(.*)/[^/]*:[0-9]+:func (Fuzz[A-Za-z0-9_]*)\(.*#\1 \2#' | sort)
if [ $# -gt 0 ]; then
  want=" $* "
  targets=$(echo "$targets" | while read -r dir name; do [[ "$want" == *" $name "* ]] && echo "$dir $name"; done)
fi
[ -n "$targets" ] || { echo "no fuzz targets${*:+ named $*}" >&2; exit 2; }

failed=0
summary=()
while read -r dir name; do
  log="$logs/$name.log"
  echo "== $name (./$dir/) for $fuzztime"
  start=$(date +%s)
  go test -run '^$' -fuzz "^$name\$" -fuzztime "$fuzztime" -fuzzminimizetime "$minimize" -parallel "$parallel" "./$dir/" >"$log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  # The last progress line: "fuzz: elapsed: 2m0s, execs: 983126 (8192/sec), new interesting: ..."
  execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
  elapsed=$(grep -o 'elapsed: [0-9hms]*, execs' "$log" | tail -1 | sed -E 's/elapsed: ([0-9hms]*), execs/\1/')
  rate=$(awk -v e="${execs:-0}" -v t="$elapsed" 'BEGIN {
    s = 0; while (match(t, /[0-9]+[hms]/)) { n = substr(t, RSTART, RLENGTH - 1); u = substr(t, RSTART + RLENGTH - 1, 1)
      s += n * (u == "h" ? 3600 : u == "m" ? 60 : 1); t = substr(t, RSTART + RLENGTH) }
    if (s > 0) printf "%d", e / s; else printf "-" }')
  if [ $rc -eq 0 ]; then
    result=ok
  else
    failed=1
    result="FAIL: $(grep -m1 -o 'testdata/fuzz/[^ ]*' "$log" || grep -m1 -E 'panic|FAIL|--- ' "$log")"
    grep -E -A6 -- '--- FAIL|^panic' "$log" | head -20
  fi
  summary+=("$(printf '%-24s %-22s %12s %10s %6ss  %s' "$name" "./$dir/" "${execs:-0}" "$rate" "$secs" "$result")")
done <<<"$targets"

echo
printf '%-24s %-22s %12s %10s %7s  %s\n' target package execs execs/s wall result
printf '%s\n' "${summary[@]}"
echo "logs: $logs"
exit $failed
