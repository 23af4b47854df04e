package tracker

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wcsfsm/wcsfsm/hookbody"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// decoded is one line of a log decoded into an event; the event's strings
// point into line, which stays alive with it.
type decoded struct {
	line []byte
	ev   wcs.Event
	bad  bool // not a JSON object: not an event
}

func decodeAll(file string, lines []string) []decoded {
	var d hookbody.Decoder
	out := make([]decoded, len(lines))
	for i, l := range lines {
		out[i].line = []byte(l)
		out[i].ev.File, out[i].ev.Line = file, i+1
		out[i].bad = d.Decode(out[i].line, &out[i].ev) != nil
	}
	return out
}

// takeRecorded is Take that also records, under the tracker's own lock, the
// order in which the tracker took the events.
func (t *Tracker) takeRecorded(ev *wcs.Event, order *[]wcs.Event) []Finding {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lazyInit()
	*order = append(*order, *ev)
	return t.take(ev, nil)
}

func snapshotBytes(t *testing.T, tr *Tracker) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := tr.Snapshot(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestTrackerConcurrentSharedSessions: goroutines take events of the same
// sessions at once (every log under testdata, each copy shared by several
// goroutines), while others read the tracker's statistics and snapshots.
// Replaying, one by one, the events in the order the tracker took them
// gives every event the same findings and leaves the same state, byte for
// byte: no transition lost or doubled.
func TestTrackerConcurrentSharedSessions(t *testing.T) {
	logs := testLogs(t)
	const workers = 16
	var work [workers][]decoded
	for g := range work {
		for i, lines := range logs {
			if i%workers == g%4 || i%3 == g%3 {
				var renamed []string
				for _, l := range lines {
					renamed = append(renamed, rename(l, "#"+strconv.Itoa(g%4)))
				}
				work[g] = append(work[g], decodeAll(fmt.Sprintf("w%d-%d", g, i), renamed)...)
			}
		}
	}
	tr := New(Options{MaxMarks: 16})
	var order []wcs.Event
	got := map[string][]Finding{} // by "file:line"
	var gotMu sync.Mutex
	var wg sync.WaitGroup
	done := make(chan struct{})
	for g := range work {
		wg.Go(func() {
			for i := range work[g] {
				d := &work[g][i]
				if d.bad {
					continue
				}
				fs := tr.takeRecorded(&d.ev, &order)
				gotMu.Lock()
				got[d.ev.File+":"+strconv.Itoa(d.ev.Line)] = fs
				gotMu.Unlock()
			}
		})
	}
	var readers sync.WaitGroup
	readers.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
				tr.Stats()
				tr.Coverage()
				snapshotBytes(t, tr)
			}
		}
	})
	wg.Wait()
	close(done)
	readers.Wait()
	endGot := tr.End()

	seq := New(tr.Options())
	seq.seed = tr.seed // the same hashes, so that the snapshots compare
	want := map[string][]Finding{}
	for i := range order {
		want[order[i].File+":"+strconv.Itoa(order[i].Line)] = seq.Take(&order[i])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings of the concurrent run differ from the sequential replay (-replay +concurrent):\n%s", diff)
	}
	if diff := cmp.Diff(seq.End(), endGot); diff != "" {
		t.Errorf("end of the concurrent run differs (-replay +concurrent):\n%s", diff)
	}
	if !bytes.Equal(snapshotBytes(t, seq), snapshotBytes(t, tr)) {
		t.Error("the state after the concurrent run differs from the state after the sequential replay")
	}
	if tr.Stats().Events != int64(len(order)) {
		t.Errorf("%d events counted, %d taken", tr.Stats().Events, len(order))
	}
}

