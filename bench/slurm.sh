#!/usr/bin/env bash
# Time from execute to all-done for N trivial components on the local Slurm
# cluster (scripts/slurm-up.sh) against the native engine.
# Usage: bench/slurm.sh [N]   (default 20)
set -euo pipefail
n=${1:-20}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/machinable-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
go build -o "$work/machinable" "$repo"
mkdir -p "$work/project" && cd "$work/project"
printf 'components:\n  - trivial:\n' > machinable.yaml
printf 'def on_execute(self):\n    pass\n' > trivial.star
echo "execute(Experiment().component(\"trivial\").repeat($n), storage=\"./results\", code_backup=False)" > run.star
for engine in native slurm; do
  opts=(); [ "$engine" = slurm ] && opts=(--engine-opt poll=100ms --engine-opt wait=true)  # output is not a terminal: wait explicitly
  start=$(date +%s%N)
  "$work/machinable" run run.star --storage "./results-$engine" --engine "$engine" "${opts[@]}" > "$work/$engine.log" 2>&1 || { cat "$work/$engine.log"; exit 1; }
  end=$(date +%s%N)
  echo "$n trivial components, $engine: $(( (end - start) / 1000000 )) ms from start to all done"
done
