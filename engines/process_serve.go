package engines

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// The protocol of `machinable worker URL --serve`: the engine writes one
// component ID a line on the worker's standard input, followed by
// " gpus=0,1" when the component was given GPUs; the worker runs
// them one after the other, each as `machinable worker URL --component
// ID` would, and writes WorkerMessage JSON lines on its standard output:
// the component's console output as it comes, then its outcome. The
// worker ends when its input ends (exit 0) or when it is interrupted
// (SIGTERM: the running component ends interrupted, exit 130).

// WorkerMessage is one line a serving worker writes.
type WorkerMessage struct {
	Out string `json:"out,omitempty"` // console output of the running component
	// ID is set in the last message of a component: how it ended.
	ID       string `json:"id,omitempty"`
	Status   string `json:"status,omitempty"`
	Error    string `json:"error,omitempty"`
	Previous bool   `json:"previous,omitempty"`
}

// WorkerConsole returns the writer a serving worker gives its components
// as console: every write becomes one WorkerMessage line on w. Safe for
// concurrent use.
func WorkerConsole(w io.Writer) *WorkerWriter { return &WorkerWriter{w: w} }

// WorkerWriter writes WorkerMessage lines, one at a time.
type WorkerWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// Write sends p as console output.
func (c *WorkerWriter) Write(p []byte) (int, error) {
	if err := c.Send(WorkerMessage{Out: string(p)}); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Send writes one message line.
func (c *WorkerWriter) Send(m WorkerMessage) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err = c.w.Write(append(b, '\n'))
	return err
}

// workerSlots runs components on n long-lived serving workers. Each slot
// is a goroutine pinned to its OS thread for as long as it lives: the
// death signal (Pdeathsig) of the worker it starts follows that thread.
type workerSlots struct {
	reqs chan slotRequest
	wg   sync.WaitGroup
}

type slotRequest struct {
	sc     *runtime.ScheduledComponent
	prefix string
	gpus   []string
	reply  chan runtime.Outcome
}

func startSlots(ctx context.Context, n int, binary, url string, exp *storage.Experiment, console io.Writer) *workerSlots {
	s := &workerSlots{reqs: make(chan slotRequest)}
	for range n {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			lockThread() // never unlocked: the thread ends with the slot
			var w *servedWorker
			for req := range s.reqs {
				if w == nil || w.dead() {
					var err error
					if w, err = startServed(ctx, binary, url, exp, console); err != nil {
						req.reply <- runtime.Outcome{Component: req.sc, Status: storage.StatusFailed, Error: err.Error()}
						w = nil
						continue
					}
				}
				out, unstarted := w.run(ctx, req.sc, req.prefix, req.gpus)
				if unstarted && ctx.Err() == nil {
					// It died before it took the component (killed while
					// idle): another worker runs it.
					if again, err := startServed(ctx, binary, url, exp, console); err == nil {
						w = again
						out, _ = w.run(ctx, req.sc, req.prefix, req.gpus)
					}
				}
				req.reply <- out
			}
			if w != nil {
				w.stop()
			}
		}()
	}
	return s
}

// run hands one component to a free slot and waits for its outcome.
func (s *workerSlots) run(ctx context.Context, sc *runtime.ScheduledComponent, prefix string, gpus []string) runtime.Outcome {
	reply := make(chan runtime.Outcome, 1)
	s.reqs <- slotRequest{sc: sc, prefix: prefix, gpus: gpus, reply: reply}
	return <-reply
}

// close ends the workers (their input ends) and waits for them.
func (s *workerSlots) close() {
	close(s.reqs)
	s.wg.Wait()
}

// servedWorker is one `machinable worker URL --serve` process.
type servedWorker struct {
	cmd   *exec.Cmd
	exp   *storage.Experiment
	stdin io.WriteCloser
	ends  chan WorkerMessage // outcomes; closed when its output ends
	exit  chan struct{}      // closed once the process was waited for
	err   error              // of Wait, set before exit is closed

	engine io.Writer // the engine's console, nil for quiet runs

	mu      sync.Mutex
	console io.Writer // the running component's console (prefixed), or nil
	stderr  tailBuffer
}

