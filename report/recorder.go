package report

import (
	"strings"
	"sync"

	"github.com/wcsfsm/wcsfsm/fsm"
	"github.com/wcsfsm/wcsfsm/tracker"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// Defaults of Options.
const (
	DefaultTimelines = 50   // timelines on a page
	DefaultWindow    = 12   // events of context before and after a finding
	DefaultFindings  = 5000 // findings listed in the table
	// Per timeline: the events kept and the findings placed; past them a
	// session's further findings are listed, not placed.
	maxKept   = 600
	maxPlaced = 100
	// The lanes of one session; past it, events of further entities share
	// one lane ("other entities"): a log without sessionIds (-partial) is
	// one pseudo-session of every entity.
	maxLanes = 64
	// Ended sessions without a finding still held, so that a late event
	// (a no-session error just after the end) is placed with what came
	// before it.
	recentEnded = 256
	// The longest status or hook name kept as a box's label (a log's own
	// strings, for an unknown status or event).
	maxLabel = 40
)

// Options bound a Recorder and so the page: its size follows them, not
// the log.
type Options struct {
	// Timelines is the most sessions drawn (0: DefaultTimelines): those with
	// findings first, in the order of their first finding; the page says
	// how many were left out.
	Timelines int
	// All draws sessions without findings too, in the room the sessions
	// with findings leave.
	All bool
	// Window is the number of a session's events kept before and after
	// each of its findings (0: DefaultWindow); the rest are a gap.
	Window int
	// Findings is the most findings listed in the table (0:
	// DefaultFindings); the summary counts them all.
	Findings int
	// Tail takes an entity's first status as it comes, as the tracker's
	// Options.Tail does, for the states of the lanes.
	Tail bool
}

func (o Options) withDefaults() Options {
	if o.Timelines <= 0 {
		o.Timelines = DefaultTimelines
	}
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	if o.Findings <= 0 {
		o.Findings = DefaultFindings
	}
	return o
}

// A Recorder follows a log's sessions as a validator reads it, and keeps
// what a page shows: each open session's last events (a ring of
// Options.Window), the events around the findings of the sessions drawn,
// and the first Options.Findings findings. Its memory follows the sessions
// open at once and the sessions drawn, not the length of the log.
//
// Feed it every event taken with Event, then every finding, in the order
// reported (those of the event included), with Finding; Page makes the
// page of what it has seen so far. It is safe for concurrent use.
type Recorder struct {
	mu       sync.Mutex
	opts     Options
	seq      int64
	sessions map[string]*session
	recent   []*session // ended, drawn by no timeline: dropped oldest first
	drawn    int        // sessions with findings that have a timeline
	clean    []*session // sessions without findings that have one (All)
	left     int64      // sessions with findings left without one
	files    []string
	fileIdx  map[string]int32
	keybuf   []byte
	pend     pending
	rows     []row
	more     int64 // findings not listed
	byKind   [tracker.NumKinds]int64
	index    map[string]*session // entity -> session, for dangling findings (built at the first)
}

// pending links the findings of the event just observed to its session.
type pending struct {
	file string
	line int
	n    int // findings still to come
	sess *session
	pi   int // the next of them in sess.placed (-1: not placed)
}

// row is one finding of the table.
type row struct {
	f       tracker.Finding
	session string   // the sessionId, "" for none
	sess    *session // its timeline's session, when it had one then
	pi      int      // its mark there, in sess.placed (-1: none)
}

type session struct {
	key       string // node "\x00" sessionId
	node, sid string
	lanes     map[string]*lane
	order     []*lane
	other     *lane // past maxLanes
	conn      *lane
	nonFinal  int
	ring      []event
	rstart    int
	kept      []event
	after     int // events still to keep after the last finding
	n         int64
	findings  int64
	placed    []placed
	unplaced  int64
	drawn     bool // has a timeline
	isClean   bool // drawn without a finding (All)
	left      bool // has findings, and no timeline
	ended     bool
	firstSeq  int64
	findSeq   int64 // seq of the first finding
}

type lane struct {
	fam      wcs.Family // wcs.NumFamilies: no family (an unknown hook, other entities)
	id       string
	state    fsm.Symbol
	seen     bool
	last     event // its last event, where a dangling finding points
	hasLast  bool
	position int
}

// event is one box of a timeline.
type event struct {
	seq  int64 // in the log, from 1
	n    int64 // in its session, from 1
	file int32
	line int
	lane *lane
	text string
	kind wcs.MethodKind
	hook bool // a hook that names no family (an unknown one)
}

// placed is a finding on a timeline, at the event it names.
type placed struct {
	seq  int64
	lane *lane
	kind tracker.Kind
	msg  string
	row  int // in Recorder.rows, -1 for none
}

// NewRecorder returns a recorder bounded by opts.
func NewRecorder(opts Options) *Recorder {
	return &Recorder{opts: opts.withDefaults(), sessions: map[string]*session{}, fileIdx: map[string]int32{}}
}

// Hook is Event, then Finding for each of fs: for a receiver that sees each
// hook and its findings together (wcsfsm serve).
func (r *Recorder) Hook(ev *wcs.Event, fs []tracker.Finding) {
	if ev != nil {
		r.Event(ev, fs)
	}
	for _, f := range fs {
		r.Finding(f)
	}
}

// Event records one event taken and its findings (nil for none), in the
// order taken; the findings are placed on its session's timeline, and
// listed when Finding gets them.
func (r *Recorder) Event(ev *wcs.Event, fs []tracker.Finding) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	r.index = nil
	r.pend = pending{}
	meth, known := wcs.LookupMethod(ev.Event)
	if known && meth.Kind == wcs.MethodKindOther && len(fs) == 0 {
		return // counted, not checked: no box
	}
	s := r.session(ev.NodeID, ev.SessionID)
	s.n++
	e := event{seq: r.seq, n: s.n, file: r.file(ev.File), line: ev.Line}
	fam := wcs.Family(wcs.NumFamilies)
	if known && meth.HasFamily {
		fam = meth.Family
	}
	e.kind = meth.Kind
	var l *lane
	if fam < wcs.NumFamilies {
		l = s.lane(fam, ev.Get(fam.Key()))
		m := fam.Machine()
		st, ok := fsm.Symbol(0), false
		switch meth.Kind {
		case wcs.MethodKindStatus:
			st, ok = wcs.ParseStatus(fam, ev.Status)
			if ok {
				e.text = m.String(st)
			} else {
				e.text = label(ev.Status)
			}
		case wcs.MethodKindInvocation:
			st, ok, e.text = meth.Status, true, meth.Name
		default:
			e.text = meth.Name
		}
		if ok && l.fam == fam {
			s.step(l, st, r.opts.Tail)
		}
	} else {
		l = s.lane(wcs.NumFamilies, "")
		e.text, e.hook = label(ev.Event), true
		if ev.Event == "" {
			e.text = "(no event)"
		}
	}
	e.lane = l
	l.last, l.hasLast = e, true
	if len(fs) > 0 {
		r.found(s, int64(len(fs)))
		r.pend = pending{file: ev.File, line: ev.Line, n: len(fs), sess: s, pi: -1}
		if s.drawn {
			r.flush(s)
			s.keep(e)
			s.after = r.opts.Window
			for _, f := range fs {
				if len(s.placed) < maxPlaced {
					if r.pend.pi < 0 {
						r.pend.pi = len(s.placed)
					}
					s.placed = append(s.placed, placed{seq: e.seq, lane: l, kind: f.Kind, msg: f.Message, row: -1})
				} else {
					s.unplaced++
				}
			}
		}
	} else if s.drawn && (s.after > 0 || s.isClean && len(s.kept) < r.opts.Window) {
		s.keep(e)
		s.after--
	} else {
		s.push(e, r.opts.Window)
	}
	if s.conn != nil && s.nonFinal == 0 && wcs.FamilyConnection.Machine().Terminal(s.conn.state) {
		r.end(s)
	}
}

