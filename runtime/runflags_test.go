package runtime

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/machinable-go/machinable/storage"
)

// OUTPUT_REDIRECTION (2.14) decides where print() goes: the console and
// output.log, output.log only, nowhere, or the console only.
func TestOutputRedirection(t *testing.T) {
	for mode, want := range map[string]struct{ console, file string }{
		OutputSysAndFile: {"hello\n", "hello\n"},
		OutputFileOnly:   {"", "hello\n"},
		OutputDiscard:    {"", ""},
		OutputDisabled:   {"hello\n", ""},
	} {
		t.Run(mode, func(t *testing.T) {
			var console bytes.Buffer
			var file []byte
			var fileErr error
			reg := NewRegistry()
			reg.Register("talks", GoComponent{OnExecute: func(ctx context.Context, self *Self, args ...any) (any, error) {
				_, err := self.Output.Write([]byte("hello\n"))
				return nil, err
			}, OnFinish: func(ctx context.Context, self *Self, args ...any) (any, error) {
				file, fileErr = self.Store.ReadFile("output.log")
				return nil, nil
			}})
			plan := NewExperiment().Component(ComponentSpec{Name: "talks", Flags: map[string]any{"OUTPUT_REDIRECTION": mode}})
			_, outs := runOne(t, reg, plan, RunEnv{Console: &console})
			if outs[0].Status != storage.StatusFinished {
				t.Fatal(outs[0].Error)
			}
			if console.String() != want.console {
				t.Errorf("console %q, want %q", console.String(), want.console)
			}
			if fileErr != nil && !errors.Is(fileErr, fs.ErrNotExist) {
				t.Fatal(fileErr)
			}
			if string(file) != want.file {
				t.Errorf("output.log %q (%v), want %q", file, fileErr, want.file)
			}
		})
	}
}

// The HEARTBEAT flag (seconds, as in 2.x) sets how often status.json is
// refreshed, over the run's own setting.
func TestHeartbeatFlag(t *testing.T) {
	var beats []time.Time
	reg := NewRegistry()
	reg.Register("slow", GoComponent{OnExecute: func(ctx context.Context, self *Self, args ...any) (any, error) {
		for i := 0; i < 3; i++ {
			time.Sleep(120 * time.Millisecond)
			st, err := self.Store.ReadStatus()
			if err != nil {
				return nil, err
			}
			beats = append(beats, *st.HeartbeatAt)
		}
		return nil, nil
	}})
	plan := NewExperiment().Component(ComponentSpec{Name: "slow", Flags: map[string]any{"HEARTBEAT": 0.05}})
	_, outs := runOne(t, reg, plan, RunEnv{Heartbeat: time.Hour})
	if outs[0].Status != storage.StatusFinished {
		t.Fatal(outs[0].Error)
	}
	if !beats[1].After(beats[0]) || !beats[2].After(beats[1]) {
		t.Errorf("the heartbeat did not follow the flag (0.05 s) over the run's hour: %v", beats)
	}
}

func TestRunFlagsChecked(t *testing.T) {
	reg := NewRegistry()
	reg.Register("a", GoComponent{})
	for flags, want := range map[string]map[string]any{
		`flag OUTPUT_REDIRECTION LOUD: expected SYS_AND_FILE, FILE_ONLY, DISCARD or DISABLED`: {"OUTPUT_REDIRECTION": "LOUD"},
		`flag HEARTBEAT 0: expected a number of seconds > 0`:                                  {"HEARTBEAT": int64(0)},
		`flag HEARTBEAT soon: expected a number of seconds > 0`:                               {"HEARTBEAT": "soon"},
		`flag ENVIRON [A=1]: expected a dict of environment variables`:                        {"ENVIRON": []any{"A=1"}},
		`flag ENVIRON: A: expected a string or number, got [1]`:                               {"ENVIRON": map[string]any{"A": []any{int64(1)}}},
		`flag ENVIRON: "A=B" is not a valid environment variable name`:                        {"ENVIRON": map[string]any{"A=B": "1"}},
	} {
		_, err := (&Resolver{Registry: reg}).Resolve(context.Background(), NewExperiment().Component(ComponentSpec{Name: "a", Flags: want}), 7957417341)
		if err == nil || !strings.Contains(err.Error(), flags) {
			t.Errorf("flags %v: err %v, want %q", want, err, flags)
		}
	}
}
