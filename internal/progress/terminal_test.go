package progress

import (
	"bytes"
	"fmt"
	"github.com/machinable-go/machinable/internal/syncbuf"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/runtime"
	"github.com/vbauerster/mpb/v8"
)

func execution(n int) *runtime.Execution {
	ex := &runtime.Execution{ExperimentID: "8gWVkz", Seed: 42, Engine: "native"}
	for i := range n {
		ex.Schedule = append(ex.Schedule, runtime.ScheduledComponent{ID: fmt.Sprintf("c%011d", i), Name: "trainer"})
	}
	return ex
}

func testTerminal(w *syncbuf.Buffer, color bool) *Terminal {
	return newTerminal(w, color, mpb.WithWidth(110), mpb.WithRefreshRate(5*time.Millisecond))
}

// plainText is what PlainReporter says for the same events.
func plainText(f func(r *executor.PlainReporter)) string {
	var b bytes.Buffer
	f(executor.NewPlainReporter(&b))
	return b.String()
}

var sgr = regexp.MustCompile(`\x1b\[[0-9;]*m`)

var frameRE = regexp.MustCompile(`(?m)^ *\d+/\d+ done .*$`)

// lastFrame is the last bar line written.
func lastFrame(t *testing.T, out string) string {
	t.Helper()
	frames := frameRE.FindAllString(out, -1)
	if len(frames) == 0 {
		t.Fatalf("no bar line in:\n%s", out)
	}
	return frames[len(frames)-1]
}

func waitFor(t *testing.T, buf *syncbuf.Buffer, re *regexp.Regexp) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !re.MatchString(sgr.ReplaceAllString(buf.String(), "")) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s in:\n%s", re, buf.String())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestTerminalRun(t *testing.T) {
	for _, color := range []bool{false, true} {
		t.Run(fmt.Sprintf("color=%v", color), func(t *testing.T) {
			buf := &syncbuf.Buffer{}
			ex := execution(4)
			r := testTerminal(buf, color)
			r.Begin(ex, "./results/8gWVkz")
			begin := plainText(func(p *executor.PlainReporter) { p.Begin(ex, "./results/8gWVkz") })
			fmt.Fprintln(r.Output(), "warning: before the bar")

			c := ex.Schedule
			r.Started(&c[0])
			r.Started(&c[1])
			// the live line while two run and two wait, before any finish
			waitFor(t, buf, regexp.MustCompile(`0/4 done  running 2  failed 0  queued 2 +\[-+\] +0 %  ETA \?  elapsed 0s`))
			fmt.Fprint(r.Output(), c[0].ID+" | half a ")
			fmt.Fprint(r.Output(), "line\n"+c[1].ID+" | another line\n")
			r.Finished(runtime.Outcome{Component: &c[0], Status: "finished", Duration: time.Millisecond})
			boom := "on_execute: Error in fail: fail: boom\nTraceback (most recent call last):\n  x.star:2:9: in on_execute\nError in fail: boom"
			r.Finished(runtime.Outcome{Component: &c[1], Status: "failed", Error: boom, Duration: time.Millisecond})
			waitFor(t, buf, regexp.MustCompile(`2/4 done  running 0  failed 1  queued 2 .*ETA \d`))
			r.Started(&c[2])
			r.Started(&c[3])
			r.Finished(runtime.Outcome{Component: &c[2], Status: "finished"})
			r.Finished(runtime.Outcome{Component: &c[3], Status: "finished"})
			// all done, End not yet called: output must still appear
			fmt.Fprintln(r.Output(), "after the last component")
			fmt.Fprint(r.Output(), "no newline at the end")
			res := &runtime.Result{Execution: ex, Outcomes: []runtime.Outcome{
				{Component: &c[0], Status: "finished"}, {Component: &c[1], Status: "failed", Error: boom},
				{Component: &c[2], Status: "finished"}, {Component: &c[3], Status: "finished"},
			}}
			r.End(res, 1500*time.Millisecond)
			out := buf.String()
			summary := plainText(func(p *executor.PlainReporter) { p.End(res, 1500*time.Millisecond) })

			plainOut := sgr.ReplaceAllString(out, "")
			if !strings.HasPrefix(out, begin+"warning: before the bar\n") {
				t.Errorf("should start with the experiment line:\n%s", out)
			}
			if !strings.HasSuffix(plainOut, summary) {
				t.Errorf("should end with the plain summary %q:\n%s", summary, out)
			}
			frame := lastFrame(t, plainOut)
			for _, want := range []string{"4/4 done", "running 0", "failed 1", "queued 0", "100 %", "elapsed"} {
				if !strings.Contains(frame, want) {
					t.Errorf("final bar %q lacks %q", frame, want)
				}
			}
			if strings.Contains(frame, "ETA") {
				t.Errorf("final bar still has an ETA: %q", frame)
			}
			failLine := "[2/4] c00000000001 trainer failed in 1ms: " + executor.ErrorSummary(boom) + "\n"
			for _, line := range []string{failLine, c[0].ID + " | half a line\n", c[1].ID + " | another line\n", "after the last component\n", "no newline at the end\n"} {
				if !strings.Contains(plainOut, "\n"+line) {
					t.Errorf("no whole line %q in:\n%s", line, out)
				}
			}
			if strings.Contains(plainOut, "finished in") {
				t.Errorf("finished components get no line on a terminal:\n%s", out)
			}
			if strings.Index(plainOut, failLine) > strings.LastIndex(plainOut, "2/4 done") {
				t.Errorf("the failure should be printed when it happens, before the bar moves on:\n%s", out)
			}
			red := sgrRed + strings.TrimSuffix(failLine, "\n") + sgrReset
			if color != strings.Contains(out, red) {
				t.Errorf("color %v: red failure line %q present: %v", color, red, !color)
			}
			if !color && strings.Contains(out, "\x1b[") {
				t.Errorf("escape codes without color in a non-terminal:\n%q", out)
			}
			if color && !strings.Contains(out, sgrRed+"  failed: c00000000001") {
				t.Errorf("summary failure not red:\n%q", out)
			}
		})
	}
}