// Finding records one finding, in the order reported: every finding, the
// ones Event placed included, for the table; a dangling one is placed at its
// entity's last event.
func (r *Recorder) Finding(f tracker.Finding) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.byKind[f.Kind]++
	var s *session
	pi := -1
	if p := &r.pend; p.n > 0 && p.file == f.File && p.line == f.Line {
		s, p.n = p.sess, p.n-1
		if p.pi >= 0 && p.pi < len(s.placed) {
			pi = p.pi
			p.pi++
		}
	} else if f.Kind == tracker.KindDangling {
		s, pi = r.dangling(f)
	}
	if len(r.rows) >= r.opts.Findings {
		r.more++
		return
	}
	rw := row{f: f, pi: -1}
	rw.f.Allowed = nil // not shown
	if s != nil {
		rw.session = s.sid
		if pi >= 0 {
			s.placed[pi].row = len(r.rows)
			rw.sess, rw.pi = s, pi
		}
	}
	r.rows = append(r.rows, rw)
}

// dangling places a dangling finding at its entity's last event, and
// returns its session and the index of the mark (-1 for none).
func (r *Recorder) dangling(f tracker.Finding) (*session, int) {
	fam, ok := wcs.FamilyOf(f.Event)
	if !ok {
		return nil, -1
	}
	if r.index == nil {
		r.index = map[string]*session{}
		for _, s := range r.sessions {
			for _, l := range s.order {
				r.index[entityKey(s.node, l.fam, l.id)] = s
			}
		}
	}
	s := r.index[entityKey(f.Node, fam, f.Entity)]
	if s == nil {
		return nil, -1
	}
	l := s.lanes[laneKey(fam, f.Entity)]
	if l == nil || !l.hasLast {
		return s, -1
	}
	r.found(s, 1)
	if !s.drawn {
		return s, -1
	}
	r.flush(s)
	s.insert(l.last)
	if len(s.placed) >= maxPlaced {
		s.unplaced++
		return s, -1
	}
	s.placed = append(s.placed, placed{seq: l.last.seq, lane: l, kind: f.Kind, msg: f.Message, row: -1})
	return s, len(s.placed) - 1
}

