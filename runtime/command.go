package runtime

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/machinable-go/machinable/internal/jsonvalue"
)

// External programs as components (SPEC §4.4). A component whose config
// has _exec_ — a list of arguments, or one string run by sh -c — runs that
// program once, in the project directory:
//
//   - MACHINABLE_CONFIG names a JSON file {"config": ..., "flags": ...};
//     every scalar flag is also in the environment as MACHINABLE_<FLAG>
//     (MACHINABLE_SEED, MACHINABLE_COMPONENT_ID, ...);
//   - MACHINABLE_OUTPUT is the component's directory (local storages);
//   - arguments may use {key} and {dotted.key} from the config, or {SEED}
//     and other flags;
//   - stdout and stderr go to output.log and the console; a stdout line
//     {"_record": {...}} (optionally with "_scope") is saved as a record
//     row, as are the JSON lines the program appends to MACHINABLE_RECORDS;
//   - exit status 0 finishes the component; anything else fails it with
//     the tail of stderr;
//   - cancellation sends SIGTERM to the program's process group, SIGKILL
//     after _exec_grace_ seconds (default 10); a requeue request (Slurm's
//     pre-timeout signal) is forwarded as SIGUSR1, and the component ends
//     requeued when the program then exits.

// ExecKey is the config entry that makes a component an external program.
const ExecKey = "_exec_"

type commandFactory struct{}

// New implements Factory: every run gets its own command.
func (commandFactory) New(ctx context.Context, self *Self) (Instance, error) {
	return &command{self: self, trialStop: make(chan struct{})}, nil
}

type command struct {
	self *Self
	// trialStop is closed when a tuning trial's scheduler stops the
	// program at one of its record rows.
	trialStop chan struct{}
	stopOnce  sync.Once
}

