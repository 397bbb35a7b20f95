package engines

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// detached hands the execution to a background process
// (`machinable resume EXPERIMENT_URL --engine INNER`) in a session of its
// own, so it survives the terminal, and returns at once.
type detached struct {
	inner  string
	binary string
}

func newDetached(spec Spec) (Engine, error) {
	if err := checkOptions(spec, "engine", "binary"); err != nil {
		return nil, err
	}
	inner := "native"
	if v, ok := spec.Options["engine"]; ok {
		s, ok := v.(string)
		if !ok || s == "" {
			return nil, fmt.Errorf("engine detached: option \"engine\": expected the engine to run in the background, e.g. \"native:4\"")
		}
		inner = s
	}
	if _, err := ParseSpec(inner); err != nil {
		return nil, err
	}
	bin, err := workerBinary(spec)
	if err != nil {
		return nil, err
	}
	return &detached{inner: inner, binary: bin}, nil
}

func (d *detached) Name() string   { return "detached" }
func (d *detached) Detached() bool { return true }

func (d *detached) Run(ctx context.Context, job *Job) ([]runtime.Outcome, error) {
	exp := job.Experiment
	if err := sharedStorage("detached", "the background process", exp.Storage()); err != nil {
		return nil, err
	}
	logPath, err := DetachedLog(exp)
	if err != nil {
		return nil, fmt.Errorf("engine detached: %w", err)
	}
	logFile, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("engine detached: %w", err)
	}
	defer logFile.Close()
	cmd := exec.Command(d.binary, "resume", exp.URL(), "--engine", d.inner)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // own session: survives the terminal
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("engine detached: starting %s: %w", d.binary, err)
	}
	pid := cmd.Process.Pid
	_ = cmd.Process.Release()
	if job.Console != nil {
		fmt.Fprintf(job.Console, "Experiment %s continues in the background (pid %d, engine %s, log %s)\nFollow it with: machinable status %s --storage %s\n",
			exp.ID, pid, d.inner, logPath, exp.ID, exp.Storage().URL)
	}
	return nil, nil
}

// DetachedLog is where the background process of the detached engine
// writes its output: detached.log in the experiment's directory on a
// local storage; for an experiment on an object store, which cannot be
// appended to, a local file named after the experiment,
// <cache>/machinable/detached/<ID>-<hash of its URL>.log, where <cache>
// is $XDG_CACHE_HOME or ~/.cache (os.UserCacheDir; the system's
// temporary directory when there is none).
func DetachedLog(exp *storage.Experiment) (string, error) {
	if p, ok := exp.LocalPath(); ok {
		return filepath.Join(p, "detached.log"), nil
	}
	base, err := os.UserCacheDir()
	if err != nil || !filepath.IsAbs(base) {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "machinable", "detached")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	u := exp.URL()
	if i := strings.IndexByte(u, '?'); i >= 0 {
		u = u[:i]
	}
	sum := sha256.Sum256([]byte(u))
	return filepath.Join(dir, fmt.Sprintf("%s-%x.log", exp.ID, sum[:4])), nil
}
