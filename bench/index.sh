#!/usr/bin/env bash
# Times the search index end to end on this machine, on a generated
# storage of EXPERIMENTS x COMPONENTS (default 1,000 x 100 = 100,000
# components; every 5th failed, every 97th running with an old heartbeat):
#   1. the first search, which builds the index from the storage,
#   2. machinable index rebuild,
#   3. machinable ls --where (the median of N runs; each one brings the
#      index up to date with the storage first), for a few conditions,
#   4. plain machinable ls, which reads every status.json, for comparison.
# Usage: bench/index.sh [runs] [experiments] [components]
#   (MACHINABLE_BENCH_DIR chooses the disk, default a temp dir)
set -euo pipefail
runs=${1:-5}
exps=${2:-1000}
per=${3:-100}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${MACHINABLE_BENCH_DIR:-${TMPDIR:-/tmp}}/machinable-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

go build -o "$work/machinable" "$repo"
go run "$repo/bench/genstorage" -experiments "$exps" -components "$per" "$work/results"
m="$work/machinable"

ms() { echo $(( ($2 - $1) / 1000000 )); }

start=$(date +%s%N)
"$m" ls "$work/results" --where 'status = finished' > /dev/null
end=$(date +%s%N)
echo "first search (builds the index of $((exps * per)) components): $(ms "$start" "$end") ms"

start=$(date +%s%N)
"$m" index rebuild "$work/results"
end=$(date +%s%N)
echo "machinable index rebuild: $(ms "$start" "$end") ms"

median() {
  local label=$1; shift
  local t=() lines=0
  for i in $(seq "$runs"); do
    local s e
    s=$(date +%s%N)
    lines=$("$m" ls "$work/results" "$@" | wc -l)
    e=$(date +%s%N)
    t+=( $(ms "$s" "$e") )
  done
  local sorted=($(printf '%s\n' "${t[@]}" | sort -n))
  echo "ls $label: median ${sorted[runs/2]} ms, min ${sorted[0]} ms over $runs runs ($((lines - 1)) components listed)"
}
median "--where 'config.learning_rate > 0.095'" --where 'config.learning_rate > 0.095'
median "--where 'config.data.name = cifar10' --where 'status = failed'" --where 'config.data.name = cifar10' --where 'status = failed'
median "--where 'experiment = <one>'" --where "experiment = $(ls "$work/results" | grep -v '^\.' | head -1)"
median "--where 'status = stale'" --where 'status = stale'

start=$(date +%s%N)
"$m" ls "$work/results" > /dev/null
end=$(date +%s%N)
echo "plain ls (reads every status.json, no index): $(ms "$start" "$end") ms"
