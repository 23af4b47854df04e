package eventlog_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/wcsfsm/wcsfsm/synth"
	"github.com/wcsfsm/wcsfsm/synth/synthtest"
	"github.com/wcsfsm/wcsfsm/tracker"
)

// The bounds of Options are totals over the shards of -j, never per
// shard: the verdicts at the entity cap are those of one tracker
// (log-format.md: "the findings never depend on N"). Logs are read whole
// and in small pieces (many blocks, some judged in parallel and some in
// the log's order near the cap, and the switch between them).

// capRun validates the files as one log with jobs trackers, each file read
// chunk bytes a read (0: whole), and returns the findings and the
// statistics (all of them: at the cap too, the shards hold together what
// one tracker holds).
func capRun(t interface {
	Helper()
	Fatal(...any)
}, jobs, chunk int, opts tracker.Options, files ...[2]string) ([]tracker.Finding, tracker.Stats) {
	t.Helper()
	out, st, _ := runLog(t, jobsRun{jobs: jobs, chunk: chunk}, opts, files...)
	return out, st
}

func capConn(sid, status string) string {
	return `{"event":"ConnectionStatusEvent","sessionId":"` + sid + `","status":"` + status + `"}` + "\n"
}

func capStream(sid, id, status string) string {
	return `{"event":"StreamStatusEvent","sessionId":"` + sid + `","mediaSessionId":"` + id + `","published":true,"status":"` + status + `"}` + "\n"
}

// openSessions: n sessions ESTABLISHED, none ends.
func openSessions(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(capConn(fmt.Sprint("s", i), "ESTABLISHED"))
	}
	return b.String()
}

// slidingSessions: n sessions, each ending lag sessions after it began:
// about lag open at once, the cap freeing room as they end.
func slidingSessions(n, lag int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(capConn(fmt.Sprint("s", i), "ESTABLISHED"))
		if i >= lag {
			b.WriteString(capConn(fmt.Sprint("s", i-lag), "DISCONNECTED"))
		}
	}
	return b.String()
}

// interleavedStreams: n sessions with a stream each, their events taken in
// turn (each session's connection, then each one's stream published, then
// unpublished, then the connections ended), so that every shard is busy
// when the cap is reached and when the entities close.
func interleavedStreams(n int) string {
	var b strings.Builder
	for _, step := range []func(i int) string{
		func(i int) string { return capConn(fmt.Sprint("s", i), "ESTABLISHED") },
		func(i int) string { return capStream(fmt.Sprint("s", i), fmt.Sprint("m", i), "PUBLISHING") },
		func(i int) string { return capStream(fmt.Sprint("s", i), fmt.Sprint("m", i), "UNPUBLISHED") },
		func(i int) string { return capConn(fmt.Sprint("s", i), "DISCONNECTED") },
	} {
		for i := range n {
			b.WriteString(step(i))
		}
	}
	return b.String()
}

// revived: sessions that end and are forgotten, then the cap filled with
// open ones, then a late stream event of each ended session, which brings
// its connection back from its mark (past the limit: a revived connection
// is not refused) for the time of the event.
func revived(ended, open int) string {
	var b strings.Builder
	for i := range ended {
		b.WriteString(capConn(fmt.Sprint("e", i), "ESTABLISHED") + capConn(fmt.Sprint("e", i), "DISCONNECTED"))
	}
	b.WriteString(openSessions(open))
	for i := range ended {
		b.WriteString(capStream(fmt.Sprint("e", i), fmt.Sprint("m", i), "PUBLISHING"))
	}
	for i := range 5 {
		b.WriteString(capConn(fmt.Sprint("late", i), "ESTABLISHED")) // past the cap
	}
	return b.String()
}

