package report

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/wcsfsm/wcsfsm/tracker"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// Input is what the page says besides what the Recorder kept: the log read
// and the validator's counts.
type Input struct {
	Title    string   // the page's title; "" names the files
	Files    []string // the files read, in order
	Lines    int64    // lines read
	Stats    tracker.Stats
	Coverage tracker.Coverage
	// Open says that the log has not ended (wcsfsm serve): nothing is
	// dangling yet.
	Open bool
}

// Page is the model of a report page: what the template draws, every
// position computed, deterministic for a log.
type Page struct {
	Title        string
	Open         bool
	Summary      Summary
	Findings     []Row
	MoreFindings int64 // findings not listed (Options.Findings)
	Kinds        []string
	Families     []string
	Sessions     []string
	Timelines    []Timeline
	WithFindings int64 // sessions with findings, drawn or not
	LeftOut      int64 // sessions with findings without a timeline
	MaxTimelines int
	All          bool
	Machines     []Machine
}

// Summary counts the log.
type Summary struct {
	Files    []string
	Lines    int64
	Hooks    int64
	ByHook   []Count // status events, invocations, commands, other, unknown
	Entities int64
	Errors   int64
	Warnings int64
	ByKind   []Count // findings by kind, with their severity
}

// Count is one number of the summary.
type Count struct {
	Name     string
	Severity string // of a kind of finding
	N        int64
}

// Row is one finding of the table.
type Row struct {
	N        int
	Where    string // FILE:LINE
	Line     int
	Severity string
	Kind     string
	Family   string
	Entity   string
	Session  string
	Message  string
	Anchor   string // its mark on a timeline, "" for none
}

// Timeline is one session drawn: lanes across, events down.
type Timeline struct {
	ID       string
	Session  string
	Node     string
	Findings int64
	Unplaced int64 // findings of the session not placed (maxPlaced, maxKept)
	Clean    bool
	Ended    bool
	Width    int
	Height   int
	Lanes    []LaneView
	Rows     []RowView
	Boxes    []Box
	Marks    []Mark
}

// LaneView is one entity's lane.
type LaneView struct {
	X, Y1, Y2 int // the lane's centre line
	Label     string
	Sub       string // its id, shortened
	Title     string
}

// RowView is one row of a timeline: an event's line, or a gap.
type RowView struct {
	Y    int
	Line string // the event's line ("" for a gap)
	Gap  string // what the gap leaves out
	File string
}

// Box is one event on its lane.
type Box struct {
	X, Y, W, H int
	Line       int
	Lane       string
	Text       string
	Title      string
	Class      string
}

// Mark is one finding on a timeline: a badge on its box, a line to its
// message.
type Mark struct {
	ID           string
	N            int
	X, Y         int // the badge
	LX1, LX2, LY int // the leader from the box to the message
	TX, TY       int // the message
	Line         int
	Lane         string
	Kind         string
	Severity     string
	Text         []MsgLine // the message, wrapped
	Title        string
}

// MsgLine is one line of a message on a timeline.
type MsgLine struct {
	Y    int
	Text string
}

// Geometry of a timeline, in pixels.
const (
	gutter  = 92
	laneW   = 112
	boxW    = 100
	boxH    = 18
	rowH    = 24
	headerH = 44
	charW   = 6.6 // of the messages' font, roughly
	maxMsg  = 300 // characters of a message on a timeline (its title has all)
	wrapAt  = 72  // characters of a line of it
	msgLine = 14  // pixels a line of it takes past its first
	maxBox  = 15  // characters of a box's label
)

