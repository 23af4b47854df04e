package eventlog

import (
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/wcsfsm/wcsfsm/call"
	"github.com/wcsfsm/wcsfsm/connection"
	"github.com/wcsfsm/wcsfsm/fsm"
	"github.com/wcsfsm/wcsfsm/stream"
	"github.com/wcsfsm/wcsfsm/transfer"
)

// The rules across families (machines.md) speak of particular statuses of
// other machines; they are named here, with the families' own constants.
var (
	// Rule 1: the connection state a session needs.
	sessionLive = fsm.Symbol(connection.Established)
	// Rule 3: the stream state each keep-alive status needs.
	keepAliveNeeds = map[fsm.Symbol]fsm.Symbol{
		fsm.Symbol(stream.KeepAlivePublishing): fsm.Symbol(stream.Publishing),
		fsm.Symbol(stream.KeepAlivePlaying):    fsm.Symbol(stream.Playing),
	}
	// Rule 4: the call states a transfer attempt needs.
	callLive = []fsm.Symbol{fsm.Symbol(call.Established), fsm.Symbol(call.Hold)}
	// Rule 5: the direction each status implies (published or played).
	streamDir = map[fsm.Symbol]Bool{
		fsm.Symbol(stream.Publishing):  True,
		fsm.Symbol(stream.Unpublished): True,
		fsm.Symbol(stream.Playing):     False,
		fsm.Symbol(stream.Paused):      False,
		fsm.Symbol(stream.Stopped):     False,
	}
	keepAliveDir = map[fsm.Symbol]Bool{
		fsm.Symbol(stream.KeepAlivePublishing): True,
		fsm.Symbol(stream.KeepAlivePlaying):    False,
	}
)

// transferAttempt reports whether status, received in state from, starts an
// attempt to transfer the call (rule 4): ACCEPTED, or FAILED from NEW or
// FAILED (a REFER rejected outright).
func transferAttempt(from, status fsm.Symbol) bool {
	switch transfer.State(status) {
	case transfer.Accepted:
		return true
	case transfer.Failed:
		return transfer.State(from) == transfer.New || transfer.State(from) == transfer.Failed
	}
	return false
}

func (t *Tracker) rules(out []Finding, ev *Event, fam Family, m *fsm.Machine[fsm.Symbol], e *entity, id string, isNew bool,
	sess *session, from, st, to fsm.Symbol, legal bool) []Finding {
	fromName, allowed := m.String(from), (func() []string { return m.AllowedNames(from) })
	who := m.Name() + " " + describeEntity(id, ev.NodeID)
	if id == "" {
		who = m.Name() + " without " + fieldNames[keyField[fam]]
		isNew = true
	}
	// Rules 1 and 2: the session.
	if fam != Connection && sess != nil {
		conn := sess.conn
		switch {
		case conn == nil && t.opts.Partial:
		case conn == nil:
			out = t.add(out, ev, NoSession, m.Name(), e, id, fromName, ev.Status, allowed(),
				who+" got "+ev.Status+": no ConnectionStatusEvent ESTABLISHED for session "+quote(ev.SessionID)+
					" before this event; for a log that carries only some families use -partial")
		case fsm.Symbol(conn.state) == sessionLive:
		case !Connection.Machine().Terminal(fsm.Symbol(conn.state)):
			out = t.add(out, ev, NoSession, m.Name(), e, id, fromName, ev.Status, allowed(),
				who+" got "+ev.Status+": session "+quote(ev.SessionID)+" is "+Connection.Machine().String(fsm.Symbol(conn.state))+
					", not ESTABLISHED")
		case isNew:
			out = t.add(out, ev, NoSession, m.Name(), e, id, fromName, ev.Status, allowed(),
				who+" got "+ev.Status+": session "+quote(ev.SessionID)+" ended ("+Connection.Machine().String(fsm.Symbol(conn.state))+
					") before this event; nothing new may start after the end")
		case !(legal && to != from && m.Final(to)):
			out = t.add(out, ev, NoSession, m.Name(), e, id, fromName, ev.Status, allowed(),
				who+" in "+fromName+" got "+ev.Status+": session "+quote(ev.SessionID)+" ended ("+
					Connection.Machine().String(fsm.Symbol(conn.state))+"); after the end it may only move into a final state: "+
					list(closing(m, from)))
		}
	}
	if sess != nil && sess.revived {
		// The session ended and was forgotten: the error above says so, and
		// its streams and calls are gone with it.
		return t.direction(out, ev, fam, m, e, id, fromName, st, allowed, who)
	}
	// Rule 3: a keep-alive matches its stream.
	if fam == KeepAlive {
		need := keepAliveNeeds[st]
		sst, seen := t.peek(Stream, ev.NodeID, id)
		sm := Stream.Machine()
		switch {
		case !seen && t.opts.Partial:
		case !seen:
			out = t.add(out, ev, KeepaliveMismatch, m.Name(), e, id, fromName, ev.Status, allowed(),
				who+" got "+ev.Status+": no StreamStatusEvent for media session "+quote(id)+" before this keep-alive")
		case fsm.Symbol(sst) != need:
			out = t.add(out, ev, KeepaliveMismatch, m.Name(), e, id, fromName, ev.Status, allowed(),
				who+" got "+ev.Status+": its stream is "+sm.String(fsm.Symbol(sst))+"; a "+ev.Status+" keep-alive needs it "+sm.String(need))
		}
	}
	// Rule 4: a transfer needs a live call.
	if fam == Transfer && transferAttempt(from, st) {
		cst, seen := t.peek(Call, ev.NodeID, id)
		cm := Call.Machine()
		live := false
		for _, s := range callLive {
			live = live || fsm.Symbol(cst) == s
		}
		switch {
		case !seen && t.opts.Partial:
		case !seen:
			out = t.add(out, ev, TransferWithoutCall, m.Name(), e, id, fromName, ev.Status, allowed(),
				who+" got "+ev.Status+": no CallStatusEvent for call "+quote(id)+" before this transfer; a transfer needs the call "+
					strings.Join(cm.Names(callLive), " or "))
		case !live:
			out = t.add(out, ev, TransferWithoutCall, m.Name(), e, id, fromName, ev.Status, allowed(),
				who+" got "+ev.Status+": call "+quote(id)+" is "+cm.String(fsm.Symbol(cst))+"; a transfer needs it "+
					strings.Join(cm.Names(callLive), " or "))
		}
	}
	return t.direction(out, ev, fam, m, e, id, fromName, st, allowed, who)
}

