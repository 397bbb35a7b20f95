package dsl_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/dsl"
)

// TestConfigOnlyComponents: a component declared in machinable.yaml
// without a module runs with its config only (config, flags and status
// stored, no events), said once on the console; one whose key names its
// module (module.path=alias) is still an error without it.
func TestConfigOnlyComponents(t *testing.T) {
	dir := t.TempDir()
	yaml := "components:\n  - plain:\n      lr: 0.1\n  - ^plain=fast:\n      lr: 0.9\n  - models.resnet=resnet:\n      depth: 50\n  - node:\n"
	if err := os.WriteFile(filepath.Join(dir, "machinable.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	// node has code and gets a config-only sub-component
	node := "def on_create(self, sub):\n    self.sub = sub.config.lr\n\ndef on_execute(self):\n    self.store.write(\"sub\", self.sub)\n"
	if err := os.WriteFile(filepath.Join(dir, "node.star"), []byte(node), 0o644); err != nil {
		t.Fatal(err)
	}
	var console bytes.Buffer
	opts := newOptions(t, &console)
	opts.Project = dir
	src := `
for _ in range(2):
    r = execute(Experiment().component("plain").component("fast", {"lr": 0.5}), storage="mem://configonly")
    if not r.ok:
        fail(r.failed[0].error)
stored = Storage("mem://configonly").find(r.experiment_id).components
if stored.pluck("status") != ["finished", "finished"]:
    fail("status: %s" % stored.pluck("status"))
if stored.pluck("config.lr") != [0.1, 0.5]:
    fail("config: %s" % stored.pluck("config.lr"))
if stored[0].flags["NAME"] != "plain":
    fail("flags: %s" % stored[0].flags)
r = execute(Experiment().components("node", ["plain"]))
if not r.ok:
    fail(r.failed[0].error)
if r.components[0].store("sub") != 0.1:
    fail("sub-component: %s" % r.components[0].store("sub"))
`
	if _, err := dsl.ExecFile(context.Background(), filepath.Join(dir, "run.star"), src, opts); err != nil {
		t.Fatal(dsl.ErrorText(err))
	}
	for _, name := range []string{"plain", "fast"} {
		want := "warning: component " + name + " has no code; it runs with its config only\n"
		if n := strings.Count(console.String(), want); n != 1 {
			t.Errorf("want %q once, got %d times:\n%s", want, n, console.String())
		}
	}

	_, err := dsl.ExecFile(context.Background(), filepath.Join(dir, "run.star"), `execute("resnet")`, opts)
	if err == nil || !strings.Contains(err.Error(), `no code for component "models.resnet": expected `+filepath.Join(dir, "models", "resnet.star")) {
		t.Errorf("a key naming its module: want the no-code error, got %v", err)
	}
}
