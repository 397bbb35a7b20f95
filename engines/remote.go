package engines

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// remote copies the project to a host with rsync (honouring .gitignore)
// and runs the execution there over ssh with an inner engine:
// `machinable resume EXPERIMENT_URL --engine INNER --project DIRECTORY`.
// The storage must be reachable from the host under the same URL (a
// shared file system or s3://).
type remote struct {
	host      string
	port      int
	directory string
	inner     string
	identity  string
	sshArgs   []string
	binary    string // machinable on the host; "" finds or copies one
	local     string // the local binary to copy when the host has none
	poll      time.Duration
}

func newRemote(spec Spec) (Engine, error) {
	if err := checkOptions(spec, "host", "port", "directory", "engine", "identity", "ssh_args", "binary", "local_binary", "poll"); err != nil {
		return nil, err
	}
	r := &remote{port: 22, inner: "native", poll: 500 * time.Millisecond}
	str := func(key string, dst *string, required bool) error {
		v, ok := spec.Options[key]
		if !ok {
			if required {
				return fmt.Errorf("engine remote: option %q is required (e.g. {\"type\": \"remote\", \"host\": \"user@host\", \"directory\": \"~/proj\"})", key)
			}
			return nil
		}
		s, ok := v.(string)
		if !ok || s == "" {
			return fmt.Errorf("engine remote: option %q: expected a string, got %v", key, v)
		}
		*dst = s
		return nil
	}
	for _, o := range []struct {
		key      string
		dst      *string
		required bool
	}{{"host", &r.host, true}, {"directory", &r.directory, true}, {"engine", &r.inner, false},
		{"identity", &r.identity, false}, {"binary", &r.binary, false}, {"local_binary", &r.local, false}} {
		if err := str(o.key, o.dst, o.required); err != nil {
			return nil, err
		}
	}
	var err error
	if r.port, err = optionInt(spec, "port", 22); err != nil {
		return nil, err
	}
	if _, err := ParseSpec(r.inner); err != nil {
		return nil, err
	}
	if v, ok := spec.Options["ssh_args"]; ok {
		list, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("engine remote: option \"ssh_args\": expected a list of strings")
		}
		for _, a := range list {
			r.sshArgs = append(r.sshArgs, fmt.Sprint(a))
		}
	}
	if v, ok := spec.Options["poll"]; ok {
		if r.poll, err = time.ParseDuration(fmt.Sprint(v)); err != nil {
			return nil, fmt.Errorf("engine remote: option \"poll\": %w", err)
		}
	}
	if r.local == "" && r.binary == "" {
		if r.local, err = workerBinary(spec); err != nil {
			return nil, err
		}
	}
	for _, tool := range []string{"ssh", "rsync"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("engine remote: %s not found on PATH", tool)
		}
	}
	return r, nil
}

func (r *remote) Name() string { return "remote" }

func (r *remote) sshOptions() []string {
	args := []string{"-p", strconv.Itoa(r.port), "-o", "BatchMode=yes"}
	if r.identity != "" {
		args = append(args, "-i", r.identity)
	}
	return append(args, r.sshArgs...)
}

// ssh runs a command on the host.
func (r *remote) ssh(ctx context.Context, command string) *exec.Cmd {
	return helperCommand(ctx, "ssh", append(r.sshOptions(), r.host, command)...)
}

