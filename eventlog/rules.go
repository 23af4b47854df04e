package eventlog

import (
	"encoding/binary"
	"math/bits"
	"strconv"
	"strings"
	"unsafe"

	"github.com/wcsfsm/wcsfsm/call"
	"github.com/wcsfsm/wcsfsm/connection"
	"github.com/wcsfsm/wcsfsm/fsm"
	"github.com/wcsfsm/wcsfsm/stream"
	"github.com/wcsfsm/wcsfsm/transfer"
)

// The rules across families (machines.md) speak of particular statuses of
// other machines; they are named here, with the families' own constants,
// as arrays indexed by status (a status has a value below symbols).
const symbols = 1 << 8

var (
	// Rule 1: the connection state a session needs.
	sessionLive = fsm.Symbol(connection.Established)
	// Rule 3: the stream state each keep-alive status needs (0: none).
	keepAliveNeeds = symbolTable(map[fsm.Symbol]fsm.Symbol{
		fsm.Symbol(stream.KeepAlivePublishing): fsm.Symbol(stream.Publishing),
		fsm.Symbol(stream.KeepAlivePlaying):    fsm.Symbol(stream.Playing),
	})
	// Rule 4: the call states a transfer attempt needs.
	callLive = []fsm.Symbol{fsm.Symbol(call.Established), fsm.Symbol(call.Hold)}
	// Rule 5: the direction each status implies (published or played).
	streamDir = symbolTable(map[fsm.Symbol]Bool{
		fsm.Symbol(stream.Publishing):  True,
		fsm.Symbol(stream.Unpublished): True,
		fsm.Symbol(stream.Playing):     False,
		fsm.Symbol(stream.Paused):      False,
		fsm.Symbol(stream.Stopped):     False,
	})
	keepAliveDir = symbolTable(map[fsm.Symbol]Bool{
		fsm.Symbol(stream.KeepAlivePublishing): True,
		fsm.Symbol(stream.KeepAlivePlaying):    False,
	})
	// The family whose entities share a key with a family's (rule 5: a
	// stream and its keep-alives).
	siblingOf = [NumFamilies]Family{Stream: KeepAlive, KeepAlive: Stream}
)

// symbolTable turns a map by status into an array (missing: the zero value).
func symbolTable[V any](m map[fsm.Symbol]V) *[symbols]V {
	var t [symbols]V
	for k, v := range m {
		t[k] = v
	}
	return &t
}

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

// who names the entity of an event in a message: the family and the id.
func who(m *fsm.Machine[fsm.Symbol], fam Family, id string, ev *Event) string {
	if id == "" {
		return m.Name() + " without " + fieldNames[keyField[fam]]
	}
	return m.Name() + " " + describeEntity(id, ev.NodeID)
}

// rules applies the rules across families to an event. Messages are built
// only for findings: the legal path builds no string.
func (t *Tracker) rules(out []Finding, ev *Event, fam Family, m *fsm.Machine[fsm.Symbol], e *entity, id string, isNew bool,
	sess *session, from, st, to fsm.Symbol, legal bool) []Finding {
	if id == "" {
		isNew = true
	}
	// Rules 1 and 2: the session.
	if fam != Connection && sess != nil {
		conn := sess.conn
		switch {
		case conn == nil && t.opts.Partial:
		case conn == nil:
			out = t.add(out, ev, NoSession, m.Name(), e, id, m.String(from), ev.Status, m.AllowedNames(from),
				who(m, fam, id, ev)+" got "+ev.Status+": no "+Connection.String()+" "+Connection.Machine().String(sessionLive)+" for session "+quote(ev.SessionID)+
					" before this event; for a log that carries only some families use -partial")
		case fsm.Symbol(conn.state) == sessionLive:
		case !Connection.Machine().Terminal(fsm.Symbol(conn.state)):
			out = t.add(out, ev, NoSession, m.Name(), e, id, m.String(from), ev.Status, m.AllowedNames(from),
				who(m, fam, id, ev)+" got "+ev.Status+": session "+quote(ev.SessionID)+" is "+Connection.Machine().String(fsm.Symbol(conn.state))+
					", not "+Connection.Machine().String(sessionLive))
		case isNew:
			out = t.add(out, ev, NoSession, m.Name(), e, id, m.String(from), ev.Status, m.AllowedNames(from),
				who(m, fam, id, ev)+" got "+ev.Status+": session "+quote(ev.SessionID)+" ended ("+Connection.Machine().String(fsm.Symbol(conn.state))+
					") before this event; nothing new may start after the end")
		case !(legal && to != from && m.Final(to)):
			out = t.add(out, ev, NoSession, m.Name(), e, id, m.String(from), ev.Status, m.AllowedNames(from),
				who(m, fam, id, ev)+" in "+m.String(from)+" got "+ev.Status+": session "+quote(ev.SessionID)+" ended ("+
					Connection.Machine().String(fsm.Symbol(conn.state))+"); after the end it may only move into a final state: "+
					list(closing(m, from)))
		}
	}
	if sess != nil && sess.revived {
		// The session ended and was forgotten, with its streams and calls:
		// the no-session finding above says so, and rules 3 and 4 have
		// nothing left to judge against.
		return t.direction(out, ev, fam, m, e, id, from, st, nil, false)
	}
	// Rule 3: a keep-alive matches its stream. The stream is looked up once,
	// for this rule and for rule 5.
	var sibling *entity
	looked := false
	if fam == KeepAlive {
		need := keepAliveNeeds[st]
		var sst uint8
		var seen bool
		sibling, sst, seen = t.peekFull(Stream, ev.NodeID, id, sess)
		looked = true
		sm := Stream.Machine()
		switch {
		case !seen && t.opts.Partial:
		case !seen:
			out = t.add(out, ev, KeepaliveMismatch, m.Name(), e, id, m.String(from), ev.Status, m.AllowedNames(from),
				who(m, fam, id, ev)+" got "+ev.Status+": no StreamStatusEvent for media session "+quote(id)+" before this keep-alive")
		case fsm.Symbol(sst) != need:
			out = t.add(out, ev, KeepaliveMismatch, m.Name(), e, id, m.String(from), ev.Status, m.AllowedNames(from),
				who(m, fam, id, ev)+" got "+ev.Status+": its stream is "+sm.String(fsm.Symbol(sst))+"; a "+ev.Status+" keep-alive needs it "+sm.String(need))
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
			out = t.add(out, ev, TransferWithoutCall, m.Name(), e, id, m.String(from), ev.Status, m.AllowedNames(from),
				who(m, fam, id, ev)+" got "+ev.Status+": no CallStatusEvent for call "+quote(id)+" before this transfer; a transfer needs the call "+
					strings.Join(cm.Names(callLive), " or "))
		case !live:
			out = t.add(out, ev, TransferWithoutCall, m.Name(), e, id, m.String(from), ev.Status, m.AllowedNames(from),
				who(m, fam, id, ev)+" got "+ev.Status+": call "+quote(id)+" is "+cm.String(fsm.Symbol(cst))+"; a transfer needs it "+
					strings.Join(cm.Names(callLive), " or "))
		}
	}
	return t.direction(out, ev, fam, m, e, id, from, st, sibling, looked)
}