// TestTerminalConcurrent calls Started, Output and Finished from many
// goroutines, as parallel engines do (run with -race).
func TestTerminalConcurrent(t *testing.T) {
	const n = 64
	buf := &syncbuf.Buffer{}
	ex := execution(n)
	r := testTerminal(buf, true)
	r.Begin(ex, "mem://")
	var wg sync.WaitGroup
	outcomes := make([]runtime.Outcome, n)
	for i := range n {
		c := &ex.Schedule[i]
		r.Started(c)
		wg.Add(1)
		go func() {
			defer wg.Done()
			fmt.Fprintf(r.Output(), "%s | line %d\n", c.ID, i)
			o := runtime.Outcome{Component: c, Status: "finished"}
			if i%8 == 0 {
				o.Status, o.Error = "failed", fmt.Sprintf("boom %d", i)
			}
			outcomes[i] = o
			r.Finished(o)
		}()
	}
	wg.Wait()
	r.End(&runtime.Result{Execution: ex, Outcomes: outcomes}, time.Second)
	out := buf.String()
	frame := lastFrame(t, out)
	for _, want := range []string{"64/64 done", "running 0 ", "failed 8 ", "queued 0 ", "100 %"} {
		if !strings.Contains(frame, want) {
			t.Errorf("final bar %q lacks %q", frame, want)
		}
	}
	for i := range n {
		if !strings.Contains(out, fmt.Sprintf("\n%s | line %d\n", ex.Schedule[i].ID, i)) {
			t.Errorf("output line %d missing or garbled", i)
		}
	}
	if got := strings.Count(out, "  failed: "); got != 8 {
		t.Errorf("%d failed lines in the summary, want 8", got)
	}
}

// TestTerminalResumed: the bar starts at the components that finished
// earlier and ends aborted when some run elsewhere; End does not hang.
func TestTerminalResumed(t *testing.T) {
	buf := &syncbuf.Buffer{}
	ex := execution(6)
	r := testTerminal(buf, false)
	c := ex.Schedule
	r.Begin(ex, "mem://")
	r.Resumed(2, 1, 3)
	waitFor(t, buf, regexp.MustCompile(`2/6 done  running 0  failed 0  elsewhere 1  queued 3 +\[=+>?-+\]`))
	res := &runtime.Result{Execution: ex, Resumed: true, Outcomes: []runtime.Outcome{
		{Component: &c[0], Status: "finished", Previous: true},
		{Component: &c[1], Status: "finished", Previous: true},
		{Component: &c[2], Status: "running", Previous: true},
	}}
	for i := 3; i < 6; i++ {
		r.Started(&c[i])
		o := runtime.Outcome{Component: &c[i], Status: "finished"}
		if i == 5 {
			o.Status = "interrupted"
			o.Error = "interrupted"
		}
		r.Finished(o)
		res.Outcomes = append(res.Outcomes, o)
	}
	done := make(chan struct{})
	go func() { r.End(res, time.Second); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("End hangs on a bar that cannot complete")
	}
	out := buf.String()
	want := plainText(func(p *executor.PlainReporter) { p.Resumed(2, 1, 3) })
	if !strings.Contains(out, want) {
		t.Errorf("no resume line %q in:\n%s", want, out)
	}
	if !strings.Contains(out, "\n[5/6] c00000000005 trainer interrupted in 0s: interrupted\n") {
		t.Errorf("interrupted component not printed:\n%s", out)
	}
	frame := lastFrame(t, out)
	for _, want := range []string{"5/6 done", "interrupted 1", "elsewhere 1", "queued 0"} {
		if !strings.Contains(frame, want) {
			t.Errorf("final bar %q lacks %q", frame, want)
		}
	}
	if !strings.HasSuffix(out, plainText(func(p *executor.PlainReporter) { p.End(res, time.Second) })) {
		t.Errorf("no plain summary at the end:\n%s", out)
	}
}

