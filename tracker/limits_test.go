package tracker

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// The limits that bound a Validator's memory, and what happens at each
// (docs/reliability.md).

// limFinding is a finding reduced to what the tables state.
type limFinding struct {
	Line   int
	Kind   string
	Entity string
}

func limConn(id, status string) string {
	return `{"event":"ConnectionStatusEvent","sessionId":"` + id + `","status":"` + status + `"}`
}

// limRead validates the lines (a line each, "\n" after each) through v and
// returns the findings, reduced, End's included when end is set.
func limRead(t *testing.T, v *feeder, end bool, lines ...string) []limFinding {
	t.Helper()
	var out []limFinding
	v.Report = func(f Finding) { out = append(out, limFinding{f.Line, f.Kind.String(), f.Entity}) }
	if err := v.ReadJSONL("limits.jsonl", strings.NewReader(strings.Join(lines, "\n")+"\n")); err != nil {
		t.Fatal(err)
	}
	if end {
		v.End()
	}
	return out
}

// room. Memory stays at the cap.
func TestLimitEntities(t *testing.T) {
	const max = 3
	v := &feeder{Tracker: New(Options{MaxEntities: max})}
	got := limRead(t, v, false,
		limConn("a", "ESTABLISHED"),
		limConn("b", "ESTABLISHED"),
		limConn("c", "ESTABLISHED"),
		limConn("d", "ESTABLISHED"),  // 4: over the cap
		limConn("d", "DISCONNECTED"), // 5: d is not tracked: the limit again, no illegal-transition
		limConn("e", "BOGUS"),        // 6: the status is checked first
		limConn("a", "ESTABLISHED"),  // 7: a tracked entity is judged as ever
		limConn("a", "DISCONNECTED"), // 8: a ends: its session is forgotten, room for one
		limConn("d", "ESTABLISHED"),  // 9: d is tracked now
		limConn("d", "ESTABLISHED"),  // 10: and judged
		`{"event":"CallStatusEvent","sessionId":"b","callId":"c1","status":"RING"}`, // 11: the limit, in a session
	)
	want := []limFinding{
		{4, "entity-limit", "d"},
		{5, "entity-limit", "d"},
		{6, "unknown-status", "e"},
		{7, "illegal-transition", "a"},
		{10, "illegal-transition", "d"},
		{11, "entity-limit", "c1"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if st := v.Tracker.Stats(); st.Tracked != max || st.Sessions != max || st.Findings[KindEntityLimit] != 3 {
		t.Errorf("tracked %d, sessions %d, entity-limit findings %d; want %d, %d, 3", st.Tracked, st.Sessions, st.Findings[KindEntityLimit], max, max)
	}

	// A flood of new entities: memory stays at the cap.
	var b strings.Builder
	for i := range 10000 {
		b.WriteString(limConn("f"+strconv.Itoa(i), "ESTABLISHED") + "\n")
	}
	v.Report = nil
	if err := v.ReadJSONL("flood", strings.NewReader(b.String())); err != nil {
		t.Fatal(err)
	}
	if st := v.Tracker.Stats(); st.Tracked != max || st.Sessions != max || st.Findings[KindEntityLimit] != 3+10000 {
		t.Errorf("after a flood: tracked %d, sessions %d, entity-limit findings %d; want %d, %d, %d",
			st.Tracked, st.Sessions, st.Findings[KindEntityLimit], max, max, 3+10000)
	}
}

// limSizes are the sizes of what a tracker keeps.
type limSizes struct {
	Entities, Sessions, Marks int
}

func limMeasure(t *Tracker) limSizes {
	t.mu.Lock()
	defer t.mu.Unlock()
	return limSizes{t.entities.Len(), t.sessions.Len(), t.marks.Len()}
}

// limSession appends to evs the events of short session i, one of several
// shapes: each ends its connection, some with late teardown events after it
// (judged against the marks of its entities), some with events after the end
// (judged against the session's mark), some leaving an entity open when
// open is set.
func limSession(evs []wcs.Event, i int, open bool) []wcs.Event {
	sid := "s" + strconv.Itoa(i)
	id := "x" + strconv.Itoa(i)
	e := func(fam, status string) wcs.Event { return wcs.Event{Event: fam, Status: status, SessionID: sid} }
	call := func(status string) wcs.Event { ev := e("CallStatusEvent", status); ev.CallID = id; return ev }
	strm := func(status string) wcs.Event {
		ev := e("StreamStatusEvent", status)
		ev.MediaSessionID = id
		ev.Published = wcs.BoolTrue
		return ev
	}
	evs = append(evs, e("ConnectionStatusEvent", "ESTABLISHED"))
	switch i % 5 {
	case 0: // a call, ended before the connection
		evs = append(evs, call("RING"), call("ESTABLISHED"), call("FINISH"), e("ConnectionStatusEvent", "DISCONNECTED"))
	case 1: // a stream and a registration, torn down after the connection
		evs = append(evs, strm("PUBLISHING"), e("RegistrationStatusEvent", "REGISTERED"),
			e("ConnectionStatusEvent", "DISCONNECTED"), e("RegistrationStatusEvent", "UNREGISTERED"), strm("UNPUBLISHED"))
	case 2: // an event after the end: the session comes back from its mark
		evs = append(evs, e("ConnectionStatusEvent", "FAILED"), call("RING"))
	case 3: // data sends without a session entity of their own, and a debug session
		d := e("DataStatusEvent", "ACCEPTED")
		evs = append(evs, d, e("SessionDebugStatusEvent", "STARTED"), e("SessionDebugStatusEvent", "STOPPED"),
			e("ConnectionStatusEvent", "DISCONNECTED"))
	case 4:
		if open { // a stream whose end never comes
			evs = append(evs, strm("PUBLISHING"), e("ConnectionStatusEvent", "DISCONNECTED"))
		} else {
			evs = append(evs, strm("PUBLISHING"), e("ConnectionStatusEvent", "DISCONNECTED"), strm("FAILED"))
		}
	}
	return evs
}

// TestLimitManySessions: a log of a million short sessions keeps every map
// of the tracker within its bound (sessions and entities within
// MaxEntities, marks within MaxMarks),
// small bounds here. When every session ends, nothing is refused; when
// some leave an entity open, the open ones fill MaxEntities and the
// limit's findings start (each refused entity's later events are judged as
// a new entity's), but memory stays bounded. (A million sessions without
// the race detector; under it, or with -short, fewer.)
func TestLimitManySessions(t *testing.T) {
	n := 1_000_000
	if testing.Short() || limRace {
		n = 50_000
	}
	opts := Options{MaxEntities: 64, MaxMarks: 32}
	for _, open := range []bool{false, true} {
		sessions := n
		if open {
			sessions = n / 10 // the refused entities' findings are slow to make
		}
		tr := New(opts)
		var evs []wcs.Event
		var peak limSizes
		kinds := map[string]int64{}
		for i := range sessions {
			evs = limSession(evs[:0], i, open)
			for j := range evs {
				for _, f := range tr.Take(&evs[j]) {
					kinds[f.Kind.String()]++
				}
			}
			s := limMeasure(tr)
			peak = limSizes{max(peak.Entities, s.Entities), max(peak.Sessions, s.Sessions), max(peak.Marks, s.Marks)}
			if s.Entities > opts.MaxEntities || s.Sessions > s.Entities || s.Marks > opts.MaxMarks {
				t.Fatalf("open %v, after session %d: %+v, over the bounds %+v", open, i, s, opts)
			}
		}
		t.Logf("open %v: %d sessions, peak %+v, findings %v", open, sessions, peak, kinds)
		if open {
			if kinds["entity-limit"] == 0 || tr.Stats().Tracked != opts.MaxEntities {
				t.Errorf("open sessions: %d entity-limit findings, %d tracked; want some, and %d", kinds["entity-limit"],
					tr.Stats().Tracked, opts.MaxEntities)
			}
			continue
		}
		// Every fifth session has an event after its end (rule 2), and
		// that is all.
		if diff := cmp.Diff(map[string]int64{"no-session": int64(sessions / 5)}, kinds); diff != "" {
			t.Errorf("findings by kind (-want +got):\n%s", diff)
		}
	}
}

// TestLimitMarks: once more sessions have ended than MaxMarks, the oldest
// are forgotten: an event of a forgotten session is judged as one of a
// session never seen (documented in Options.MaxMarks).
func TestLimitMarks(t *testing.T) {
	v := &feeder{Tracker: New(Options{MaxMarks: 2})}
	lines := []string{
		limConn("a", "ESTABLISHED"), limConn("a", "DISCONNECTED"), // 1, 2
		limConn("b", "ESTABLISHED"), limConn("b", "DISCONNECTED"), // 3, 4
		limConn("b", "ESTABLISHED"),                               // 5: b is remembered: after DISCONNECTED, illegal
		limConn("c", "ESTABLISHED"), limConn("c", "DISCONNECTED"), // 6, 7: a's mark goes
		limConn("a", "ESTABLISHED"), // 8: a is forgotten: a new session, legal
	}
	got := limRead(t, v, false, lines...)
	want := []limFinding{{5, "illegal-transition", "b"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if s := limMeasure(v.Tracker); s.Marks > 2 {
		t.Errorf("%d marks, bound 2", s.Marks)
	}
}

// TestTakeShared: trackers that share MaxEntities (eventlog's shards, near
// the cap) count the others' entities with their own: an event meets the
// limit when both together reach it, as in one tracker that took every
// event; TakeShared returns the entities the tracker holds after it.
func TestTakeShared(t *testing.T) {
	tests := []struct {
		why    string
		others []int // for each event (sessions a, b, c ESTABLISHED)
		kinds  []string
		counts []int
	}{
		{"no others: the bound is the tracker's own", []int{0, 0, 0}, []string{"", "", ""}, []int{1, 2, 3}},
		{"others hold two of three: one more fits", []int{2, 2, 2}, []string{"", "entity-limit", "entity-limit"}, []int{1, 1, 1}},
		{"others hold all three: none fits", []int{3, 3, 3}, []string{"entity-limit", "entity-limit", "entity-limit"}, []int{0, 0, 0}},
		{"others free room on the way, then the tracker's own fill it", []int{2, 1, 1}, []string{"", "", "entity-limit"}, []int{1, 2, 2}},
	}
	for _, tt := range tests {
		tr := New(Options{MaxEntities: 3})
		var d feeder
		var kinds []string
		var counts []int
		for i, sid := range []string{"a", "b", "c"} {
			if err := d.dec.Decode([]byte(limConn(sid, "ESTABLISHED")), &d.ev); err != nil {
				t.Fatal(err)
			}
			fs, n := tr.TakeShared(&d.ev, uint64(i), tt.others[i])
			k := ""
			for _, f := range fs {
				k += f.Kind.String()
			}
			kinds, counts = append(kinds, k), append(counts, n)
		}
		if diff := cmp.Diff(tt.kinds, kinds); diff != "" {
			t.Errorf("%s: findings (-want +got):\n%s", tt.why, diff)
		}
		if diff := cmp.Diff(tt.counts, counts); diff != "" {
			t.Errorf("%s: entities held (-want +got):\n%s", tt.why, diff)
		}
		// Take, after: the others are not counted any more.
		if err := d.dec.Decode([]byte(limConn("d", "ESTABLISHED")), &d.ev); err != nil {
			t.Fatal(err)
		}
		if fs := tr.Take(&d.ev); (len(fs) > 0) != (counts[2] >= 3) {
			t.Errorf("%s: Take after TakeShared, holding %d: %v", tt.why, counts[2], fs)
		}
	}
}

// TestShareMarks: one of n trackers sharing MaxMarks keeps ⌈MaxMarks/n⌉
// marks, so that the n keep about MaxMarks in all; its Options still say
// MaxMarks; a tracker that holds marks already keeps its bound; Init
// gives the whole bound back.
func TestShareMarks(t *testing.T) {
	ended := func(n int) []string {
		var lines []string
		for i := range n {
			sid := "s" + strconv.Itoa(i)
			lines = append(lines, limConn(sid, "ESTABLISHED"), limConn(sid, "DISCONNECTED"))
		}
		return lines
	}
	tests := []struct {
		why       string
		max, n    int
		marksNow  int // sessions ended before ShareMarks
		wantMarks int
	}{
		{"a third of 10, rounded up", 10, 3, 0, 4},
		{"a half of 10", 10, 2, 0, 5},
		{"more shards than marks: one each", 2, 4, 0, 1},
		{"one tracker: the whole bound", 10, 1, 0, 10},
		{"marks held already: the bound stays", 10, 3, 1, 10},
	}
	for _, tt := range tests {
		v := &feeder{Tracker: New(Options{MaxMarks: tt.max})}
		limRead(t, v, false, ended(tt.marksNow)...)
		v.Tracker.ShareMarks(tt.n)
		limRead(t, v, false, ended(40)...)
		if got := limMeasure(v.Tracker).Marks; got != tt.wantMarks {
			t.Errorf("%s: %d marks kept, want %d", tt.why, got, tt.wantMarks)
		}
		if got := v.Tracker.Options().MaxMarks; got != tt.max {
			t.Errorf("%s: Options().MaxMarks %d, want %d", tt.why, got, tt.max)
		}
		v.Tracker.Init(v.Tracker.Options())
		limRead(t, v, false, ended(40)...)
		if got := limMeasure(v.Tracker).Marks; got != tt.max {
			t.Errorf("%s: after Init, %d marks kept, want %d", tt.why, got, tt.max)
		}
	}
}