// TestJobsAtTheEntityCap: with 2, 3 or 4 trackers, a log that reaches
// MaxEntities gives the findings of one tracker (the same entity-limit
// findings on the same lines, in the same order) and the same statistics,
// read whole or in small pieces (many blocks, some judged in parallel and
// some in the log's order).
func TestJobsAtTheEntityCap(t *testing.T) {
	valid := string(synth.Generate(synth.NewSource(11), synth.Options{Events: 6000, Sessions: 120}).Bytes())
	bad := damaged(12, 6000, 80)
	cut := strings.IndexByte(bad[len(bad)/2:], '\n') + len(bad)/2 + 1
	tests := []struct {
		why   string
		max   int
		opts  tracker.Options
		files [][2]string
	}{
		{"more sessions open than the cap: those past it meet the limit", 10, tracker.Options{}, [][2]string{{"open", openSessions(40)}}},
		{"a cap of one entity", 1, tracker.Options{}, [][2]string{{"open", openSessions(7)}}},
		{"sessions that end free room for later ones", 4, tracker.Options{}, [][2]string{{"sliding", slidingSessions(80, 6)}}},
		{"interleaved sessions and streams, every shard at the cap", 25, tracker.Options{}, [][2]string{{"streams", interleavedStreams(20)}}},
		{"connections revived from their marks past the cap", 12, tracker.Options{}, [][2]string{{"revived", revived(10, 12)}}},
		{"a generated log, cap below its peak", 60, tracker.Options{}, [][2]string{{"gen", valid}}},
		{"a generated log, cap far below its peak", 5, tracker.Options{}, [][2]string{{"gen", valid}}},
		{"a damaged log at the cap, -partial", 40, tracker.Options{Partial: true}, [][2]string{{"bad", bad}}},
		{"a damaged log at the cap, -tail", 40, tracker.Options{Tail: true}, [][2]string{{"bad", bad}}},
		{"two files as one log: the count goes on from one to the next", 30, tracker.Options{}, [][2]string{{"a", bad[:cut]}, {"b", bad[cut:]}}},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			opts := tt.opts
			opts.MaxEntities = tt.max
			want, wantStats := capRun(t, 1, 0, opts, tt.files...)
			if wantStats.Findings[tracker.KindEntityLimit] == 0 {
				t.Fatalf("the log does not reach the cap of %d: no entity-limit finding at -j 1", tt.max)
			}
			for _, jobs := range []int{2, 3, 4} {
				for _, chunk := range []int{0, 300, 4 << 10} {
					got, gotStats := capRun(t, jobs, chunk, opts, tt.files...)
					if diff := cmp.Diff(want, got); diff != "" {
						t.Fatalf("-j %d, reads of %d bytes: findings differ (-j 1 +j %d):\n%s", jobs, chunk, jobs, diff)
					}
					if diff := cmp.Diff(wantStats, gotStats); diff != "" {
						t.Fatalf("-j %d, reads of %d bytes: stats differ (-j 1 +j %d):\n%s", jobs, chunk, jobs, diff)
					}
				}
			}
		})
	}
}

// TestJobsAtTheCapDeterministic: which blocks the shards judge in parallel
// and which in the log's order depends on how far each has got (goroutine
// timing); the findings must not. The same logs at the cap, many times
// over, read in pieces of many sizes.
func TestJobsAtTheCapDeterministic(t *testing.T) {
	logs := []struct {
		log string
		max int
	}{
		{interleavedStreams(40), 50},
		{slidingSessions(300, 20), 18},
		{damaged(13, 3000, 60), 30},
	}
	rounds := 30
	if testing.Short() {
		rounds = 5
	}
	for i, l := range logs {
		opts := tracker.Options{MaxEntities: l.max}
		want, wantStats := capRun(t, 1, 0, opts, [2]string{"log", l.log})
		for r := range rounds {
			jobs, chunk := 2+r%3, 100+r*97
			got, gotStats := capRun(t, jobs, chunk, opts, [2]string{"log", l.log})
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("log %d, round %d (-j %d, reads of %d bytes): findings differ (-j 1 +j %d):\n%s", i, r, jobs, chunk, jobs, diff)
			}
			if diff := cmp.Diff(wantStats, gotStats); diff != "" {
				t.Fatalf("log %d, round %d (-j %d, reads of %d bytes): stats differ (-j 1 +j %d):\n%s", i, r, jobs, chunk, jobs, diff)
			}
		}
	}
}

// TestPropertyJobsUnderSmallCaps: any generated log, valid or damaged,
// under any small MaxEntities, read in pieces of any size, gives with 2 to
// 4 trackers what it gives with one.
func TestPropertyJobsUnderSmallCaps(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		log := synthtest.Logs(synth.Options{Events: 600, Sessions: 40}).Draw(rt, "log")
		lines := log.Lines
		// Damage: lines dropped or repeated, so that entities dangle and
		// findings of other kinds come between those of the limit.
		var b bytes.Buffer
		for i, l := range lines {
			switch rapid.IntRange(0, 20).Draw(rt, fmt.Sprint("damage ", i)) {
			case 0:
				continue
			case 1:
				b.Write(l)
				b.WriteByte('\n')
			}
			b.Write(l)
			b.WriteByte('\n')
		}
		opts := tracker.Options{
			MaxEntities: rapid.IntRange(1, 80).Draw(rt, "max entities"),
			Partial:     rapid.Bool().Draw(rt, "partial"),
		}
		jobs := rapid.IntRange(2, 4).Draw(rt, "jobs")
		chunk := rapid.SampledFrom([]int{0, 1, 64, 500, 4096}).Draw(rt, "chunk")
		want, wantStats := capRun(rt, 1, 0, opts, [2]string{"log", b.String()})
		got, gotStats := capRun(rt, jobs, chunk, opts, [2]string{"log", b.String()})
		if diff := cmp.Diff(want, got); diff != "" {
			rt.Fatalf("-j %d: findings differ (-j 1 +j %d):\n%s", jobs, jobs, diff)
		}
		if diff := cmp.Diff(wantStats, gotStats); diff != "" {
			rt.Fatalf("-j %d: stats differ (-j 1 +j %d):\n%s", jobs, jobs, diff)
		}
	})
}