// found counts a finding of s and gives it a timeline if there is room:
// sessions with findings come before those drawn clean (All), which give
// way.
func (r *Recorder) found(s *session, n int64) {
	s.findings += n
	if s.findings == n {
		s.findSeq = r.seq
	}
	if s.drawn && !s.isClean || s.left {
		return
	}
	if s.isClean {
		s.isClean = false
		r.dropClean(s)
		r.drawn++
		return
	}
	if r.drawn+len(r.clean) >= r.opts.Timelines && len(r.clean) > 0 && r.drawn < r.opts.Timelines {
		c := r.clean[len(r.clean)-1]
		r.dropClean(c)
		c.drawn, c.isClean, c.kept = false, false, nil
		if c.ended {
			delete(r.sessions, c.key)
		}
	}
	if r.drawn+len(r.clean) >= r.opts.Timelines {
		s.left = true
		r.left++
		return
	}
	s.drawn = true
	r.drawn++
}

func (r *Recorder) dropClean(s *session) {
	for i, c := range r.clean {
		if c == s {
			r.clean = append(r.clean[:i], r.clean[i+1:]...)
			return
		}
	}
}

// end is a session that ended clean: its connection is over and none of its
// entities is open. One drawn stays (a late event goes on it); one drawn by
// no timeline gets one under All if there is room, or is held among the
// recent ones, then dropped.
func (r *Recorder) end(s *session) {
	if s.ended {
		return
	}
	s.ended = true
	if s.drawn {
		return
	}
	if r.opts.All && s.findings == 0 && r.drawn+len(r.clean) < r.opts.Timelines {
		s.drawn, s.isClean = true, true
		r.flush(s)
		r.clean = append(r.clean, s)
		return
	}
	r.recent = append(r.recent, s)
	if len(r.recent) > recentEnded {
		old := r.recent[0]
		r.recent[0] = nil
		r.recent = r.recent[1:]
		if old.ended && !old.drawn && r.sessions[old.key] == old {
			delete(r.sessions, old.key)
		}
	}
}

