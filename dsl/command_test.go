package dsl_test

import (
	"context"
	"testing"

	"github.com/machinable-go/machinable/dsl"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarktest"
)

// TestCommandNames: command()'s default name is the script an interpreter
// runs, else the program, as docs/external.md says; name= overrides it.
func TestCommandNames(t *testing.T) {
	script := `
cases = [
    (["python3", "train.py", "--lr={lr}"], "train.py"),
    ("python3 train.py --lr {lr}", "train.py"),
    (["python3", "-u", "src/train.py", "--epochs", "4"], "train.py"),
    (["python3.12", "-m", "pkg.train"], "pkg.train"),
    (["python3", "-c", "print(1)"], "python3"),
    (["python3"], "python3"),
    (["./bench", "--out", "results.json"], "bench"),
    (["/usr/bin/env", "OMP_NUM_THREADS=1", "python3", "train.py"], "train.py"),
    (["sh", "-c", "python3 eval.py --seed $MACHINABLE_SEED"], "eval.py"),
    (["bash", "run.sh", "{lr}"], "run.sh"),
    (["bash", "-e", "run.sh"], "run.sh"),
    (["sh", "-ec", "cd src; ./bench"], "bench"),
    (["perl", "-e", "print 1"], "perl"),
    (["Rscript", "fit.R"], "fit.R"),
    (["{python}", "train.py"], "train.py"),
    (["{python}"], "command"),
    ("make bench && ./bench --seed $MACHINABLE_SEED", "make"),
    ("cd src && OMP_NUM_THREADS=1 ./bench", "bench"),
    ("echo $MACHINABLE_COMPONENT_ID from a string", "echo"),
    ("'python3' 'my script.py' > out.txt", "my script.py"),
    ("$PYTHON train.py", "train.py"),
    ("python3 train.py 2>&1 | tee log.txt", "train.py"),
    ("> log.txt 2>&1; ./bench>out.txt", "bench"),
    (["python3", "-W", "ignore", "train.py"], "train.py"),
    ("", "command"),
    # the examples of docs/external.md
    (["sh", "-c", "python3 eval.py"], "eval.py"),
    (["./bench", "--out", "r.json"], "bench"),
    ("cd src && ./bench > out.txt", "bench"),
    (["env", "-i", "OMP_NUM_THREADS=1", "./bench"], "bench"),
    (["python3", "-c", "import sys\nprint(1)"], "python3"),
]
for args, want in cases:
    plan = Experiment().component(command(args, config={"lr": 0.1, "python": "python3"}))
    run = execute(plan, engine="dry")
    assert.eq(run.components[0].name, want)
run = execute(Experiment().component(command(["python3", "train.py"], name="mine")), engine="dry")
assert.eq(run.components[0].name, "mine")
`
	opts := newOptions(t, nil)
	assertModule, err := starlarktest.LoadAssertModule()
	if err != nil {
		t.Fatal(err)
	}
	opts.Predeclared = assertModule
	opts.ThreadHook = func(th *starlark.Thread) { starlarktest.SetReporter(th, t) }
	if _, err := dsl.ExecFile(context.Background(), "names.star", script, opts); err != nil {
		t.Fatal(dsl.ErrorText(err))
	}
}
