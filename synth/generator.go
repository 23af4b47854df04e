package synth

import (
	"github.com/wcsfsm/wcsfsm/call"
	"github.com/wcsfsm/wcsfsm/connection"
	"github.com/wcsfsm/wcsfsm/fsm"
	"github.com/wcsfsm/wcsfsm/stream"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// allowedLists caches Machine.Allowed, which copies, per family and state,
// less the statuses that only an invocation hook delivers (a status event
// never carries them).
var allowedLists = func() (out [wcs.NumFamilies][][]fsm.Symbol) {
	for _, f := range wcs.Families() {
		m := f.Machine()
		out[f] = make([][]fsm.Symbol, m.Len())
		for s := range out[f] {
			for _, st := range m.Allowed(fsm.Symbol(s)) {
				if wcs.StatusEventCarries(f, st) {
					out[f][s] = append(out[f][s], st)
				}
			}
		}
	}
	return
}()

// allowed returns the statuses a status event of f may carry in state s,
// without copying.
func allowed(f wcs.Family, s fsm.Symbol) []fsm.Symbol { return allowedLists[f][s] }

// A Generator generates a log one event at a time. Get one from [New].
type Generator struct {
	src      Source
	o        Options
	slots    []*session
	occupied int // slots with a session
	emitted  int
	debt     int // entities not in a final state: the events it takes at least to close them all
	sessions int // sessions started
	entities int // entities made
	targets  []*entity
	cands    []fsm.Symbol
	keybuf   []byte
}

type entity struct {
	fam    wcs.Family
	m      *fsm.Machine[fsm.Symbol]
	key    string
	no     int
	state  fsm.Symbol
	seen   bool // has had an event
	late   bool // took its one optional move while its session was ending
	pub    bool // streams and keep-alives
	parent *entity
	sess   *session
}

type session struct {
	no        int
	id        string
	conn      *entity
	ents      []*entity // the session's entities that may still move, the connection aside
	life      int
	ending    bool
	dropFirst bool // end with the connection's last status first, then close the rest
	// effect is the entity a command was just sent for: its next event
	// is the status the command asked for, effectSt (effectLate: a
	// closing move, as end makes them).
	effect     *entity
	effectSt   fsm.Symbol
	effectLate bool
}

// New returns a generator of a log shaped by o, drawing from src.
func New(src Source, o Options) *Generator {
	o = o.withDefaults()
	return &Generator{src: src, o: o, slots: make([]*session, o.Sessions)}
}

// Options returns the options in force, defaults filled in.
func (g *Generator) Options() Options { return g.o }

// Next returns the next event, or false after the last one.
func (g *Generator) Next() (Event, bool) {
	if g.emitted >= g.o.Events {
		return Event{}, false
	}
	for {
		i := g.src.Intn(len(g.slots))
		if g.slots[i] == nil {
			if ev, ok := g.open(i); ok {
				return ev, true
			}
			// No budget for a new session: an open one goes on (there is
			// one: the budget is short only while something is open).
			i = g.nthOccupied(g.src.Intn(g.occupied))
		}
		s := g.slots[i]
		if g.done(s) {
			// Its last optional moves no longer fit the budget.
			g.free(i)
			continue
		}
		ev := g.step(s)
		if g.done(s) {
			g.free(i)
		}
		return ev, true
	}
}

func (g *Generator) nthOccupied(k int) int {
	for i, s := range g.slots {
		if s != nil {
			if k == 0 {
				return i
			}
			k--
		}
	}
	panic("synth: no session open")
}

func (g *Generator) free(i int) {
	g.slots[i] = nil
	g.occupied--
}

// remaining is the number of events still to generate, this one included.
func (g *Generator) remaining() int { return g.o.Events - g.emitted }

// affordable reports whether moving e from its state to `to` leaves enough
// events to close everything after this one. An entity not seen yet owes
// nothing.
func (g *Generator) affordable(e *entity, to fsm.Symbol) bool { return g.affordableAfter(e, to, 0) }

// affordableAfter is affordable, with extra events (a command) before the
// move.
func (g *Generator) affordableAfter(e *entity, to fsm.Symbol, extra int) bool {
	d := g.debt + extra
	if e.seen && !e.m.Final(e.state) {
		d--
	}
	if !e.m.Final(to) {
		d++
	}
	return d <= g.remaining()-1
}

func (g *Generator) newEntity(fam wcs.Family, key string, s *session, parent *entity) *entity {
	m := fam.Machine()
	e := &entity{fam: fam, m: m, key: key, no: g.entities, state: m.Initial(), parent: parent, sess: s}
	g.entities++
	return e
}

// open starts a session in slot i, if the budget allows: most times with
// the connect hook (PENDING, which the connection's next status answers),
// else with a status drawn from those allowed in NEW (ESTABLISHED, or
// FAILED for a connection that never came up).
func (g *Generator) open(i int) (Event, bool) {
	no := g.sessions
	g.keybuf = appendSessionID(g.keybuf[:0], no)
	s := &session{no: no, id: string(g.keybuf)}
	s.conn = g.newEntity(wcs.FamilyConnection, s.id, s, nil)
	g.cands = g.cands[:0]
	for _, st := range allowed(s.conn.fam, s.conn.state) {
		if to, _ := s.conn.m.Next(s.conn.state, st); g.affordable(s.conn, to) {
			g.cands = append(g.cands, st)
		}
	}
	if len(g.cands) == 0 {
		g.entities-- // the number is not spent
		return Event{}, false
	}
	g.sessions++
	ev := g.first(s, s.conn, g.cands, 4)
	if s.conn.m.Terminal(s.conn.state) {
		return ev, true // a connection that failed: the session is over
	}
	s.life = 1 + g.src.Intn(g.o.Life)
	s.ents = append(s.ents,
		g.newEntity(wcs.FamilyRegistration, s.id, s, nil),
		g.newEntity(wcs.FamilyDebug, s.id, s, nil))
	g.slots[i] = s
	g.occupied++
	return ev, true
}

// pick draws one of cands (statuses of e's machine, allowed in its state).
// Where some lead to a terminal state and some do not, it goes on more
// often than it ends (one time in six), so that entities live a while.
func (g *Generator) pick(e *entity, cands []fsm.Symbol) fsm.Symbol {
	ends, goesOn := 0, 0
	for _, st := range cands {
		if to, _ := e.m.Next(e.state, st); e.m.Terminal(to) {
			ends++
		} else {
			goesOn++
		}
	}
	wantEnd := ends > 0 && (goesOn == 0 || g.src.Intn(6) == 0)
	n := goesOn
	if wantEnd {
		n = ends
	}
	k := g.src.Intn(n)
	for _, st := range cands {
		to, _ := e.m.Next(e.state, st)
		if e.m.Terminal(to) == wantEnd {
			if k == 0 {
				return st
			}
			k--
		}
	}
	panic("synth: pick: no candidate")
}

// legal reports whether status st, which e's machine allows in its state,
// also keeps the rules across families (3, 4 and 5; rules 1 and 2 are kept
// by the order of the moves).
func legal(e *entity, st fsm.Symbol) bool {
	switch e.fam {
	case wcs.FamilyStream:
		switch wcs.Direction(e.fam, st) {
		case wcs.BoolTrue:
			return e.pub
		case wcs.BoolFalse:
			return !e.pub
		}
	case wcs.FamilyKeepAlive:
		need, ok := wcs.KeepAliveNeeds(st)
		return ok && e.parent.state == need
	case wcs.FamilyTransfer:
		return !wcs.TransferAttempt(e.state, st) || wcs.CallLive(e.parent.state)
	}
	return true
}

// candidates fills g.cands with the statuses e may take now, in name
// order: those its machine allows that keep the rules and the budget, and
// where closing, only those that lead into another final state (a
// non-final entity must get there; a final one may take one such move
// that narrows what may follow, such as REGISTERED to UNREGISTERED).
func (g *Generator) candidates(e *entity, closing bool) []fsm.Symbol {
	g.cands = g.cands[:0]
	if closing && (!e.seen || e.late && e.m.Final(e.state)) {
		return g.cands
	}
	wasFinal := e.m.Final(e.state)
	for _, st := range allowed(e.fam, e.state) {
		to, _ := e.m.Next(e.state, st)
		if closing && (to == e.state || !e.m.Final(to) ||
			wasFinal && len(allowed(e.fam, to)) >= len(allowed(e.fam, e.state))) {
			continue
		}
		if legal(e, st) && g.affordable(e, to) {
			g.cands = append(g.cands, st)
		}
	}
	return g.cands
}

// prune drops from s.ents the entities that can move no more: terminal
// ones, and keep-alives and transfers, left in a final state, whose stream
// or call has ended.
func (g *Generator) prune(s *session) {
	for i := 0; i < len(s.ents); {
		e := s.ents[i]
		if e.m.Terminal(e.state) || e.parent != nil && e.parent.m.Terminal(e.parent.state) && e.m.Final(e.state) {
			last := len(s.ents) - 1
			s.ents[i], s.ents[last] = s.ents[last], nil
			s.ents = s.ents[:last]
			continue
		}
		i++
	}
}

// Kinds of entity a live session may start, beside its registration and
// debug, which it has from the start.
const (
	startData = iota
	startCall
	startPublished
	startPlayed
	numStarts
)

// step makes one move in session s.
func (g *Generator) step(s *session) Event {
	if e := s.effect; e != nil {
		// The status a command asked for: its debt was counted when the
		// command was sent.
		s.effect = nil
		g.debt--
		from := e.state
		to, _ := e.m.Next(from, s.effectSt)
		ev := g.emit(e, statusMethods[e.fam], s.effectSt, to)
		if s.effectLate && e.m.Final(from) {
			e.late = true
		}
		return ev
	}
	g.prune(s)
	if !s.ending && (s.life <= 0 || g.debt >= g.remaining()) {
		s.ending = true
		s.dropFirst = g.src.Intn(2) == 1
	}
	if s.ending {
		return g.end(s)
	}
	s.life--
	if c := s.conn; c.state == connPending {
		// After connect, nothing but the connection's answer (rule 1).
		return g.move(c, g.pick(c, g.candidates(c, false)))
	}
	// Targets: the entities that may move now, then the kinds of new one,
	// then a hook that moves nothing.
	g.targets = g.targets[:0]
	for _, e := range s.ents {
		if len(g.candidates(e, false)) > 0 {
			g.targets = append(g.targets, e)
		}
	}
	k := g.src.Intn(len(g.targets) + numStarts + 1)
	if k < len(g.targets) {
		e := g.targets[k]
		return g.act(s, e, g.pick(e, g.candidates(e, false)), false)
	}
	var e *entity
	switch k - len(g.targets) {
	case numStarts:
		return g.hook(s)
	case startData:
		g.keybuf = appendOperationID(g.keybuf[:0], g.entities)
		e = g.newEntity(wcs.FamilyData, string(g.keybuf), s, nil)
	case startCall:
		g.keybuf = appendCallID(g.keybuf[:0], g.entities, s.no)
		e = g.newEntity(wcs.FamilyCall, string(g.keybuf), s, nil)
	default:
		g.keybuf = appendMediaSessionID(g.keybuf[:0], g.entities, s.no)
		e = g.newEntity(wcs.FamilyStream, string(g.keybuf), s, nil)
		e.pub = k-len(g.targets) == startPublished
	}
	cands := g.candidates(e, false)
	if len(cands) == 0 {
		// Only a new call or stream may lack the budget (it opens
		// something); a data send, final at once, never does.
		g.entities--
		g.keybuf = appendOperationID(g.keybuf[:0], g.entities)
		e = g.newEntity(wcs.FamilyData, string(g.keybuf), s, nil)
		cands = g.candidates(e, false)
	}
	ev := g.first(s, e, cands, 8)
	switch e.fam {
	case wcs.FamilyData:
		if !e.m.Final(e.state) {
			s.ents = append(s.ents, e) // after OnDataEvent, its status follows
		}
	case wcs.FamilyCall:
		s.ents = append(s.ents, e, g.newEntity(wcs.FamilyTransfer, e.key, s, e))
	case wcs.FamilyStream:
		ka := g.newEntity(wcs.FamilyKeepAlive, e.key, s, e)
		ka.pub = e.pub
		s.ents = append(s.ents, e, ka)
	}
	return ev
}

// end makes one move of a session that is ending: its connection's last
// status first (if it drops first) or last, and in between moves that
// close its entities.
func (g *Generator) end(s *session) Event {
	c := s.conn
	if s.dropFirst && c.state == wcs.SessionLive {
		return g.move(c, g.pick(c, g.candidates(c, true)))
	}
	g.closable(s)
	if len(g.targets) == 0 {
		return g.move(c, g.pick(c, g.candidates(c, true)))
	}
	e := g.targets[g.src.Intn(len(g.targets))]
	return g.act(s, e, g.pick(e, g.candidates(e, true)), true)
}

// closable fills g.targets with the entities of s that have a closing move.
func (g *Generator) closable(s *session) {
	g.targets = g.targets[:0]
	for _, e := range s.ents {
		if len(g.candidates(e, true)) > 0 {
			g.targets = append(g.targets, e)
		}
	}
}

// done reports whether session s is over: its connection ended and no
// entity of it has a move left.
func (g *Generator) done(s *session) bool {
	if s.effect != nil || !s.conn.m.Terminal(s.conn.state) {
		return false
	}
	g.prune(s)
	g.closable(s)
	return len(g.targets) == 0
}

// connPending is the connection's state after the connect hook.
const connPending = fsm.Symbol(connection.Pending)

// first makes the first move of e, an entity not seen yet: one time in
// every `in` but one, the invocation that starts it (connect,
// publishStream, playStream, call, OnCallEvent, OnDataEvent: PENDING),
// where the budget allows; else a status event of cands, as act makes it.
func (g *Generator) first(s *session, e *entity, cands []fsm.Symbol, in int) Event {
	if inv, ok := invocation(e); ok {
		if to, _ := e.m.Next(e.state, inv.Status); g.affordable(e, to) && g.src.Intn(in) != 0 {
			g.account(e, to)
			return g.emit(e, inv, inv.Status, to)
		}
	}
	return g.act(s, e, g.pick(e, cands), false)
}

// act moves e by status st (late: a closing move of end), most times
// after the command that asks for it, where there is one and the budget
// allows it: the command now, the status at the session's next step.
func (g *Generator) act(s *session, e *entity, st fsm.Symbol, late bool) Event {
	if cmd, ok := command(e, st); ok {
		if to, _ := e.m.Next(e.state, st); g.affordableAfter(e, to, 1) && g.src.Intn(4) != 0 {
			g.account(e, to)
			g.debt++ // the status it asks for, one more event
			s.effect, s.effectSt, s.effectLate = e, st, late
			return g.emit(e, cmd, 0, e.state)
		}
	}
	ev := g.move(e, st)
	if late && e.m.Final(ev.From) {
		e.late = true
	}
	return ev
}

// Hooks that move nothing, which a live session sends now and then.
const (
	hookDtmf = iota
	hookRecording
	hookStats
	hookSend
	hookMessageStatus
	hookReceive
	numHooks
)

// hook makes a move of a live session that moves no machine: a sendDtmf
// on an established call, a RecordingStatusEvent of a published stream, a
// StreamsStatEvent of a running stream, or a message sent, answered or
// received (sendMessage, MessageStatusEvent, OnMessageEvent); one of
// those where there is no call or stream to speak of.
func (g *Generator) hook(s *session) Event {
	var e *entity
	m := mSendMessage
	switch g.src.Intn(numHooks) {
	case hookDtmf:
		e, m = s.find(wcs.FamilyCall, fsm.Symbol(call.Established), fsm.Symbol(call.Established)), mSendDtmf
	case hookRecording:
		e, m = s.find(wcs.FamilyStream, fsm.Symbol(stream.Publishing), fsm.Symbol(stream.Publishing)), mRecordingStatusEvent
	case hookStats:
		e, m = s.find(wcs.FamilyStream, fsm.Symbol(stream.Publishing), fsm.Symbol(stream.Playing)), mStreamsStatEvent
	case hookMessageStatus:
		m = mMessageStatusEvent
	case hookReceive:
		m = mOnMessageEvent
	}
	if e == nil {
		if m.HasFamily || m.Name == mRecordingStatusEvent.Name || m.Name == mStreamsStatEvent.Name {
			m = messageHooks[g.emitted%len(messageHooks)]
		}
		e = s.conn
	}
	return g.emit(e, m, 0, e.state)
}

// messageHooks stand in for a hook that has no call or stream to speak of.
var messageHooks = [...]wcs.Method{mSendMessage, mMessageStatusEvent, mOnMessageEvent}

// find returns the last entity of s of family f in state a or b, or nil.
func (s *session) find(f wcs.Family, a, b fsm.Symbol) *entity {
	for i := len(s.ents) - 1; i >= 0; i-- {
		if e := s.ents[i]; e.fam == f && (e.state == a || e.state == b) {
			return e
		}
	}
	return nil
}

// account counts in the debt the move of e to state to.
func (g *Generator) account(e *entity, to fsm.Symbol) {
	if e.seen && !e.m.Final(e.state) {
		g.debt--
	}
	if !e.m.Final(to) {
		g.debt++
	}
}

// move moves e by status st, a status event, and returns the event.
func (g *Generator) move(e *entity, st fsm.Symbol) Event {
	to, ok := e.m.Next(e.state, st)
	if !ok {
		panic("synth: illegal move " + e.m.Name() + " " + e.m.String(e.state) + " " + e.m.String(st))
	}
	g.account(e, to)
	return g.emit(e, statusMethods[e.fam], st, to)
}

// emit returns the event of hook m on e, status st leading to state to
// (st 0 and to e's state for a command or another hook, which move
// nothing), and moves e.
func (g *Generator) emit(e *entity, m wcs.Method, st, to fsm.Symbol) Event {
	s := e.sess
	ev := Event{
		Seq: g.emitted, Family: e.fam, Method: m, From: e.state, Status: st, To: to,
		Node: g.o.Node, Session: s.id, SessionNo: s.no, Key: e.key, Entity: e.no, Parent: -1,
		Published: e.pub,
		Ended:     e.fam != wcs.FamilyConnection && s.conn.m.Terminal(s.conn.state),
	}
	if e.parent != nil {
		ev.Parent = e.parent.no
	}
	if m.Kind == wcs.MethodKindStatus || m.Kind == wcs.MethodKindInvocation {
		e.state, e.seen = to, true
	}
	g.emitted++
	return ev
}
