package tracker

import (
	"sort"
	"strconv"
	"strings"

	"github.com/wcsfsm/wcsfsm/fsm"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// judgment is the event being judged and what take found out about it: one
// value, filled in as take goes, that the rules and the findings read.
type judgment struct {
	ev       *wcs.Event
	meth     wcs.Method // the hook
	hookOnly bool       // the status is one only an invocation delivers, carried by a status event
	fam      wcs.Family
	m        *fsm.Machine[fsm.Symbol] // nil while the family is not known
	id       string                   // the entity's key ("" for a data send without operationId)
	e        *entity                  // the entity: tracked, a detached copy of its mark, or judged only; nil past the limit
	isNew    bool                     // the entity is new (not seen before)
	sess     *session                 // the session the event names, or nil
	stated   bool                     // from is known: findings name it and the statuses legal there
	from     fsm.Symbol               // the entity's state before the event
	st       fsm.Symbol               // the status the event carries
	to       fsm.Symbol               // the state the machine moves it to, when legal
	legal    bool                     // the entity's machine allows st in from
	out      []Finding
}

// who names the entity of the event in a message: the family and the id.
func (j *judgment) who() string {
	if j.id == "" {
		return j.m.Name() + " without " + j.fam.Key().String()
	}
	return j.m.Name() + " " + quote(j.id)
}

// hookName names the hook of the event in a message: the family for a
// status event, the hook for the others ("publishStream").
func (j *judgment) hookName() string {
	if j.meth.Kind == wcs.MethodKindStatus {
		return j.m.Name()
	}
	return j.meth.Name
}

// got says what the entity got in a message: the status, and for an
// invocation the hook that delivered it ("PENDING (publishStream)").
func (j *judgment) got() string {
	if j.meth.Kind == wcs.MethodKindInvocation {
		return j.m.String(j.st) + " (" + j.meth.Name + ")"
	}
	return j.ev.Status
}

// seen reports whether, under -partial, an entity counts as the other side
// of a rule (rule 6): it exists, and a status event of its family moved it
// (an invocation alone does not make a rule apply).
func seenSide(e *entity, ok bool) bool { return ok && (e == nil || !e.hookOnly) }

// rules applies the rules across families to an event. Messages are built
// only for findings: the legal path builds no string.
func (t *Tracker) rules(j *judgment) {
	ev, fam, m, id, sess, from, st := j.ev, j.fam, j.m, j.id, j.sess, j.from, j.st
	isNew := j.isNew || id == ""
	partial := t.opts.Partial || t.opts.Tail
	// Rules 1 and 2: the session.
	if fam != wcs.FamilyConnection && sess != nil {
		conn := sess.conn
		switch {
		case conn == nil && partial, conn != nil && conn.hookOnly && partial:
		case conn == nil:
			t.add(j, KindNoSession, j.who()+" got "+j.got()+": no "+wcs.FamilyConnection.String()+" "+wcs.FamilyConnection.Machine().String(wcs.SessionLive)+" for session "+quote(ev.SessionID)+
				" before this event; for a log that carries only some families use -partial")
		case fsm.Symbol(conn.state) == wcs.SessionLive:
		case !wcs.FamilyConnection.Machine().Terminal(fsm.Symbol(conn.state)):
			t.add(j, KindNoSession, j.who()+" got "+j.got()+": session "+quote(ev.SessionID)+" is "+sessionState(conn)+
				", not "+wcs.FamilyConnection.Machine().String(wcs.SessionLive))
		case isNew:
			t.add(j, KindNoSession, j.who()+" got "+j.got()+": session "+quote(ev.SessionID)+" ended ("+wcs.FamilyConnection.Machine().String(fsm.Symbol(conn.state))+
				") before this event; nothing new may start after the end")
		case !(j.legal && j.to != from && m.Final(j.to)):
			t.add(j, KindNoSession, j.who()+" in "+m.String(from)+" got "+j.got()+": session "+quote(ev.SessionID)+" ended ("+
				wcs.FamilyConnection.Machine().String(fsm.Symbol(conn.state))+"); after the end it may only move into a final state: "+
				list(closing(m, from)))
		}
	}
	if sess != nil && sess.revived {
		// The session ended and was forgotten, with its streams and calls:
		// the no-session finding above says so, and rules 3 and 4 have
		// nothing left to judge against.
		t.direction(j, nil, false)
		return
	}
	// Rule 3: a keep-alive matches its stream. The stream is looked up once,
	// for this rule and for rule 5.
	var sibling *entity
	looked := false
	if fam == wcs.FamilyKeepAlive {
		need, _ := wcs.KeepAliveNeeds(st)
		var sst uint8
		var seen bool
		sibling, sst, seen = t.peekFull(wcs.FamilyStream, ev.NodeID, id, sess)
		looked = true
		sm := wcs.FamilyStream.Machine()
		switch {
		case !seenSide(sibling, seen) && partial:
		case !seen:
			t.add(j, KindKeepaliveMismatch, j.who()+" got "+ev.Status+": no StreamStatusEvent for media session "+quote(id)+" before this keep-alive")
		case fsm.Symbol(sst) != need:
			t.add(j, KindKeepaliveMismatch, j.who()+" got "+ev.Status+": its stream is "+sm.String(fsm.Symbol(sst))+"; a "+ev.Status+" keep-alive needs it "+sm.String(need))
		}
	}
	// Rule 4: a transfer needs a live call.
	if fam == wcs.FamilyTransfer && wcs.TransferAttempt(from, st) {
		ce, cst, seen := t.peekFull(wcs.FamilyCall, ev.NodeID, id, sess)
		cm := wcs.FamilyCall.Machine()
		live := wcs.CallLive(fsm.Symbol(cst))
		switch {
		case !seenSide(ce, seen) && partial:
		case !seen:
			t.add(j, KindTransferWithoutCall, j.who()+" got "+ev.Status+": no CallStatusEvent for call "+quote(id)+" before this transfer; a transfer needs the call "+
				strings.Join(cm.Names(wcs.LiveCallStates()), " or "))
		case !live:
			t.add(j, KindTransferWithoutCall, j.who()+" got "+ev.Status+": call "+quote(id)+" is "+cm.String(fsm.Symbol(cst))+"; a transfer needs it "+
				strings.Join(cm.Names(wcs.LiveCallStates()), " or "))
		}
	}
	t.direction(j, sibling, looked)
}

// direction applies rule 5: one direction per media session. sibling is
// the entity of the other family of the media session (a keep-alive's
// stream, a stream's keep-alive) when looked says it was looked up already.
func (t *Tracker) direction(j *judgment, sibling *entity, looked bool) {
	ev, fam, e, id := j.ev, j.fam, j.e, j.id
	if fam != wcs.FamilyStream && fam != wcs.FamilyKeepAlive {
		return
	}
	pub, implied := ev.Published, wcs.Direction(fam, j.st)
	if j.meth.Kind == wcs.MethodKindInvocation {
		implied = j.meth.Published // the hook fixes it, as a status would
	}
	eff := pub // the direction the line gives: a hook's, else its published, else its status's
	if eff == wcs.BoolUnset || j.meth.Kind == wcs.MethodKindInvocation {
		eff = implied
	}
	if eff == wcs.BoolUnset {
		return
	}
	recorded, byHook := wcs.BoolUnset, false
	if e != nil {
		recorded, byHook = e.dir, e.dirHook
	}
	if recorded == wcs.BoolUnset {
		if !looked {
			sib, _ := wcs.Sibling(fam)
			sibling = t.peekEntity(sib, ev.NodeID, id)
		}
		if sibling != nil {
			recorded, byHook = sibling.dir, sibling.dirHook
		}
	}
	// The direction is recorded from a published field or a hook. A
	// status without published is checked only against a hook's: the
	// direction a status implies its own machine keeps (a PLAYING stream
	// never becomes PUBLISHING), and rule 3 holds a keep-alive to its
	// stream's status.
	isHook := j.meth.Kind == wcs.MethodKindInvocation
	if pub == wcs.BoolUnset && !isHook && !byHook {
		return
	}
	tracked := e != nil && (e.key != "" || e.marked)
	if tracked && e.dir == wcs.BoolUnset {
		e.dir, e.dirHook = eff, isHook
	}
	badImplied := pub != wcs.BoolUnset && implied != wcs.BoolUnset && implied != pub
	badRecorded := recorded != wcs.BoolUnset && recorded != eff
	if !badImplied && !badRecorded {
		return
	}
	if badRecorded && byHook && tracked && j.legal && implied != wcs.BoolUnset && j.meth.Kind == wcs.MethodKindStatus {
		// Against a hook's direction, a status its machine took is
		// reported once: the media session goes on in the direction its
		// machine took, so that the statuses after it, which only a hook's
		// direction is checked against, are not reported for it again. (A
		// direction a published field recorded stays: a later published
		// field is held to it, as it always was.)
		e.dir, e.dirHook = implied, false
	}
	var problems []string
	if badImplied {
		what := ev.Status
		if j.meth.Kind == wcs.MethodKindInvocation {
			what = j.meth.Name
		}
		problems = append(problems, what+" is a "+dirName(implied)+" stream (published="+boolName(implied)+")")
	}
	if badRecorded {
		problems = append(problems, "media session "+quote(id)+" was published="+boolName(recorded)+
			" before; a media session keeps one direction")
	}
	with := ""
	if pub != wcs.BoolUnset {
		with = " with published=" + boolName(pub)
	}
	t.add(j, KindDirectionMismatch, j.who()+" got "+j.got()+with+": "+strings.Join(problems, "; "))
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

// allowedText lists, for a message, the statuses family f's machine
// allows in state from, each that only an invocation delivers named with
// it ("PENDING (by connect)"): a status event that carries one is no
// better for it. The findings' allowed field stays the machine's own.
func allowedText(f wcs.Family, from fsm.Symbol) string {
	m := f.Machine()
	var out []string
	for _, st := range m.Allowed(from) {
		name := m.String(st)
		if !wcs.StatusEventCarries(f, st) {
			name += " (by " + strings.Join(wcs.InvocationsOf(f, st), " or ") + ")"
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return list(out)
}

func illegalMessage(m *fsm.Machine[fsm.Symbol], id string, from, st fsm.Symbol) string {
	msg := m.Name() + " " + quote(id) + " in " + m.String(from) + " got " + m.String(st)
	if m.Terminal(from) {
		return msg + "; " + m.String(from) + " is terminal: nothing may follow"
	}
	f, _ := wcs.ParseFamily(m.Name())
	return msg + "; allowed: " + allowedText(f, from)
}

func fieldProblem(ev *wcs.Event, f wcs.Field) string {
	k := ev.Types[f]
	name := f.String()
	switch {
	case k == wcs.JSONTypeNull:
		return name + " is null"
	case k == wcs.JSONTypeAbsent || k == wcs.JSONTypeString && ev.Get(f) == "" && f != wcs.FieldPublished:
		if k == wcs.JSONTypeString {
			return name + " is empty"
		}
		return name + " is missing"
	case f == wcs.FieldPublished:
		return name + " is " + k.String() + ", not a boolean"
	}
	return name + " is " + k.String() + ", not a string"
}

func dirName(b wcs.Bool) string {
	if b == wcs.BoolTrue {
		return "published"
	}
	return "played"
}

func boolName(b wcs.Bool) string {
	if b == wcs.BoolTrue {
		return "true"
	}
	return "false"
}

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
