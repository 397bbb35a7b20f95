#!/usr/bin/env bash
# Measures the worker rows of the scale table through the CLI, one line
# each (wall time, CPU time of the process and its workers, peak RSS):
#   - 1,000 trivial components on native:2, process:2 (reused workers) and
#     process:2 with reuse_workers false (a fresh worker per component);
#   - 32 CPU-bound Starlark components, sequential vs native:<cores> (speedup,
#     parallel efficiency, GC cycles via GODEBUG=gctrace=1);
#   - 1,000,000 record rows in one component, and the bare loop;
#   - lock contention of CPU-bound components on native:<cores> (the mutex and
#     block profiles of the executor's BenchmarkCPUBound).
# Usage: bench/scale-workers.sh [n_trivial] [n_rows]
#        MACHINABLE_BENCH_DIR chooses the disk (default: a temp dir).
set -euo pipefail
n=${1:-1000}; rows=${2:-1000000}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${MACHINABLE_BENCH_DIR:-${TMPDIR:-/tmp}}/machinable-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
go build -o "$work/machinable" "$repo"
bin="$work/machinable"
mkdir -p "$work/project" && cd "$work/project"
cat > machinable.yaml <<YAML
components:
  - trivial:
  - cpu:
      n: 400000
  - rows:
      n: $rows
  - loop:
      n: $rows
YAML
printf 'def on_execute(self):\n    pass\n' > trivial.star
printf 'def on_execute(self):\n    s = 0\n    for i in range(self.config.n):\n        s += i * i %% 7\n    self.record["s"] = s\n    self.record.save()\n' > cpu.star
# The loop the scale table names, and the same loop doing nothing.
cat > rows.star <<'STAR'
def on_execute(self):
    for i in range(self.config.n):
        self.record["i"] = i
        self.record.save()
STAR
printf 'def on_execute(self):\n    for i in range(self.config.n):\n        pass\n' > loop.star

# measure LABEL ENGINE SCRIPT: one line; $secs and $cpu are left set.
measure() {
  local label=$1 engine=$2 script=$3
  # shellcheck disable=SC2086 # ENGINE may carry --engine-opt flags
  /usr/bin/time -f "%e %U %S %M" -o time.txt "$bin" run "$script" --engine $engine --no-progress > out.txt 2> err.txt || { cat out.txt err.txt; exit 1; }
  read -r secs user sys kb < time.txt
  cpu=$(awk "BEGIN{printf \"%.2f\", $user+$sys}")
  local gcs; gcs=$(grep -c '^gc ' err.txt || true)
  echo "$label: $secs s wall, $cpu s CPU, peak RSS $((kb/1024)) MB${gcs:+, $gcs GC cycles}"
}

echo "execute(Experiment().component(\"trivial\").repeat($n), storage=\"./trivial\", code_backup=False)" > trivial_run.star
measure "$n trivial components, native:2" native:2 trivial_run.star; native=$secs
measure "$n trivial components, process:2 (reused workers)" process:2 trivial_run.star; reused=$secs
measure "$n trivial components, process:2 (a worker per component)" "process:2 --engine-opt reuse_workers=false" trivial_run.star; oneshot=$secs
echo "process:2 / native:2: reused $(awk "BEGIN{printf \"%.2f\", $reused/$native}")x, a worker per component $(awk "BEGIN{printf \"%.2f\", $oneshot/$native}")x"

echo 'execute(Experiment().component("cpu").repeat(32), storage="./cpu", code_backup=False)' > cpu_run.star
export GODEBUG=gctrace=1
measure "32 CPU-bound components, sequential (native)" native cpu_run.star; seq=$secs
# As many at once as the machine has cores: native:16 on 16 cores.
cores=$(nproc)
measure "32 CPU-bound components, native:$cores" "native:$cores" cpu_run.star; par=$secs
unset GODEBUG
echo "native:$cores speedup over sequential: $(awk "BEGIN{printf \"%.2f\", $seq/$par}")x on $cores cores ($(awk "BEGIN{printf \"%.0f\", 100*$seq/$par/$cores}") % efficiency of $cores)"

# A second of work on a shared virtual machine varies by a quarter from
# run to run: the rows are timed 7 times, each into a fresh storage.
echo 'execute(Experiment().component("rows"), storage="./rows", code_backup=False)' > rows_run.star
for i in 1 2 3 4 5 6 7; do
  rm -rf rows
  measure "$rows record rows in one component (run $i)" native rows_run.star
  echo "$secs" >> rows_secs.txt
done
sort -n rows_secs.txt | awk '{a[NR]=$1} END {printf "%s record rows: min %s s, median %s s, max %s s of %d runs\n", "'"$rows"'", a[1], a[int((NR+1)/2)], a[NR], NR}'
echo 'execute(Experiment().component("loop"), storage="./loop", code_backup=False)' > loop_run.star
measure "the same loop without records" native loop_run.star

# Shared locks on the hot path of parallel components: the mutex and
# block profiles of BenchmarkCPUBound (CPU-bound Starlark components) on
# native:<cores>. The mutex profile's total is the time goroutines waited for a
# contended lock; the block profile's is mostly idle waiting (workers for
# work, heartbeats for their tick), listed by where.
cd "$repo"
go test ./executor -run '^$' -bench "BenchmarkCPUBound/native:$cores\$" -benchtime 4x \
  -mutexprofile "$work/mutex.out" -blockprofile "$work/block.out" -o "$work/executor.test" > "$work/cpubench.txt"
wall=$(awk '/^BenchmarkCPUBound/ {printf "%.1f", $3 * $2 / 1e9}' "$work/cpubench.txt")
waited=$(go tool pprof -top "$work/executor.test" "$work/mutex.out" 2>/dev/null | sed -n 's/.* of \(.*\) total$/\1/p')
echo "lock contention while CPU-bound components run on native:$cores: ${waited:-0} waited in ${wall} s; where:"
go tool pprof -top -cum "$work/executor.test" "$work/mutex.out" 2>/dev/null | awk '/machinable|runtime\.(unlock|lock2)/ {print "  " $0}' | head -5
echo "blocked (block profile, top 3):"
go tool pprof -top "$work/executor.test" "$work/block.out" 2>/dev/null | awk 'f && NF {print "  " $0; if (++n == 3) exit} /flat%/ {f = 1}'