// flush moves the ring of s, the events before the one at hand, into its
// kept events.
func (r *Recorder) flush(s *session) {
	n := len(s.ring)
	for i := range n {
		e := s.ring[(s.rstart+i)%n]
		if len(s.kept) == 0 || s.kept[len(s.kept)-1].seq < e.seq {
			s.keep(e)
		}
	}
	s.ring, s.rstart = s.ring[:0], 0
}

// session returns the session of node and sid, new or revived.
func (r *Recorder) session(node, sid string) *session {
	k := append(append(append(r.keybuf[:0], node...), 0), sid...)
	r.keybuf = k
	if s := r.sessions[string(k)]; s != nil {
		s.ended = false // a late event: it may end again
		return s
	}
	s := &session{key: string(k), lanes: map[string]*lane{}, firstSeq: r.seq}
	s.node, s.sid = s.key[:len(node)], s.key[len(node)+1:]
	r.sessions[s.key] = s
	return s
}

func (r *Recorder) file(name string) int32 {
	if n := len(r.files); n > 0 && r.files[n-1] == name {
		return int32(n - 1)
	}
	if i, ok := r.fileIdx[name]; ok {
		return i
	}
	name = strings.Clone(name)
	r.fileIdx[name] = int32(len(r.files))
	r.files = append(r.files, name)
	return int32(len(r.files) - 1)
}

// lane returns the lane of the entity of fam keyed id in s.
func (s *session) lane(fam wcs.Family, id string) *lane {
	var buf [64]byte
	k := append(append(buf[:0], byte(fam)), id...)
	if l := s.lanes[string(k)]; l != nil {
		return l
	}
	if len(s.order) >= maxLanes {
		if s.other == nil {
			s.other = &lane{fam: wcs.NumFamilies, id: "other entities", position: len(s.order)}
		}
		return s.other
	}
	l := &lane{fam: fam, id: strings.Clone(id), position: len(s.order)}
	if fam < wcs.NumFamilies {
		m := fam.Machine()
		l.state = m.Initial()
		if !m.Final(l.state) {
			s.nonFinal++
		}
	}
	s.lanes[string(k)] = l
	s.order = append(s.order, l)
	if fam == wcs.FamilyConnection && id == s.sid && s.conn == nil {
		s.conn = l
	}
	return l
}

// step moves l's machine with status st, as the tracker moves the
// entity's (the rules across families aside), counting the lanes open.
func (s *session) step(l *lane, st fsm.Symbol, tail bool) {
	m := l.fam.Machine()
	wasFinal := m.Final(l.state)
	to, ok := m.Next(l.state, st)
	if !ok && tail && !l.seen && m.IsState(st) {
		to, ok = st, true
	}
	l.seen = true
	if ok {
		l.state = to
	}
	if isFinal := m.Final(l.state); isFinal != wasFinal {
		if isFinal {
			s.nonFinal--
		} else {
			s.nonFinal++
		}
	}
}

// keep appends e to the events of s's timeline, up to maxKept.
func (s *session) keep(e event) {
	if len(s.kept) < maxKept {
		s.kept = append(s.kept, e)
	}
}

// insert puts e among the kept events, in order, unless it is there.
func (s *session) insert(e event) {
	i := len(s.kept)
	for i > 0 && s.kept[i-1].seq > e.seq {
		i--
	}
	if i > 0 && s.kept[i-1].seq == e.seq || len(s.kept) >= maxKept {
		return
	}
	s.kept = append(s.kept, event{})
	copy(s.kept[i+1:], s.kept[i:])
	s.kept[i] = e
}

// push puts e in the ring of the last w events of s.
func (s *session) push(e event, w int) {
	if len(s.ring) < w {
		s.ring = append(s.ring, e)
		return
	}
	s.ring[s.rstart] = e
	s.rstart = (s.rstart + 1) % w
}

func laneKey(fam wcs.Family, id string) string { return string([]byte{byte(fam)}) + id }

func entityKey(node string, fam wcs.Family, id string) string {
	return node + "\x00" + laneKey(fam, id)
}

// label is a string of the log made a box's label: cloned, and cut.
func label(s string) string {
	if len(s) > maxLabel {
		s = strings.ToValidUTF8(s[:maxLabel], "") + "…"
	}
	return strings.Clone(s)
}