// direction applies rule 5: one direction per media session. sibling is
// the entity of the other family of the media session (a keep-alive's
// stream, a stream's keep-alive) when looked says it was looked up already.
func (t *Tracker) direction(out []Finding, ev *Event, fam Family, m *fsm.Machine[fsm.Symbol], e *entity, id string,
	from, st fsm.Symbol, sibling *entity, looked bool) []Finding {
	if ev.Published == Unset || (fam != Stream && fam != KeepAlive) {
		return out
	}
	implied := streamDir[st]
	if fam == KeepAlive {
		implied = keepAliveDir[st]
	}
	recorded := Unset
	if e != nil {
		recorded = e.dir
	}
	if recorded == Unset {
		if !looked {
			sibling = t.peekEntity(siblingOf[fam], ev.NodeID, id)
		}
		if sibling != nil {
			recorded = sibling.dir
		}
	}
	if e != nil && (e.key != "" || e.marked) && e.dir == Unset {
		e.dir = ev.Published
	}
	badImplied := implied != Unset && implied != ev.Published
	badRecorded := recorded != Unset && recorded != ev.Published
	if !badImplied && !badRecorded {
		return out
	}
	var problems []string
	if badImplied {
		problems = append(problems, ev.Status+" is a "+dirName(implied)+" stream (published="+boolName(implied)+")")
	}
	if badRecorded {
		problems = append(problems, "media session "+quote(id)+" was published="+boolName(recorded)+
			" before; a media session keeps one direction")
	}
	return t.add(out, ev, DirectionMismatch, m.Name(), e, id, m.String(from), ev.Status, m.AllowedNames(from),
		who(m, fam, id, ev)+" got "+ev.Status+" with published="+boolName(ev.Published)+": "+strings.Join(problems, "; "))
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

// hashKey is the 64-bit hash of a key that entities, sessions and marks
// are kept under, keyed by the tracker's seed: sixteen bytes at a time,
// mixed by a 128-bit multiply (in the manner of wyhash). The seed is random
// for each tracker (and kept in its snapshots, which store the marks'
// hashes), so that ids cannot be chosen to collide: the tables would still
// be right (they chain and check whole keys) but slow, and one forgotten
// entity's mark could answer for another's.
func hashKey(key uint64, b []byte) uint64 {
	const (
		p0 = 0xa0761d6478bd642f
		p1 = 0xe7037ed1a0b428db
		p2 = 0x8ebc6af09c88c6e3
	)
	n := len(b)
	seed := wymix(key^p0, uint64(n)^p1)
	for len(b) > 16 {
		seed = wymix(binary.LittleEndian.Uint64(b)^p1^key, binary.LittleEndian.Uint64(b[8:])^seed)
		b = b[16:]
	}
	var a, c uint64
	switch {
	case len(b) >= 8:
		a, c = binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[len(b)-8:])
	case len(b) >= 4:
		a, c = uint64(binary.LittleEndian.Uint32(b)), uint64(binary.LittleEndian.Uint32(b[len(b)-4:]))
	case len(b) > 0:
		a = uint64(b[0])<<16 | uint64(b[len(b)/2])<<8 | uint64(b[len(b)-1])
	}
	return wymix(p2^uint64(n)^key, wymix(a^p1^key, c^seed))
}