// Page returns the page of what r has seen so far. It does not change r:
// a page can be made while the log goes on (wcsfsm serve).
func (r *Recorder) Page(in Input) *Page {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := &Page{Title: in.Title, Open: in.Open, MaxTimelines: r.opts.Timelines, All: r.opts.All, MoreFindings: r.more, LeftOut: r.left}
	if p.Title == "" {
		p.Title = "wcsfsm report: " + strings.Join(in.Files, " ")
	}
	p.Summary = summarize(in)
	p.Machines = machines(in.Coverage, in.Stats)

	// The timelines: sessions with findings, by their first; then those
	// drawn clean, by their start; under All, open ones while there is room.
	var drawn, clean []*session
	for _, s := range r.sessions {
		switch {
		case s.drawn && !s.isClean:
			drawn = append(drawn, s)
		case s.drawn:
			clean = append(clean, s)
		}
	}
	sort.Slice(drawn, func(i, j int) bool { return drawn[i].findSeq < drawn[j].findSeq })
	if r.opts.All {
		var open []*session
		for _, s := range r.sessions {
			if !s.drawn && s.findings == 0 {
				open = append(open, s)
			}
		}
		sort.Slice(open, func(i, j int) bool { return open[i].firstSeq < open[j].firstSeq })
		clean = append(clean, open...)
		sort.Slice(clean, func(i, j int) bool { return clean[i].firstSeq < clean[j].firstSeq })
		if room := r.opts.Timelines - len(drawn); len(clean) > room {
			clean = clean[:max(room, 0)]
		}
	}
	p.WithFindings = int64(len(drawn)) + r.left
	ids := map[*session]string{}
	for i, s := range append(drawn, clean...) {
		id := "t" + strconv.Itoa(i+1)
		ids[s] = id
		p.Timelines = append(p.Timelines, r.timeline(s, id))
	}

	kinds, fams, sessions := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i, rw := range r.rows {
		f := rw.f
		where := f.File + ":" + strconv.Itoa(f.Line)
		line := f.Line
		if f.Kind == tracker.KindDangling {
			where = f.File + ":end (last " + strconv.Itoa(f.Last) + ")"
			line = f.Last
		}
		row := Row{N: i + 1, Where: where, Line: line, Severity: f.Severity.String(), Kind: f.Kind.String(), Family: f.Event,
			Entity: f.Entity, Session: rw.session, Message: f.Message}
		if id, ok := ids[rw.sess]; ok && rw.pi >= 0 {
			row.Anchor = id + "-f" + strconv.Itoa(rw.pi+1)
		}
		p.Findings = append(p.Findings, row)
		kinds[row.Kind], fams[row.Family], sessions[row.Session] = true, true, true
	}
	p.Kinds, p.Families, p.Sessions = sorted(kinds), sorted(fams), sorted(sessions)
	return p
}