func startServed(ctx context.Context, binary, url string, exp *storage.Experiment, console io.Writer) (*servedWorker, error) {
	w := &servedWorker{exp: exp, engine: console, ends: make(chan WorkerMessage, 1), exit: make(chan struct{})}
	cmd := exec.CommandContext(ctx, binary, "worker", url, "--serve")
	cmd.SysProcAttr = workerAttr()
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	cmd.Stderr = (*workerStderr)(w)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("worker: %w", err)
	}
	w.cmd, w.stdin = cmd, stdin
	go w.read(stdout)
	return w, nil
}

// read forwards console output to the running component's console and
// outcomes to ends; at the end of the output it waits for the process.
func (w *servedWorker) read(stdout io.Reader) {
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64*1024), 64<<20)
	for sc.Scan() {
		var m WorkerMessage
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			// Not the protocol (a stray write to standard output): shown as is.
			w.write(append(sc.Bytes(), '\n'))
			continue
		}
		if m.ID != "" {
			w.ends <- m
			continue
		}
		w.write([]byte(m.Out))
	}
	close(w.ends)
	w.err = w.cmd.Wait()
	close(w.exit)
}

func (w *servedWorker) write(p []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.console != nil {
		w.console.Write(p)
	}
}

// workerStderr is where a served worker's standard error goes: the
// running component's console, and a tail for the report of a crash.
type workerStderr servedWorker

func (s *workerStderr) Write(p []byte) (int, error) {
	w := (*servedWorker)(s)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stderr.Write(p)
	if w.console != nil {
		w.console.Write(p)
	}
	return len(p), nil
}

func (w *servedWorker) dead() bool {
	select {
	case <-w.exit:
		return true
	default:
		return false
	}
}

// run runs one component on the worker. A worker that dies meanwhile
// fails (or, interrupted, interrupts) only that component, as RunWorker
// reports a dead one-shot worker; the slot then starts another.
// unstarted says the worker died before the component had a status.
func (w *servedWorker) run(ctx context.Context, sc *runtime.ScheduledComponent, prefix string, gpus []string) (_ runtime.Outcome, unstarted bool) {
	start := time.Now()
	w.mu.Lock()
	w.console = nil
	if w.engine != nil {
		w.console = runtime.PrefixWriter(w.engine, prefix)
	}
	w.mu.Unlock()
	defer func() { w.mu.Lock(); w.console = nil; w.mu.Unlock() }()

	out := runtime.Outcome{Component: sc, Status: storage.StatusFailed}
	line := sc.ID
	if len(gpus) > 0 {
		line += " gpus=" + strings.Join(gpus, ",")
	}
	if _, err := io.WriteString(w.stdin, line+"\n"); err == nil {
		if m, ok := <-w.ends; ok {
			if m.ID != sc.ID {
				out.Error = fmt.Sprintf("worker answered for component %s while running %s", m.ID, sc.ID)
				w.stop()
			} else {
				out.Status, out.Error, out.Previous = m.Status, m.Error, m.Previous
			}
			out.Duration = time.Since(start)
			// The tail starts anew for the next component, and not when
			// that one starts: what a worker said while it started (and
			// died, say) belongs to the report of the component it ran.
			w.mu.Lock()
			w.stderr = tailBuffer{}
			w.mu.Unlock()
			return out, false
		}
	}
	// The worker is gone: its exit tells why.
	w.stdin.Close()
	<-w.exit
	if _, err := w.exp.ComponentStatus(sc.ID); errors.Is(err, fs.ErrNotExist) {
		unstarted = true
	}
	out = deadWorkerOutcome(ctx, w.exp, sc, w.cmd.Process.Pid, w.err, w.stderr.String())
	out.Duration = time.Since(start)
	return out, unstarted
}

// stop ends the worker: its input ends, and it exits once its component
// (if any) is done; the engine's context still interrupts it.
func (w *servedWorker) stop() {
	w.stdin.Close()
	<-w.exit
}
