#!/usr/bin/env bash
# Lean storage, instant resume and backups, measured through the CLI on
# this machine; one line per measured row:
#   1. disk per trivial component: apparent bytes, allocated bytes (du)
#      and files/folders per component directory, over 1,000 components;
#   2. resume of a finished experiment of N trivial components (nothing
#      to do), and ls and status of it: wall time and peak RSS (the
#      median of RUNS runs), and its disk (du: allocated and apparent);
#      the experiment is made by a real run first (native:2; about 1
#      minute per 10,000 components here);
#   3. code backup of a project that holds old results (an unmarked
#      storage of EXPERIMENTS x COMPONENTS synthetic components, as older
#      releases left them): code.zip's size and entries, and the run's time.
# Usage: bench/scale-lean.sh [sizes...]   (default: 20000 100000)
#   MACHINABLE_BENCH_DIR chooses the disk (default a temp dir);
#   MACHINABLE_BIN measures another build (e.g. an older release) instead
#   of the one built from this tree; RUNS sets the runs per timing (3).
set -euo pipefail
sizes=("${@:-20000 100000}"); sizes=(${sizes[@]})
runs=${RUNS:-3}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${MACHINABLE_BENCH_DIR:-${TMPDIR:-/tmp}}/machinable-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
m=${MACHINABLE_BIN:-$work/machinable}
[ -n "${MACHINABLE_BIN:-}" ] || go build -o "$m" "$repo"
(cd "$repo" && go build -o "$work/genstorage" ./bench/genstorage)

mkdir -p "$work/project" && cd "$work/project"
printf 'components:\n  - trivial:\n' > machinable.yaml
printf 'def on_execute(self):\n    pass\n' > trivial.star

# run N STORAGE: a finished experiment of N trivial components.
run() {
  echo "execute(Experiment().component(\"trivial\").repeat($1), storage=\"$2\", code_backup=False, seed=1)" > run.star
  "$m" run run.star --engine native:2 --no-progress > /dev/null 2>&1
}

# timed CMD...: the median wall time (s) and its peak RSS (MB) of RUNS runs.
timed() {
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o time.txt "$@" > /dev/null 2>&1
    cat time.txt
  done | sort -n | awk -v n="$runs" 'NR == int((n + 1) / 2) { printf "%s s, peak RSS %d MB", $1, $2 / 1024 }'
}

# 1. disk per trivial component
run 1000 "$work/disk"
exp=$(ls "$work/disk" | grep -v '^\.' | head -1)
cd "$work/disk/$exp"
comps=$(find . -mindepth 1 -maxdepth 1 -type d | wc -l)
apparent=$(find . -mindepth 1 -maxdepth 1 -type d -exec du -sb {} + | awk '{s += $1} END {print s}')
allocated=$(find . -mindepth 1 -maxdepth 1 -type d -exec du -sk {} + | awk '{s += $1} END {print s * 1024}')
entries=$(find . -mindepth 2 | wc -l)
echo "disk per trivial component ($comps components): $((apparent / comps)) bytes apparent (directory entry 4096 included), $((allocated / comps)) bytes allocated, $(awk "BEGIN{printf \"%.2f\", $entries / $comps}") files and folders inside; in it: $(ls "$(find . -mindepth 1 -maxdepth 1 -type d | head -1)" | tr '\n' ' ')"
cd "$work/project"

# 2. resume, ls and status of a finished experiment
for n in "${sizes[@]}"; do
  run "$n" "$work/r$n"
  id=$(ls "$work/r$n" | grep -v '^\.' | head -1)
  echo "disk of the finished $n-component experiment (schedule and journal included): $(du -s --block-size=1M "$work/r$n/$id" | cut -f1) MB allocated, $(du -s --apparent-size --block-size=1M "$work/r$n/$id" | cut -f1) MB apparent"
  echo "resume of a finished $n-component experiment (nothing to do): $(timed "$m" resume "$id" --storage "$work/r$n")"
  echo "ls of a storage holding it: $(timed "$m" ls --storage "$work/r$n")"
  echo "status of it: $(timed "$m" status "$id" --storage "$work/r$n")"
  rm -rf "$work/r$n"
done

# 3. code backup of a project with old results in it
exps=${BACKUP_EXPERIMENTS:-20}
per=${BACKUP_COMPONENTS:-1000}
"$work/genstorage" -experiments "$exps" -components "$per" "$work/project/old-results" 2> /dev/null
for i in $(seq 50); do printf 'def f%d(x):\n    return x + %d\n' "$i" "$i" > "lib$i.star"; done
echo 'execute(Experiment().component("trivial"), storage="./results", seed=2)' > backup.star
/usr/bin/time -f "%e %M" -o time.txt "$m" run backup.star --no-progress > /dev/null 2>&1
read -r secs kb < time.txt
zip=$(ls results/*/code.zip)
echo "code backup of a project holding $((exps * per)) old components ($(find old-results -type f | wc -l) files): code.zip $(stat -c %s "$zip") bytes, $(unzip -l "$zip" | tail -1 | awk '{print $2}') entries; run $secs s, peak RSS $((kb / 1024)) MB"