func (r *remote) Run(ctx context.Context, job *Job) ([]runtime.Outcome, error) {
	exp := job.Experiment
	if err := r.Preflight(ctx, job.Execution, exp.Storage()); err != nil {
		return nil, err
	}
	project := job.Execution.Project
	say := func(format string, args ...any) {
		if job.Console != nil {
			fmt.Fprintf(job.Console, "remote: "+format+"\n", args...)
		}
	}
	start := time.Now()
	if err := r.sync(ctx, project, exp); err != nil {
		return nil, err
	}
	say("copied %s to %s:%s (%s)", project, r.host, r.directory, time.Since(start).Round(time.Millisecond))
	bin, err := r.remoteBinary(ctx)
	if err != nil {
		return nil, err
	}
	pidFile := r.directory + "/.machinable/remote-" + exp.ID + ".pid"
	command := fmt.Sprintf("cd %s && mkdir -p .machinable && echo $$ > %s && exec %s resume %s --engine %s --project \"$PWD\"",
		remotePath(r.directory), remotePath(pidFile), remotePath(bin), shellQuote(exp.URL()), shellQuote(r.inner))
	cmd := r.ssh(context.WithoutCancel(ctx), command)
	var out io.Writer = io.Discard
	if job.Console != nil {
		out = runtime.PrefixWriter(job.Console, r.host+" | ")
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("engine remote: ssh %s: %w", r.host, err)
	}
	finished := make(chan error, 1)
	go func() { finished <- cmd.Wait() }()

	// Report components as their statuses land, and stop the remote run
	// on Ctrl-C (SIGINT to the remote machinable, which interrupts them).
	reported := map[string]bool{}
	var outcomes []runtime.Outcome
	var mu sync.Mutex
	collect := func() {
		mu.Lock()
		defer mu.Unlock()
		for _, sc := range job.Todo() {
			if reported[sc.ID] {
				continue
			}
			st, err := exp.ComponentStatus(sc.ID)
			if err != nil {
				continue
			}
			if o, ok := finalOutcome(sc, st); ok {
				reported[sc.ID] = true
				outcomes = append(outcomes, o)
				if job.Done != nil {
					job.Done(o)
				}
			}
		}
	}
	var runErr error
	stopped := false
wait:
	for {
		select {
		case runErr = <-finished:
			break wait
		case <-ctx.Done():
			if !stopped {
				stopped = true
				say("stopping the remote run")
				_ = r.ssh(context.Background(), "kill -INT $(cat "+remotePath(pidFile)+")").Run()
			}
		case <-time.After(r.poll):
		}
		collect()
	}
	collect()
	if runErr != nil && !stopped {
		if ee, ok := runErr.(*exec.ExitError); !ok || ee.ExitCode() != 1 { // 1: a component failed, reported above
			return outcomes, fmt.Errorf("engine remote: ssh %s: %w", r.host, runErr)
		}
	}
	if stopped {
		return outcomes, ctx.Err()
	}
	return outcomes, nil
}

// sync copies the project with rsync: .git and what .gitignore files
// exclude stay behind, and so does the storage when it lies inside.
func (r *remote) sync(ctx context.Context, project string, exp *storage.Experiment) error {
	if err := r.ssh(ctx, "mkdir -p "+remotePath(r.directory)).Run(); err != nil {
		return fmt.Errorf("engine remote: ssh %s mkdir %s: %w", r.host, r.directory, err)
	}
	rsh := "ssh " + strings.Join(quoteAll(r.sshOptions()), " ")
	args := []string{"-az", "--delete", "--exclude=.git", "--exclude=/.machinable", "--filter=:- .gitignore", "-e", rsh}
	if st := exp.Storage(); !st.Memory && !st.Object {
		if rel, err := filepath.Rel(project, st.Root); err == nil && !strings.HasPrefix(rel, "..") && rel != "." {
			args = append(args, "--exclude=/"+filepath.ToSlash(rel))
		}
	}
	args = append(args, strings.TrimRight(project, "/")+"/", r.host+":"+r.directory+"/")
	if out, err := helperCommand(ctx, "rsync", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("engine remote: rsync to %s:%s: %v: %s", r.host, r.directory, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// remoteBinary finds machinable on the host, or copies this one there.
func (r *remote) remoteBinary(ctx context.Context) (string, error) {
	if r.binary != "" {
		return r.binary, nil
	}
	if out, err := r.ssh(ctx, "command -v machinable").Output(); err == nil && strings.TrimSpace(string(out)) != "" {
		return strings.TrimSpace(string(out)), nil
	}
	dest := r.directory + "/.machinable/bin/machinable"
	if err := r.ssh(ctx, "mkdir -p "+remotePath(r.directory+"/.machinable/bin")).Run(); err != nil {
		return "", fmt.Errorf("engine remote: ssh %s: %w", r.host, err)
	}
	rsh := "ssh " + strings.Join(quoteAll(r.sshOptions()), " ")
	if out, err := helperCommand(ctx, "rsync", "-az", "-e", rsh, r.local, r.host+":"+dest).CombinedOutput(); err != nil {
		return "", fmt.Errorf("engine remote: copying the machinable binary to %s: %v: %s", r.host, err, out)
	}
	return dest, nil
}

// remotePath quotes a path for the remote shell, leaving a leading ~ or
// ~user for it to expand: "~/proj" is the project in the remote home.
func remotePath(p string) string {
	if !strings.HasPrefix(p, "~") {
		return shellQuote(p)
	}
	head, rest, found := strings.Cut(p, "/")
	if strings.ContainsAny(head[1:], " '\"$`\\;&|<>(){}*?[]!#") {
		return shellQuote(p) // not a user name: no expansion
	}
	if head == "~" {
		head = `"$HOME"`
	}
	if !found || rest == "" {
		return head
	}
	return head + "/" + shellQuote(rest)
}

func quoteAll(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = shellQuote(a)
	}
	return out
}
