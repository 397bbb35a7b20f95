#!/usr/bin/env bash
# Streamed plans and flat memory (one line per measured row):
#  - the dry plan of a 1,000,000-component sweep, as .repeat(1000000) and as
#    a 100 x 100 x 100 cross product: time to the first component line,
#    total time, peak RSS;
#  - 100,000 trivial components on native:16, with the peak RSS after
#    20,000 and after 100,000 (two runs: RSS only grows).
# Usage: bench/scale-stream.sh [native-count]   (default 100000)
#        MACHINABLE_BENCH_DIR chooses the disk (default: a temp dir).
set -euo pipefail
n=${1:-100000}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${MACHINABLE_BENCH_DIR:-${TMPDIR:-/tmp}}/machinable-stream.XXXXXX")
trap 'rm -rf "$work"' EXIT
go build -o "$work/machinable" "$repo"
mkdir -p "$work/project" && cd "$work/project"
printf 'components:\n  - trivial:\n      a: 0\n      b: 0\n      c: 0\n' > machinable.yaml
printf 'def on_execute(self):\n    pass\n' > trivial.star
list() { python3 -c "print('[' + ','.join('{\"$1\": %d}' % i for i in range(100)) + ']')"; }
echo 'execute(Experiment().component("trivial").repeat(1000000), code_backup=False)' > repeat.star
echo "execute(Experiment().component(\"trivial\", ($(list a), $(list b), $(list c))), code_backup=False)" > cross.star

# dry: the first component line is the second line of the output
for plan in repeat cross; do
  start=$(date +%s.%N)
  /usr/bin/time -f "%e %M" -o time.txt "$work/machinable" run $plan.star --engine dry |
    { read -r _; read -r _; date +%s.%N > first.txt; cat > /dev/null; }
  read -r secs kb < time.txt
  first=$(awk "BEGIN{printf \"%.2f\", $(cat first.txt) - $start}")
  echo "dry plan of 1,000,000 components ($plan): first component after ${first} s, all in ${secs} s, peak RSS $((kb/1024)) MB"
done

# native:16, trivial components: peak RSS after 20,000 and after n
for k in 20000 "$n"; do
  echo "execute(Experiment().component(\"trivial\").repeat($k), storage=\"./results-$k\", code_backup=False)" > run.star
  /usr/bin/time -f "%e %M" -o time.txt "$work/machinable" run run.star --engine native:16 > /dev/null 2>&1
  read -r secs kb < time.txt
  echo "$k trivial components, native:16: ${secs} s, peak RSS $((kb/1024)) MB"
  rm -rf "./results-$k"
done
