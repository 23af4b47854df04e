package report

import (
	"fmt"
	"testing"

	"github.com/wcsfsm/wcsfsm/tracker"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// feeder feeds a Recorder events of sessions, as a validator would.
type feeder struct {
	r    *Recorder
	line int
}

// ev feeds one event of session sid; bad makes it carry a finding.
func (f *feeder) ev(sid, event, status string, bad bool) {
	f.line++
	ev := wcs.Event{File: "x.jsonl", Line: f.line, Event: event, Status: status, SessionID: sid}
	if event == "StreamStatusEvent" {
		ev.MediaSessionID = "m-" + sid
	}
	var fs []tracker.Finding
	if bad {
		fs = []tracker.Finding{{File: "x.jsonl", Line: f.line, Kind: tracker.KindIllegalTransition, Event: event, Message: "bad"}}
	}
	f.r.Event(&ev, fs)
	for _, x := range fs {
		f.r.Finding(x)
	}
}

// session feeds a whole session: connected, n stream statuses (a finding
// on the one at bad, -1 for none), disconnected.
func (f *feeder) session(sid string, n, bad int) {
	f.ev(sid, "ConnectionStatusEvent", "ESTABLISHED", false)
	f.ev(sid, "StreamStatusEvent", "PUBLISHING", false)
	for i := range n {
		f.ev(sid, "StreamStatusEvent", "RESIZE", i == bad)
	}
	f.ev(sid, "StreamStatusEvent", "UNPUBLISHED", false)
	f.ev(sid, "ConnectionStatusEvent", "DISCONNECTED", false)
}

func TestBounds(t *testing.T) {
	for _, row := range []struct {
		why                 string
		opts                Options
		clean, bad          int // sessions without and with a finding
		events              int // RESIZE events of each
		timelines, leftOut  int
		listed, more        int
		maxHeld             int // sessions the recorder holds at the end
		keptOfFirst, gapsOf int // events and gaps on the first timeline
	}{
		{why: "sessions that end clean are dropped: memory follows those open", opts: Options{}, clean: 5000, events: 5,
			maxHeld: recentEnded},
		{why: "at most Timelines sessions with findings are drawn, the rest counted", opts: Options{Timelines: 5}, bad: 100, events: 3,
			timelines: 5, leftOut: 95, listed: 100, maxHeld: 5 + recentEnded, keptOfFirst: 7},
		{why: "Findings bounds the table, the rest is counted", opts: Options{Findings: 10}, bad: 30, events: 1,
			timelines: 30, listed: 10, more: 20, maxHeld: 30, keptOfFirst: 5},
		{why: "a timeline is a window around its findings, gaps for the rest", opts: Options{Window: 4}, bad: 1, events: 300,
			timelines: 1, listed: 1, maxHeld: 1, keptOfFirst: 9, gapsOf: 2},
		{why: "All draws clean sessions in the room left, after those with findings", opts: Options{All: true, Timelines: 3}, clean: 10, bad: 1,
			events: 2, timelines: 3, listed: 1, maxHeld: 3 + recentEnded, keptOfFirst: 6},
	} {
		t.Run(row.why, func(t *testing.T) {
			f := &feeder{r: NewRecorder(row.opts)}
			for i := range row.clean {
				f.session(fmt.Sprintf("c%d", i), row.events, -1)
			}
			for i := range row.bad {
				f.session(fmt.Sprintf("b%d", i), row.events, row.events/2)
			}
			if n := len(f.r.sessions); n > row.maxHeld {
				t.Errorf("%d sessions held, want at most %d", n, row.maxHeld)
			}
			p := f.r.Page(Input{})
			if len(p.Timelines) != row.timelines || p.LeftOut != int64(row.leftOut) {
				t.Errorf("%d timelines, %d left out; want %d and %d", len(p.Timelines), p.LeftOut, row.timelines, row.leftOut)
			}
			if len(p.Findings) != row.listed || p.MoreFindings != int64(row.more) {
				t.Errorf("%d findings listed, %d more; want %d and %d", len(p.Findings), p.MoreFindings, row.listed, row.more)
			}
			if len(p.Timelines) == 0 {
				return
			}
			tl := p.Timelines[0]
			gaps := 0
			for _, r := range tl.Rows {
				if r.Gap != "" {
					gaps++
				}
			}
			if len(tl.Boxes) != row.keptOfFirst || gaps != row.gapsOf {
				t.Errorf("first timeline (%s): %d boxes, %d gaps; want %d and %d", tl.Session, len(tl.Boxes), gaps, row.keptOfFirst, row.gapsOf)
			}
			if row.bad > 0 && tl.Findings == 0 {
				t.Errorf("first timeline (%s) has no finding: sessions with findings come first", tl.Session)
			}
		})
	}
}