func wymix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// hashString is hashKey of a string.
func hashString(key uint64, k string) uint64 {
	return hashKey(key, unsafe.Slice(unsafe.StringData(k), len(k)))
}

// presize is how many marks a tracker keeps before it makes room for
// MaxMarks of them.
const presize = 1024

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
	if len(s.ring) == presize && cap(s.ring) < s.max {
		// Past a few marks, make room for all at once: the memory of a
		// long log is then that of a short one, not one that grows until
		// the bound. (A tracker that keeps a few marks keeps them small.)
		m := make(map[uint64]uint8, s.max)
		for h, v := range s.m {
			m[h] = v
		}
		s.m = m
		s.ring = append(make([]uint64, 0, s.max), s.ring...)
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

// statusEntry is one status of a family, by name.
type statusEntry struct {
	name string
	sym  fsm.Symbol
}

// statusByLen[f][n] lists the statuses of family f whose names are n bytes
// long: parseStatus compares a name with two or three others at most,
// where the machine's map would hash it.
var statusByLen = func() (out [NumFamilies][32][]statusEntry) {
	for _, f := range Families() {
		m := f.Machine()
		for _, s := range m.Statuses() {
			name := m.String(s)
			if len(name) >= len(out[f]) {
				panic("eventlog: status name too long for the lookup table: " + name)
			}
			out[f][len(name)] = append(out[f][len(name)], statusEntry{name, s})
		}
	}
	return
}()

// parseStatus is fam.Machine().ParseStatus(name), without a map.
func parseStatus(fam Family, name string) (fsm.Symbol, bool) {
	if len(name) < len(statusByLen[fam]) {
		for _, e := range statusByLen[fam][len(name)] {
			if eqSameLen(e.name, name) {
				return e.sym, true
			}
		}
	}
	return 0, false
}

// familyByLen[n] lists the families whose names are n bytes long.
var familyByLen = func() (out [32][]Family) {
	for _, f := range Families() {
		if n := len(f.String()); n < len(out) {
			out[n] = append(out[n], f)
		}
	}
	return
}()

// familyByName is ParseFamily for the common case, without a loop over
// every family.
func familyByName(name string) (Family, bool) {
	if len(name) < len(familyByLen) {
		for _, f := range familyByLen[len(name)] {
			if eqSameLen(machines[f].Name(), name) {
				return f, true
			}
		}
	}
	return 0, false
}

// eqSameLen reports whether a and b, of the same length, are equal: for
// the short names of families and statuses, inlined word compares cost
// less than a call of the runtime's memequal.
func eqSameLen(a, b string) bool {
	n := len(a)
	if n != len(b) {
		return false
	}
	if n == 0 {
		return true
	}
	x, y := unsafe.Slice(unsafe.StringData(a), n), unsafe.Slice(unsafe.StringData(b), n)
	switch {
	case n >= 8:
		for i := 0; i+8 <= n; i += 8 {
			if binary.LittleEndian.Uint64(x[i:]) != binary.LittleEndian.Uint64(y[i:]) {
				return false
			}
		}
		return binary.LittleEndian.Uint64(x[n-8:]) == binary.LittleEndian.Uint64(y[n-8:])
	case n >= 4:
		return binary.LittleEndian.Uint32(x) == binary.LittleEndian.Uint32(y) &&
			binary.LittleEndian.Uint32(x[n-4:]) == binary.LittleEndian.Uint32(y[n-4:])
	}
	for i := range n {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

// The rules across families, as questions about statuses, for tools that
// must obey them rather than check them (package synth builds valid logs
// with them). They read the same tables as the tracker.

// SessionLive reports whether a session whose connection is in state s may
// start entities (rule 1).
func SessionLive(s connection.State) bool { return fsm.Symbol(s) == sessionLive }

// KeepAliveNeeds returns the stream state that a keep-alive status needs
// (rule 3), and false for a status that needs none.
func KeepAliveNeeds(status stream.KeepAliveState) (stream.State, bool) {
	need := keepAliveNeeds[fsm.Symbol(status)]
	return stream.State(need), need != 0
}

// TransferAttempt reports whether status, received by a transfer in state
// from, starts an attempt to transfer the call, which needs the call live
// (rule 4).
func TransferAttempt(from, status transfer.State) bool {
	return transferAttempt(fsm.Symbol(from), fsm.Symbol(status))
}

// CallLive reports whether a call in state s may be transferred (rule 4).
func CallLive(s call.State) bool {
	for _, l := range callLive {
		if fsm.Symbol(s) == l {
			return true
		}
	}
	return false
}

// StreamDirection returns the direction (published: True, played: False)
// that a stream status implies, or Unset (rule 5).
func StreamDirection(s stream.State) Bool { return streamDir[fsm.Symbol(s)] }