func sorted(set map[string]bool) []string {
	var out []string
	for k := range set {
		if k != "" {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func summarize(in Input) Summary {
	st := in.Stats
	s := Summary{Files: in.Files, Lines: in.Lines, Hooks: st.Events, Entities: st.Entities, Errors: st.Errors(), Warnings: st.Warnings()}
	for k, name := range []string{wcs.MethodKindStatus: "status events", wcs.MethodKindInvocation: "invocations",
		wcs.MethodKindCommand: "commands", wcs.MethodKindOther: "other hooks"} {
		s.ByHook = append(s.ByHook, Count{Name: name, N: st.Hooks(wcs.MethodKind(k))})
	}
	if n := st.Unknown(); n > 0 {
		s.ByHook = append(s.ByHook, Count{Name: "unknown", N: n})
	}
	for k := tracker.Kind(0); k < tracker.NumKinds; k++ {
		if n := st.Findings[k]; n > 0 {
			s.ByKind = append(s.ByKind, Count{Name: k.String(), Severity: k.Severity().String(), N: n})
		}
	}
	return s
}

// timeline lays out the kept events of s: one row an event, in order, a
// gap row where events were left out, a mark and its message where a
// finding is.
func (r *Recorder) timeline(s *session, id string) Timeline {
	t := Timeline{ID: id, Session: s.sid, Node: s.node, Findings: s.findings, Unplaced: s.unplaced, Clean: s.findings == 0, Ended: s.ended}
	if t.Session == "" {
		t.Session = "(no sessionId)"
	}
	evs := append([]event(nil), s.kept...)
	if s.findings == 0 {
		// Drawn clean: the head kept, then the last events of the ring.
		n := len(s.ring)
		for i := range n {
			if e := s.ring[(s.rstart+i)%n]; len(evs) == 0 || evs[len(evs)-1].seq < e.seq {
				evs = append(evs, e)
			}
		}
	}
	// The lanes of the events shown, in the order they started.
	var lanes []*lane
	seen := map[*lane]bool{}
	for _, e := range evs {
		if !seen[e.lane] {
			seen[e.lane] = true
			lanes = append(lanes, e.lane)
		}
	}
	sort.SliceStable(lanes, func(i, j int) bool { return lanes[i].position < lanes[j].position })
	laneX := map[*lane]int{}
	for i, l := range lanes {
		laneX[l] = gutter + i*laneW
	}
	marks := map[int64][]int{} // seq -> indexes in s.placed
	for i, pl := range s.placed {
		marks[pl.seq] = append(marks[pl.seq], i)
	}
	msgX := gutter + len(lanes)*laneW + 36
	y := headerH
	gap := func(n int64, what string) {
		if n <= 0 {
			return
		}
		t.Rows = append(t.Rows, RowView{Y: y, Gap: plural(n, what)})
		y += rowH
	}
	longest := 0
	var prev int64
	for _, e := range evs {
		if prev == 0 {
			gap(e.n-1, "earlier event")
		} else {
			gap(e.n-prev-1, "event")
		}
		prev = e.n
		file := ""
		if int(e.file) < len(r.files) {
			file = r.files[e.file]
		}
		t.Rows = append(t.Rows, RowView{Y: y, Line: strconv.Itoa(e.line), File: file})
		x := laneX[e.lane]
		b := Box{X: x + (laneW-boxW)/2, Y: y + (rowH-boxH)/2, W: boxW, H: boxH, Line: e.line, Lane: laneLabel(e.lane), Text: short(e.text, maxBox),
			Title: fmt.Sprintf("line %d of %s: %s", e.line, file, e.text), Class: "box " + kindClass(e)}
		pls := marks[e.seq]
		sev := ""
		for k, pi := range pls {
			pl := s.placed[pi]
			if pl.lane != e.lane {
				continue
			}
			if k > 0 {
				y += rowH // one row a message
				t.Rows = append(t.Rows, RowView{Y: y})
			}
			sv := pl.kind.Severity().String()
			if sev == "" || sv == "error" {
				sev = sv
			}
			text := pl.kind.String() + ": " + pl.msg
			m := Mark{ID: id + "-f" + strconv.Itoa(pi+1), N: pi + 1, X: b.X + b.W, Y: b.Y, LX1: b.X + b.W + 8, LX2: msgX - 4,
				LY: y + rowH/2, TX: msgX, TY: y + rowH/2 + 4, Line: e.line, Lane: b.Lane, Kind: pl.kind.String(), Severity: sv,
				Title: text}
			if k > 0 {
				// Under the first: its badge where its leader starts.
				m.X, m.Y = laneX[e.lane]+laneW/2, m.LY
				m.LX1 = m.X + 8
			}
			for j, l := range wrap(short(text, maxMsg), wrapAt) {
				if j > 0 {
					y += msgLine
				}
				longest = max(longest, len([]rune(l)))
				m.Text = append(m.Text, MsgLine{Y: m.TY + j*msgLine, Text: l})
			}
			t.Marks = append(t.Marks, m)
		}
		if sev != "" {
			b.Class += " finding " + sev
		}
		t.Boxes = append(t.Boxes, b)
		y += rowH
	}
	if prev > 0 {
		gap(s.n-prev, "later event")
	}
	for _, l := range lanes {
		t.Lanes = append(t.Lanes, LaneView{X: laneX[l] + laneW/2, Y1: headerH - 6, Y2: y, Label: laneName(l), Sub: short(laneSub(l, s), 18),
			Title: laneLabel(l)})
	}
	t.Height = y + 8
	t.Width = msgX + 20
	if longest > 0 {
		t.Width += int(float64(longest) * charW)
	}
	return t
}

func kindClass(e event) string {
	switch {
	case e.hook:
		return "unknown"
	case e.kind == wcs.MethodKindInvocation:
		return "invocation"
	case e.kind == wcs.MethodKindCommand:
		return "command"
	}
	return "status"
}

// famNames names the families on the lanes.
var famNames = [wcs.NumFamilies]string{
	wcs.FamilyConnection: "connection", wcs.FamilyRegistration: "registration", wcs.FamilyCall: "call",
	wcs.FamilyTransfer: "transfer", wcs.FamilyStream: "stream", wcs.FamilyKeepAlive: "keep-alive",
	wcs.FamilyDebug: "debug", wcs.FamilyData: "data",
}

func laneName(l *lane) string {
	if l.fam >= wcs.NumFamilies {
		if l.id == "" {
			return "unknown hooks"
		}
		return l.id
	}
	return famNames[l.fam]
}

// laneSub is the lane's id under its name: none for the session's own
// entities (connection, registration, debug), keyed by the sessionId.
func laneSub(l *lane, s *session) string {
	if l.fam >= wcs.NumFamilies || l.fam.Key() == wcs.FieldSessionID && l.id == s.sid {
		return ""
	}
	if l.id == "" {
		return "(no " + l.fam.Key().String() + ")"
	}
	return l.id
}

func laneLabel(l *lane) string {
	if l.fam >= wcs.NumFamilies {
		return laneName(l)
	}
	return l.fam.String() + " " + l.id
}

// short cuts s to n characters, with an ellipsis.
func short(s string, n int) string {
	if len(s) <= n {
		return s
	}
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n-1]) + "…"
}

func plural(n int64, word string) string {
	s := strconv.FormatInt(n, 10) + " " + word
	if n != 1 {
		s += "s"
	}
	return "⋯ " + s + " of this session not shown"
}

// wrap cuts s into lines of at most n characters, at spaces where it can.
func wrap(s string, n int) []string {
	var out []string
	rs := []rune(s)
	for len(rs) > n {
		cut := n
		for i := n; i > n/2; i-- {
			if rs[i] == ' ' {
				cut = i
				break
			}
		}
		out = append(out, strings.TrimSpace(string(rs[:cut])))
		rs = []rune(strings.TrimLeft(string(rs[cut:]), " "))
	}
	return append(out, string(rs))
}
