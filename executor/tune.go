package executor

import (
	"fmt"
	"strings"
	"sync"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
	"github.com/machinable-go/machinable/tune"
)

// trialJudge is the runtime.Tuner of a tuned execution: it feeds each
// trial's rows of the metric to the plan's scheduler and checks the stop
// conditions. Time is the number of iterations done (the row's
// _iteration + 1), or of rows saved when a row has no _iteration: Ray
// Tune's training_iteration, which starts at 1.
type trialJudge struct {
	mu     sync.Mutex
	sched  tune.Scheduler
	maxT   float64 // ASHA's budget: a trial that reaches it is done, not stopped
	cond   tune.Conditions
	metric string
	rows   map[string]int // rows seen per trial
}

// newTrialJudge is nil for an execution that is not tuned.
func newTrialJudge(plan *runtime.Experiment) (*trialJudge, error) {
	if plan == nil || plan.Tune == nil {
		return nil, nil
	}
	s, err := plan.Tune.NewScheduler()
	if err != nil {
		return nil, err
	}
	j := &trialJudge{sched: s, cond: plan.Tune.Conditions(), metric: plan.Tune.Metric, rows: map[string]int{}}
	if a, ok := s.(*tune.ASHA); ok {
		j.maxT = a.MaxT
	}
	return j, nil
}

// Report implements runtime.Tuner.
func (j *trialJudge) Report(id string, row map[string]any) *runtime.TrialStop {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.judge(id, row)
}

func (j *trialJudge) judge(id string, row map[string]any) *runtime.TrialStop {
	j.rows[id]++
	if met := j.cond.Met(row); met != "" {
		return &runtime.TrialStop{Reason: met}
	}
	if j.metric == "" {
		return nil
	}
	v, ok := jsonvalue.Float(row[j.metric])
	if !ok {
		return nil
	}
	t := float64(j.rows[id])
	if it, ok := jsonvalue.Float(row["_iteration"]); ok {
		t = it + 1
	}
	if j.sched.Result(id, t, v) == tune.Stop {
		if j.maxT > 0 && t >= j.maxT {
			return &runtime.TrialStop{Reason: fmt.Sprintf("reached max_t=%v", j.maxT), Finished: true}
		}
		kind, _, _ := strings.Cut(j.sched.Name(), "(")
		return &runtime.TrialStop{Reason: fmt.Sprintf("by %s at iteration %v (%s=%.6g)", kind, t, j.metric, v)}
	}
	return nil
}

// replay rebuilds the scheduler's state on resume from the stored rows
// of the trials that ended earlier (finished or stopped), in schedule
// order; their decisions are not acted on again. Trials that run again
// report their rows afresh.
func (j *trialJudge) replay(exp *storage.Experiment, previous []runtime.Outcome) error {
	if j == nil || len(previous) == 0 {
		return nil
	}
	view, err := exp.View()
	if err != nil {
		return err
	}
	for _, o := range previous {
		if o.Status != storage.StatusFinished && o.Status != storage.StatusStopped {
			continue
		}
		// Not view.Component: that decodes the whole schedule.
		c := &storage.ComponentView{Experiment: view, ID: o.Component.ID}
		err = c.Records("default", func(row map[string]any) bool {
			return j.judge(o.Component.ID, row) == nil // it ended there
		})
		if err != nil {
			return fmt.Errorf("replaying trial %s: %w", o.Component.ID, err)
		}
	}
	return nil
}
