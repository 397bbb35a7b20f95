package runtime

import (
	"context"
	"testing"
	"time"

	"github.com/machinable-go/machinable/storage"
)

// A requeue request that arrives before the component is even built (the
// signal came early) still stops an iterating component at its first
// iteration boundary, with a checkpoint, rather than cancelling it at once.
func TestRequeueBeforeBuilt(t *testing.T) {
	requeue := make(chan struct{})
	close(requeue)
	reg := NewRegistry()
	reg.Register("long", slowToBuild{GoComponent{
		OnExecuteIteration: func(ctx context.Context, self *Self, args ...any) (any, error) { return nil, ctx.Err() },
		OnSave: func(ctx context.Context, self *Self, args ...any) (any, error) {
			return nil, self.Store.StoreWrite(args[0].(string)+"/state.json", args[1], true)
		},
	}})
	sched, env := prepareRun(t, reg, NewExperiment().Component(ComponentSpec{Name: "long"}))
	env.Requeue = requeue
	out := RunComponent(context.Background(), env, &sched[0])
	status, _ := env.Experiment.ComponentStatus(sched[0].ID)
	if out.Status != storage.StatusRequeued || status.Checkpoint != "checkpoints/0" {
		t.Errorf("outcome %+v, status %+v: want requeued at checkpoints/0", out, status)
	}
}

// slowToBuild takes a while to build, as a large .star module does, so
// that a requeue request is seen before the component is built.
type slowToBuild struct{ GoComponent }

func (s slowToBuild) New(ctx context.Context, self *Self) (Instance, error) {
	time.Sleep(50 * time.Millisecond)
	return s.GoComponent.New(ctx, self)
}
