#!/usr/bin/env bash
# Runs N trivial components with an engine through the CLI to local disk and
# reports the time per component and the peak RSS, for two sizes so that
# memory growth with the number of finished components shows.
# Usage: bench/parallel.sh [engine] [sizes...]   (default: native:2 1000 10000)
#        MACHINABLE_BENCH_DIR chooses the disk (default: a temp dir).
set -euo pipefail
engine=${1:-native:2}; shift || true
sizes=("${@:-1000 10000}"); sizes=(${sizes[@]})
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${MACHINABLE_BENCH_DIR:-${TMPDIR:-/tmp}}/machinable-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
go build -o "$work/machinable" "$repo"
mkdir -p "$work/project" && cd "$work/project"
printf 'components:\n  - trivial:\n' > machinable.yaml
printf 'def on_execute(self):\n    pass\n' > trivial.star
for n in "${sizes[@]}"; do
  echo "execute(Experiment().component(\"trivial\").repeat($n), storage=\"./results-$n\", code_backup=False)" > run.star
  /usr/bin/time -f "%e %M" -o time.txt "$work/machinable" run run.star --engine "$engine" > /dev/null
  read -r secs kb < time.txt
  echo "$n trivial components, $engine, disk $work: $(awk "BEGIN{printf \"%.3f\", $secs*1000/$n}") ms each ($secs s), peak RSS $((kb/1024)) MB"
done