// TestJobsShareMaxMarks: the shards keep MaxMarks marks in all, not each
// (each keeps ⌈MaxMarks/N⌉): a late event of every one of many ended
// sessions finds as many of them remembered with 2, 3 or 4 trackers as
// with one (which ones may differ: each shard forgets its own oldest); and
// where every mark an event needs is younger than ⌈MaxMarks/N⌉ later
// marks, the findings are exactly those of one tracker.
func TestJobsShareMaxMarks(t *testing.T) {
	const sessions, maxMarks = 400, 120 // 120: a multiple of 2, 3 and 4
	var ended strings.Builder
	for i := range sessions {
		ended.WriteString(capConn(fmt.Sprint("s", i), "ESTABLISHED") + capConn(fmt.Sprint("s", i), "DISCONNECTED"))
	}
	late := func(from int) string {
		var b strings.Builder
		b.WriteString(ended.String())
		for i := from; i < sessions; i++ {
			// Remembered: illegal after DISCONNECTED; forgotten: a new
			// session, legal (and dangling at the end).
			b.WriteString(capConn(fmt.Sprint("s", i), "ESTABLISHED"))
		}
		return b.String()
	}
	remembered := func(fs []tracker.Finding) int {
		n := 0
		for _, f := range fs {
			if f.Kind == tracker.KindIllegalTransition {
				n++
			}
		}
		return n
	}
	opts := tracker.Options{MaxMarks: maxMarks}
	all := late(0)
	one, _ := capRun(t, 1, 0, opts, [2]string{"late", all})
	if got := remembered(one); got != maxMarks {
		t.Fatalf("-j 1: %d sessions remembered, want MaxMarks, %d", got, maxMarks)
	}
	for _, jobs := range []int{2, 3, 4} {
		got, _ := capRun(t, jobs, 0, opts, [2]string{"late", all})
		if n := remembered(got); n != maxMarks {
			t.Errorf("-j %d: %d sessions remembered, want MaxMarks in all, %d", jobs, n, maxMarks)
		}
		young := late(sessions - maxMarks/jobs)
		want, wantStats := capRun(t, 1, 0, opts, [2]string{"young", young})
		got, gotStats := capRun(t, jobs, 0, opts, [2]string{"young", young})
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("-j %d, late events of the last %d sessions: findings differ (-j 1 +j %d):\n%s", jobs, maxMarks/jobs, jobs, diff)
		}
		if diff := cmp.Diff(wantStats, gotStats); diff != "" {
			t.Errorf("-j %d, late events of the last %d sessions: stats differ (-j 1 +j %d):\n%s", jobs, maxMarks/jobs, jobs, diff)
		}
	}
}

// TestJobsFastPathFarFromTheCap: far from the cap every block goes in
// parallel (the budget costs the shards a lock and a count a block); a log
// that climbs to the cap goes in parallel while it is far, in the log's
// order near it, and in parallel again once its entities have closed.
func TestJobsFastPathFarFromTheCap(t *testing.T) {
	// 300 sessions open one after the other, then all ended, then 50 more
	// opened and ended: the count climbs to 300 and falls back.
	var b strings.Builder
	for i := range 300 {
		b.WriteString(capConn(fmt.Sprint("s", i), "ESTABLISHED"))
	}
	for i := range 300 {
		b.WriteString(capConn(fmt.Sprint("s", i), "DISCONNECTED"))
	}
	for i := 300; i < 350; i++ {
		b.WriteString(capConn(fmt.Sprint("s", i), "ESTABLISHED") + capConn(fmt.Sprint("s", i), "DISCONNECTED"))
	}
	climb := b.String()
	gen := string(synth.Generate(synth.NewSource(24), synth.Options{Events: 20000, Sessions: 300}).Bytes())
	tests := []struct {
		why                            string
		max                            int
		log                            string
		someParallel, someInOrder, end bool // some block went in parallel, some in order; the last in parallel
	}{
		{"a generated log, the default cap", 0, gen, true, false, true},
		{"a log that climbs to the cap of 200 and falls back", 200, climb, true, true, true},
		{"a cap the log never nears", 1 << 16, climb, true, false, true},
	}
	for _, tt := range tests {
		var modes []bool
		steer := func(_ uint64, inOrder bool) bool {
			modes = append(modes, inOrder) // one block at a time, under the budget's lock
			return false
		}
		opts := tracker.Options{MaxEntities: tt.max}
		want, _, _ := runLog(t, jobsRun{jobs: 1}, opts, [2]string{"log", tt.log})
		got, _, _ := runLog(t, jobsRun{jobs: 2, chunk: 400, steer: steer}, opts, [2]string{"log", tt.log})
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("%s: findings differ (-j 1 +j 2):\n%s", tt.why, diff)
		}
		parallel, inOrder := 0, 0
		for _, m := range modes {
			if m {
				inOrder++
			} else {
				parallel++
			}
		}
		end := len(modes) > 0 && !modes[len(modes)-1]
		if parallel > 0 != tt.someParallel || inOrder > 0 != tt.someInOrder || end != tt.end {
			t.Errorf("%s: %d blocks in parallel, %d in the log's order, the last in parallel: %v; want some in parallel: %v, some in order: %v, the last in parallel: %v",
				tt.why, parallel, inOrder, end, tt.someParallel, tt.someInOrder, tt.end)
		}
	}
}