// direction applies rule 5: one direction per media session.
func (t *Tracker) direction(out []Finding, ev *Event, fam Family, m *fsm.Machine[fsm.Symbol], e *entity, id, fromName string,
	st fsm.Symbol, allowed func() []string, who string) []Finding {
	if ev.Published == Unset || (fam != Stream && fam != KeepAlive) {
		return out
	}
	var problems []string
	implied := streamDir[st]
	if fam == KeepAlive {
		implied = keepAliveDir[st]
	}
	if implied != Unset && implied != ev.Published {
		problems = append(problems, ev.Status+" is a "+dirName(implied)+" stream (published="+boolName(implied)+")")
	}
	recorded := Unset
	if e != nil {
		recorded = e.dir
	}
	sibling := t.peekEntity(map[Family]Family{Stream: KeepAlive, KeepAlive: Stream}[fam], ev.NodeID, id)
	if recorded == Unset && sibling != nil {
		recorded = sibling.dir
	}
	if recorded != Unset && recorded != ev.Published {
		problems = append(problems, "media session "+quote(id)+" was published="+boolName(recorded)+
			" before; a media session keeps one direction")
	}
	if e != nil && e.key != "" && e.dir == Unset {
		e.dir = ev.Published
	}
	if len(problems) == 0 {
		return out
	}
	return t.add(out, ev, DirectionMismatch, m.Name(), e, id, fromName, ev.Status, allowed(),
		who+" got "+ev.Status+" with published="+boolName(ev.Published)+": "+strings.Join(problems, "; "))
}

// closing lists the statuses that move an entity in state from into another
// final state: what rule 2 allows after the session ended.
func closing(m *fsm.Machine[fsm.Symbol], from fsm.Symbol) []string {
	var out []string
	for _, s := range m.Allowed(from) {
		if to, _ := m.Next(from, s); to != from && m.Final(to) {
			out = append(out, m.String(s))
		}
	}
	return out
}

func illegalMessage(m *fsm.Machine[fsm.Symbol], id, node string, from, st fsm.Symbol) string {
	msg := m.Name() + " " + describeEntity(id, node) + " in " + m.String(from) + " got " + m.String(st)
	if m.Terminal(from) {
		return msg + "; " + m.String(from) + " is terminal: nothing may follow"
	}
	return msg + "; allowed: " + list(m.AllowedNames(from))
}

func fieldProblem(ev *Event, f field) string {
	k := ev.kinds[f]
	name := fieldNames[f]
	switch {
	case k == kAbsent || k == kString && ev.get(f) == "" && f != fPublished:
		if k == kString {
			return name + " is empty"
		}
		return name + " is missing"
	case f == fPublished:
		return name + " is " + jsonKindNames[k] + ", not a boolean"
	}
	return name + " is " + jsonKindNames[k] + ", not a string"
}

func dirName(b Bool) string {
	if b == True {
		return "published"
	}
	return "played"
}

func boolName(b Bool) string {
	if b == True {
		return "true"
	}
	return "false"
}

// describeEntity names an entity in a message. The node that scopes it is
// left to the finding's nodeId field: messages stay short.
func describeEntity(id, _ string) string { return quote(id) }

// quote quotes s only where it needs it, so that messages stay readable.
func quote(s string) string {
	if s == "" {
		return `""`
	}
	for _, r := range s {
		if r <= ' ' || r == '"' || r == '\\' || r == 0x7f || r == 0xFFFD || r > 0x7e && !strconv.IsPrint(r) {
			return strconv.Quote(s)
		}
	}
	return s
}

func list(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func itoa(i int) string { return strconv.Itoa(i) }

func familyList() string {
	names := make([]string, NumFamilies)
	for i := range names {
		names[i] = Family(i).String()
	}
	return strings.Join(names, ", ")
}

func hashKey(b []byte) uint64 {
	h := fnv.New64a()
	h.Write(b)
	return h.Sum64()
}

// marks is a bounded set of 64-bit hashes with a byte each; the oldest goes
// first when it is full.
type marks struct {
	m    map[uint64]uint8
	ring []uint64
	head int
	max  int
}

func (s *marks) init(max int) {
	s.m = map[uint64]uint8{}
	s.ring = s.ring[:0]
	s.head = 0
	s.max = max
}

func (s *marks) get(h uint64) (uint8, bool) {
	v, ok := s.m[h]
	return v, ok
}

func (s *marks) add(h uint64, v uint8) {
	if _, ok := s.m[h]; ok {
		s.m[h] = v
		return
	}
	if len(s.ring) < s.max {
		s.ring = append(s.ring, h)
	} else {
		delete(s.m, s.ring[s.head])
		s.ring[s.head] = h
		s.head = (s.head + 1) % len(s.ring)
	}
	s.m[h] = v
}

func (s *marks) len() int { return len(s.m) }
