package storage

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// TestJournalLineDecode: where the fast decoder takes a line it gives
// what json.Unmarshal gives, on lines as machinable writes them and on
// random mutations of them; it takes every line machinable writes.
func TestJournalLineDecode(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	zones := []*time.Location{time.UTC, time.Local, time.FixedZone("", 3600), time.FixedZone("", -(5*3600 + 30*60))}
	mutations := []byte(`{}":,.-+eE0123456789Zzt\ ` + "\x00\xff\n")
	taken, lines := 0, 0
	for range 20000 {
		at := func() *time.Time {
			if r.IntN(4) == 0 {
				return nil
			}
			tm := time.Unix(r.Int64N(4e9), r.Int64N(1e9)).In(zones[r.IntN(len(zones))])
			return &tm
		}
		st := Status{Status: []string{StatusFinished, StatusStopped, StatusFailed}[r.IntN(3)], StartedAt: at(), HeartbeatAt: at(), FinishedAt: at(),
			Host: []string{"vm", "node-17.cluster", ""}[r.IntN(3)], PID: r.IntN(1 << 22), HeartbeatEvery: []float64{10, 0.5, 0, 1e-9}[r.IntN(4)],
			PIDStart: r.Uint64(), BootID: "13bdca2b-0f80-496d-9436-2025cf5f5ba6", Requeues: r.IntN(3)}
		line, err := json.Marshal(journalLine{ID: "XfOWPgKJCcuh", Status: st})
		if err != nil {
			t.Fatal(err)
		}
		line = append(line, '\n')
		var l journalLine
		if !fastJournalLine(line[:len(line)-1], &l) {
			t.Fatalf("a line as machinable writes it is not taken: %s", line)
		}
		check := func(line []byte) {
			t.Helper()
			lines++
			var fast, slow journalLine
			if !fastJournalLine(line, &fast) {
				return
			}
			taken++
			if err := json.Unmarshal(line, &slow); err != nil {
				t.Fatalf("%q: taken, but json.Unmarshal: %v", line, err)
			}
			if !reflect.DeepEqual(fast, slow) {
				t.Fatalf("%q:\nfast %+v\njson %+v", line, fast, slow)
			}
		}
		check(line[:len(line)-1])
		for range 5 {
			check(mutate(r, append([]byte(nil), line[:len(line)-1]...), mutations))
		}
	}
	if taken < lines/3 {
		t.Errorf("only %d of %d lines taken", taken, lines)
	}
}

func BenchmarkJournalLineDecode(b *testing.B) {
	line := []byte(`{"id":"NsGQ2p5X0hlW","status":"finished","started_at":"2026-11-30T07:30:42.560792425Z","heartbeat_at":"2026-11-30T07:30:42.562056351Z","finished_at":"2026-11-30T07:30:42.562056351Z","host":"vm","pid":9771,"heartbeat_every":10,"pid_start":2919616,"boot_id":"13bdca2b-0f80-496d-9436-2025cf5f5ba6"}` + "\n")
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			var l journalLine
			if decodeJournalLine(line, &l) != nil {
				b.Fatal("not decoded")
			}
		}
	})
	b.Run("json", func(b *testing.B) {
		for b.Loop() {
			var l journalLine
			if json.Unmarshal(line, &l) != nil {
				b.Fatal("not decoded")
			}
		}
	})
}