// TestTerminalNoBarWithoutEvents: after Begin the executor may fail and
// never call End; nothing may be left drawing, output goes straight out.
func TestTerminalNoBarWithoutEvents(t *testing.T) {
	buf := &syncbuf.Buffer{}
	ex := execution(3)
	r := testTerminal(buf, true)
	r.Begin(ex, "mem://")
	fmt.Fprint(r.Output(), "warning: x\n")
	if r.p != nil {
		t.Fatal("bar started before any component")
	}
	want := plainText(func(p *executor.PlainReporter) { p.Begin(ex, "mem://") }) + "warning: x\n"
	if got := buf.String(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// nothing ran at all: End still prints the summary
	r.End(&runtime.Result{Execution: ex}, 0)
	if !strings.Contains(buf.String(), "Experiment 8gWVkz: 0 finished, 0 failed, 3 not run in 0s\n") {
		t.Errorf("no summary:\n%s", buf.String())
	}
}

func TestEWMA(t *testing.T) {
	e := newEWMA(etaAge)
	if e.Value() != 0 {
		t.Fatal("not zero before the first sample")
	}
	e.Add(100)
	if e.Value() != 100 {
		t.Fatalf("first sample should be the value, got %v", e.Value())
	}
	e.Add(10)
	if v := e.Value(); v <= 10 || v >= 100 {
		t.Fatalf("average out of range: %v", v)
	}
}

// TestTerminalFirstETAParallel: with 4 components running at once, the
// first finish after 400 ms means one finishes every ~100 ms: the ETA of
// the 39 left is about 4 s, not 16 s.
func TestTerminalFirstETAParallel(t *testing.T) {
	buf := &syncbuf.Buffer{}
	ex := execution(40)
	r := testTerminal(buf, false)
	r.Begin(ex, "./results/8gWVkz")
	c := ex.Schedule
	for i := range 4 {
		r.Started(&c[i])
	}
	time.Sleep(400 * time.Millisecond)
	r.Finished(runtime.Outcome{Component: &c[0], Status: "finished"})
	re := regexp.MustCompile(`1/40 done  running 3 .*ETA (\S+)  elapsed`)
	waitFor(t, buf, re)
	m := re.FindAllStringSubmatch(sgr.ReplaceAllString(buf.String(), ""), -1)
	eta, err := time.ParseDuration(m[len(m)-1][1])
	if err != nil || eta < time.Second || eta > 8*time.Second {
		t.Errorf("first ETA %q (%v), want about 4s", m[len(m)-1][1], err)
	}
	r.End(&runtime.Result{Execution: ex}, time.Second)
}

// TestTerminalStopped: tuning trials a scheduler ended early are counted
// apart, are not painted as failures, and the summary names them.
func TestTerminalStopped(t *testing.T) {
	buf := &syncbuf.Buffer{}
	ex := execution(3)
	r := testTerminal(buf, true)
	c := ex.Schedule
	r.Begin(ex, "mem://")
	res := &runtime.Result{Execution: ex}
	for i, status := range []string{"finished", "stopped", "stopped"} {
		r.Started(&c[i])
		o := runtime.Outcome{Component: &c[i], Status: status}
		if status == "stopped" {
			o.Error = "by asha at iteration 1 (val_loss=3.03664)" // the scheduler's reason
		}
		r.Finished(o)
		res.Outcomes = append(res.Outcomes, o)
	}
	r.End(res, time.Second)
	out := buf.String()
	frame := sgr.ReplaceAllString(lastFrame(t, out), "")
	for _, want := range []string{"3/3 done", "failed 0", "stopped 2", "queued 0"} {
		if !strings.Contains(frame, want) {
			t.Errorf("final bar %q lacks %q", frame, want)
		}
	}
	if strings.Contains(out, "\x1b[31m[2/3]") || strings.Contains(out, "\x1b[31m[3/3]") {
		t.Errorf("a stopped trial is painted as a failure:\n%q", out)
	}
	if !strings.Contains(out, "Experiment 8gWVkz: 1 finished, 2 stopped, 0 failed in 1s") {
		t.Errorf("summary does not count the stopped trials:\n%s", out)
	}
}