var (
	_                Instance       = (*command)(nil)
	_                RequeueHandler = (*command)(nil)
	placeholder                     = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_.]*)\}`)
	defaultExecGrace                = 10 * time.Second
	stderrTailLines                 = 20
)

// Has reports true for on_execute only: the program runs once.
func (c *command) Has(event string) bool { return event == OnExecute }

// HandlesRequeue implements RequeueHandler: the program gets SIGUSR1.
func (c *command) HandlesRequeue() bool { return true }

// Call runs the program for on_execute and ignores other events.
func (c *command) Call(ctx context.Context, event string, args ...any) (any, error) {
	if event != OnExecute {
		return nil, nil
	}
	return nil, c.run(ctx)
}

// argv builds the program's arguments, filling {placeholders}.
func (c *command) argv() ([]string, error) {
	raw := c.self.Config[ExecKey]
	var argv []string
	switch x := raw.(type) {
	case string:
		argv = []string{"sh", "-c", x}
	case []any:
		for _, a := range x {
			argv = append(argv, fmt.Sprint(a))
		}
	default:
		return nil, fmt.Errorf("%s: expected a list of arguments or a shell command string, got %T", ExecKey, raw)
	}
	if len(argv) == 0 {
		return nil, fmt.Errorf("%s: empty command", ExecKey)
	}
	for i, a := range argv {
		var missing []string
		argv[i] = placeholder.ReplaceAllStringFunc(a, func(m string) string {
			key := m[1 : len(m)-1]
			if v, ok := lookupPath(c.self.Config, key); ok {
				return scalarString(v)
			}
			if v, ok := c.self.Flags[key]; ok {
				return scalarString(v)
			}
			missing = append(missing, key)
			return m
		})
		if len(missing) > 0 {
			return nil, fmt.Errorf("%s: argument %q: no config key or flag %q", ExecKey, a, missing[0])
		}
	}
	return argv, nil
}

func lookupPath(m map[string]any, dotted string) (any, bool) {
	var v any = m
	for _, part := range strings.Split(dotted, ".") {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = mm[part]; !ok {
			return nil, false
		}
	}
	return v, true
}

func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any, []any:
		b, _ := json.Marshal(jsonvalue.KeepFloats(x))
		return string(b)
	}
	b, _ := json.Marshal(jsonvalue.KeepFloats(v))
	return string(b)
}

func (c *command) run(ctx context.Context) error {
	argv, err := c.argv()
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "machinable-exec-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	cfgFile, recFile := filepath.Join(work, "config.json"), filepath.Join(work, "records.jsonl")
	payload, err := json.MarshalIndent(map[string]any{"config": jsonvalue.KeepFloats(c.self.Config), "flags": jsonvalue.KeepFloats(c.self.Flags)}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(cfgFile, payload, 0o644); err != nil {
		return err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = c.self.Project
	cmd.Env = append(os.Environ(), "MACHINABLE_CONFIG="+cfgFile, "MACHINABLE_RECORDS="+recFile)
	if dir, ok := c.self.Store.LocalPath(); ok {
		cmd.Env = append(cmd.Env, "MACHINABLE_OUTPUT="+dir)
	}
	keys := make([]string, 0, len(c.self.Flags))
	for k := range c.self.Flags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch v := c.self.Flags[k].(type) {
		case map[string]any, []any, nil:
		default:
			cmd.Env = append(cmd.Env, "MACHINABLE_"+strings.ToUpper(k)+"="+scalarString(v))
		}
	}
	// The ENVIRON flag (2.14) sets environment variables of the
	// component; components in this process share one environment, so
	// only external programs get them.
	if env, ok := c.self.Flags["ENVIRON"].(map[string]any); ok {
		for _, k := range slices.Sorted(maps.Keys(env)) {
			cmd.Env = append(cmd.Env, k+"="+scalarString(env[k]))
		}
	}
	// GPUs the engine gave the component (the flag it sets) are the
	// program's CUDA_VISIBLE_DEVICES, over any other: the process's own
	// environment is shared by the components running at once.
	if v, ok := c.self.Flags["CUDA_VISIBLE_DEVICES"].(string); ok {
		cmd.Env = append(cmd.Env, "CUDA_VISIBLE_DEVICES="+v)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a group, to signal children too
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	tail := &lineTail{max: stderrTailLines}
	cmd.Stderr = io.MultiWriter(c.self.Output, tail)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s: starting %s: %w", ExecKey, argv[0], err)
	}
	pgid := cmd.Process.Pid

	var requeued bool
	stopped := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // cancellation and requeue signals for the whole group
		defer wg.Done()
		var kill <-chan time.Time
		requeue := c.self.Requeue
		trialStop := c.trialStop
		for {
			select {
			case <-stopped:
				return
			case <-ctx.Done():
				_ = syscall.Kill(-pgid, syscall.SIGTERM)
				kill = time.After(c.grace())
				ctx = context.Background() // once
			case <-trialStop:
				_ = syscall.Kill(-pgid, syscall.SIGTERM)
				kill = time.After(c.grace())
				trialStop = nil
			case <-kill:
				_ = syscall.Kill(-pgid, syscall.SIGKILL)
			case <-requeue:
				requeued = true
				_ = syscall.Kill(-pgid, syscall.SIGUSR1)
				requeue = nil
			}
		}
	}()
	scanErr := c.readStdout(stdout)
	waitErr := cmd.Wait()
	close(stopped)
	wg.Wait()
	if err := c.importRecords(recFile); err != nil {
		return err
	}
	if stop := c.self.trial.stopped(); stop != nil && scanErr == nil {
		return stop // the SIGTERM it got is ours: not a failure
	}
	if scanErr != nil {
		return scanErr
	}
	switch {
	case waitErr == nil && requeued:
		return &RequeueError{}
	case waitErr == nil:
		return nil
	}
	var ee *exec.ExitError
	if errors.As(waitErr, &ee) {
		msg := fmt.Sprintf("%s exited with status %d", argv[0], ee.ExitCode())
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			msg = fmt.Sprintf("%s was killed by %v", argv[0], ws.Signal())
		}
		if t := tail.String(); t != "" {
			// the last line first: it is what consoles show
			lines := strings.Split(t, "\n")
			msg += ": " + lines[len(lines)-1] + "\n" + t
		}
		return errors.New(msg)
	}
	return waitErr
}

func (c *command) grace() time.Duration {
	if v, ok := c.self.Config["_exec_grace_"]; ok {
		switch n := v.(type) {
		case int64:
			return time.Duration(n) * time.Second
		case int: // a config patched from Go
			return time.Duration(n) * time.Second
		case float64:
			return time.Duration(n * float64(time.Second))
		}
	}
	return defaultExecGrace
}

// readStdout copies the program's output to output.log and turns
// {"_record": {...}} lines into record rows.
func (c *command) readStdout(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		if rec, scope, ok := recordLine(line); ok {
			if err := c.save(scope, rec); err != nil {
				return err
			}
			continue
		}
		if _, err := c.self.Output.Write(append(line, '\n')); err != nil {
			return err
		}
	}
	return sc.Err()
}

// recordLine recognizes {"_record": {...}, "_scope": "..."}.
func recordLine(line []byte) (map[string]any, string, bool) {
	trimmed := strings.TrimSpace(string(line))
	if !strings.HasPrefix(trimmed, "{") || !strings.Contains(trimmed, `"_record"`) {
		return nil, "", false
	}
	var msg struct {
		Record map[string]any `json:"_record"`
		Scope  string         `json:"_scope"`
	}
	if err := jsonvalue.Unmarshal([]byte(trimmed), &msg); err != nil || msg.Record == nil {
		return nil, "", false
	}
	return jsonvalue.NormalizeMap(msg.Record), msg.Scope, true
}

func (c *command) save(scope string, row map[string]any) error {
	rec, err := c.self.RecordWriter(scope)
	if err != nil {
		return err
	}
	rec.Update(row)
	err = rec.Save()
	var stop *TrialStop
	if errors.As(err, &stop) {
		// A tuning trial's scheduler stopped it: the program gets
		// SIGTERM (as on cancel) and its remaining rows are still kept.
		c.stopOnce.Do(func() { close(c.trialStop) })
		return nil
	}
	return err
}

// importRecords saves the rows the program appended to MACHINABLE_RECORDS.
func (c *command) importRecords(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var row map[string]any
		if err := jsonvalue.Unmarshal(sc.Bytes(), &row); err != nil {
			return fmt.Errorf("MACHINABLE_RECORDS line %d: expected a JSON object: %w", n, err)
		}
		row = jsonvalue.NormalizeMap(row)
		scope, _ := row["_scope"].(string)
		delete(row, "_scope")
		if err := c.save(scope, row); err != nil {
			return err
		}
	}
	return sc.Err()
}

// lineTail keeps the last lines written to it.
type lineTail struct {
	mu    sync.Mutex
	max   int
	lines []string
	part  string
}

// Write keeps the complete lines of p, carrying a partial last line over.
func (t *lineTail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.part + string(p)
	parts := strings.Split(s, "\n")
	t.part = parts[len(parts)-1]
	for _, l := range parts[:len(parts)-1] {
		t.lines = append(t.lines, l)
		if len(t.lines) > t.max {
			t.lines = t.lines[1:]
		}
	}
	return len(p), nil
}

// String returns the kept lines, a pending partial line included.
func (t *lineTail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := t.lines
	if t.part != "" {
		lines = append(append([]string(nil), lines...), t.part)
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}