// TestTrackerConcurrentTake: goroutines, each with sessions of its own, call
// the public Take at once. Sessions that share nothing do not depend on the
// interleaving, so replaying the goroutines one after another gives each
// event the same findings, the same dangling entities at the end, and the
// same statistics.
func TestTrackerConcurrentTake(t *testing.T) {
	logs := testLogs(t)
	const workers = 24
	var work [workers][]decoded
	for g := range work {
		var lines []string
		for i, l := range logs {
			if i%4 == g%4 {
				lines = append(lines, l...)
			}
		}
		for i := range lines {
			lines[i] = rename(lines[i], "#g"+strconv.Itoa(g))
		}
		work[g] = decodeAll("g"+strconv.Itoa(g), lines)
	}
	var tr Tracker // the zero value, initialised by the first of the racing callers
	var got [workers][][]Finding
	var wg sync.WaitGroup
	for g := range work {
		wg.Go(func() {
			for i := range work[g] {
				if d := &work[g][i]; !d.bad {
					got[g] = append(got[g], tr.Take(&d.ev))
				}
			}
		})
	}
	wg.Wait()
	seq := New(Options{})
	var want [workers][][]Finding
	for g := range work {
		for i := range work[g] {
			if d := &work[g][i]; !d.bad {
				want[g] = append(want[g], seq.Take(&d.ev))
			}
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings differ (-sequential +concurrent):\n%s", diff)
	}
	key := func(fs []Finding) []Finding {
		sort.Slice(fs, func(i, j int) bool { return fs[i].File+fs[i].Entity < fs[j].File+fs[j].Entity })
		return fs
	}
	if diff := cmp.Diff(key(seq.End()), key(tr.End())); diff != "" {
		t.Errorf("dangling entities differ (-sequential +concurrent):\n%s", diff)
	}
	if diff := cmp.Diff(seq.Stats(), tr.Stats()); diff != "" {
		t.Errorf("stats differ (-sequential +concurrent):\n%s", diff)
	}
	if diff := cmp.Diff(seq.Coverage(), tr.Coverage()); diff != "" {
		t.Errorf("coverage differs (-sequential +concurrent):\n%s", diff)
	}
}

// TestMaxEntitiesBoundsMemory: a flood of new entities does not grow the
// tracker past its bound; every entity refused gets an entity-limit
// finding.
func TestMaxEntitiesBoundsMemory(t *testing.T) {
	const n, max = 100_000, 1000
	type tc struct {
		why  string
		opts Options
		ev   func(i int, ev *wcs.Event)
	}
	cases := []tc{
		{"new sessions, each a connection", Options{MaxEntities: max}, func(i int, ev *wcs.Event) {
			ev.Event, ev.Status, ev.SessionID = "ConnectionStatusEvent", "ESTABLISHED", "s"+strconv.Itoa(i)
		}},
		{"new calls of one session", Options{MaxEntities: max}, func(i int, ev *wcs.Event) {
			if i == 0 {
				ev.Event, ev.Status, ev.SessionID = "ConnectionStatusEvent", "ESTABLISHED", "s"
				return
			}
			ev.Event, ev.Status, ev.SessionID, ev.CallID = "CallStatusEvent", "RING", "s", "c"+strconv.Itoa(i)
		}},
		{"new streams without a session, -partial", Options{MaxEntities: max, Partial: true}, func(i int, ev *wcs.Event) {
			ev.Event, ev.Status, ev.MediaSessionID = "StreamStatusEvent", "PLAYING", "m"+strconv.Itoa(i)
		}},
	}
	for _, c := range cases {
		t.Run(c.why, func(t *testing.T) {
			tr := New(c.opts)
			var limit int
			for i := range n {
				ev := wcs.Event{File: "flood", Line: i + 1}
				c.ev(i, &ev)
				for _, f := range tr.Take(&ev) {
					if f.Kind == KindEntityLimit {
						limit++
					} else {
						t.Fatalf("%s: unexpected finding %v", c.why, f)
					}
				}
				if i%10_000 == 0 {
					if st := tr.Stats(); st.Tracked > max || st.Sessions > max {
						t.Fatalf("%s: after %d events %d entities and %d sessions tracked, bound %d", c.why, i+1, st.Tracked, st.Sessions, max)
					}
				}
			}
			st := tr.Stats()
			if st.Tracked > max || st.Sessions > max {
				t.Errorf("%s: %d entities and %d sessions tracked, bound %d", c.why, st.Tracked, st.Sessions, max)
			}
			if limit != n-max || st.Findings[KindEntityLimit] != int64(n-max) {
				t.Errorf("%s: %d entity-limit findings (%d counted), want %d", c.why, limit, st.Findings[KindEntityLimit], n-max)
			}
		})
	}
}
