#!/usr/bin/env bash
# Times the machinable CLI end to end on this machine:
#   1. start of the process -> first component running (median of N runs),
#   2. a whole run of 1,000 trivial components to local disk,
#   3. shell completion (component names, experiment IDs; median of N runs).
# Usage: bench/cli.sh [runs]   (MACHINABLE_BENCH_DIR chooses the disk, default a temp dir)
set -euo pipefail
runs=${1:-20}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${MACHINABLE_BENCH_DIR:-${TMPDIR:-/tmp}}/machinable-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

go build -o "$work/machinable" "$repo"
mkdir -p "$work/project"
cd "$work/project"
printf 'components:\n  - first:\n  - trivial:\n' > machinable.yaml
# The first component prints the wall clock in nanoseconds when it runs.
printf 'def on_execute(self):\n    print(time.now().unix_nano)\n' > first.star
printf 'def on_execute(self):\n    pass\n' > trivial.star
echo 'execute("first")' > first_run.star
echo 'execute(Experiment().component("trivial").repeat(1000), storage="./results")' > thousand.star

deltas=()
for i in $(seq "$runs"); do
  start=$(date +%s%N)
  line=$("$work/machinable" run first_run.star | grep -E '^[0-9]{19}$' | head -1)
  deltas+=( $(( (line - start) / 1000 )) )
done
sorted=($(printf '%s\n' "${deltas[@]}" | sort -n))
echo "CLI start -> first component: median $(( sorted[runs/2] )) us, min ${sorted[0]} us over $runs runs"

start=$(date +%s%N)
"$work/machinable" run thousand.star > /dev/null
end=$(date +%s%N)
total_us=$(( (end - start) / 1000 ))
echo "CLI 1,000 trivial components to local disk ($work): ${total_us} us total, $(( total_us / 1000 )) us per component"

# Shell completion runs the binary on every TAB: the median time of
# completing component names, and experiment IDs of a storage holding
# the experiment above.
median_us() {
  local ds=()
  for i in $(seq "$runs"); do
    local s=$(date +%s%N)
    "$@" > /dev/null 2>&1
    ds+=( $(( ($(date +%s%N) - s) / 1000 )) )
  done
  local sorted=($(printf '%s\n' "${ds[@]}" | sort -n))
  echo "median ${sorted[runs/2]} us, min ${sorted[0]} us over $runs runs"
}
echo "completion of component names: $(median_us "$work/machinable" __complete execute '')"
echo "completion of experiment IDs: $(median_us "$work/machinable" __complete show '')"
