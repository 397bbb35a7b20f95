package dsl_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/machinable-go/machinable/dsl"
	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// cancelOnOutput cancels a run when the console shows a word.
type cancelOnOutput struct {
	mu     sync.Mutex
	seen   strings.Builder
	word   string
	cancel context.CancelFunc
}

func (c *cancelOnOutput) Write(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen.Write(b)
	if strings.Contains(c.seen.String(), c.word) {
		c.cancel()
	}
	return len(b), nil
}

// TestInterruptedStarlarkEndEvents: a Starlark component interrupted in
// on_execute (its thread cancelled) still gets on_failure, with reason
// "user_interrupt" (2.x's KeyboardInterrupt), and on_finish(…, False), and
// ends interrupted.
func TestInterruptedStarlarkEndEvents(t *testing.T) {
	reg := runtime.NewRegistry()
	dsl.Register(reg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	console := &cancelOnOutput{word: "started", cancel: cancel}
	res, err := executor.New(reg, console).Execute(ctx, runtime.ExecuteRequest{
		Plan:    runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "interrupted"}),
		Project: fixtureProject(t), Storage: fmt.Sprintf("mem://%s/%d", t.Name(), runCounter.Add(1)),
		Seed: int64(42), CodeBackup: false,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Outcomes) != 1 || res.Outcomes[0].Status != storage.StatusInterrupted {
		t.Fatalf("outcomes %+v", res.Outcomes)
	}
	c, err := res.Experiment.OpenComponent(res.Outcomes[0].Component.ID)
	if err != nil {
		t.Fatal(err)
	}
	failure, err := c.StoreRead("failure")
	if err != nil {
		t.Fatal(err)
	}
	f := failure.(map[string]any)
	if f["reason"] != "user_interrupt" || !strings.Contains(f["message"].(string), "cancel") {
		t.Errorf("on_failure received %v", f)
	}
	if finish, err := c.StoreRead("finish"); err != nil || finish != false {
		t.Errorf("on_finish received success=%v (%v)", finish, err)
	}
}
