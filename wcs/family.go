package wcs

import (
	"strings"

	"github.com/wcsfsm/wcsfsm/call"
	"github.com/wcsfsm/wcsfsm/connection"
	"github.com/wcsfsm/wcsfsm/fsm"
	"github.com/wcsfsm/wcsfsm/stream"
	"github.com/wcsfsm/wcsfsm/transfer"
)

// Family identifies one of the eight WCS event families.
type Family uint8

// The families, in the order of the source page.
const (
	FamilyConnection Family = iota
	FamilyRegistration
	FamilyCall
	FamilyTransfer
	FamilyStream
	FamilyKeepAlive
	FamilyDebug
	FamilyData
	NumFamilies = iota
)

// machines is the one registry of the families' machines; everything that
// lists families (the validator, spec, gen, docs) goes through it.
var machines = [NumFamilies]*fsm.Machine[fsm.Symbol]{
	FamilyConnection:   connection.Machine.Untyped(),
	FamilyRegistration: connection.Registration.Untyped(),
	FamilyCall:         call.Machine.Untyped(),
	FamilyTransfer:     transfer.Machine.Untyped(),
	FamilyStream:       stream.Machine.Untyped(),
	FamilyKeepAlive:    stream.KeepAlive.Untyped(),
	FamilyDebug:        connection.Debug.Untyped(),
	FamilyData:         connection.Data.Untyped(),
}

// keyField is the field that keys each family's entities.
var keyField = [NumFamilies]Field{
	FamilyConnection:   FieldSessionID,
	FamilyRegistration: FieldSessionID,
	FamilyDebug:        FieldSessionID,
	FamilyCall:         FieldCallID,
	FamilyTransfer:     FieldCallID,
	FamilyStream:       FieldMediaSessionID,
	FamilyKeepAlive:    FieldMediaSessionID,
	FamilyData:         FieldOperationID,
}

// Machine returns the family's machine, untyped.
func (f Family) Machine() *fsm.Machine[fsm.Symbol] { return machines[f] }

// String returns the family's event name, e.g. "CallStatusEvent".
func (f Family) String() string {
	if f >= NumFamilies {
		return ""
	}
	return machines[f].Name()
}

// Key returns the field that keys the family's entities: sessionId for a
// connection, a registration and a debug session, callId for a call and
// its transfers, mediaSessionId for a stream and its keep-alives,
// operationId for a data send (where it is optional).
func (f Family) Key() Field { return keyField[f] }

// Families returns every family, in the order of the source page.
func Families() []Family {
	out := make([]Family, NumFamilies)
	for i := range out {
		out[i] = Family(i)
	}
	return out
}

// ParseFamily returns the family whose event name is name.
func ParseFamily(name string) (Family, bool) {
	if f, ok := familyByName(name); ok {
		return f, true
	}
	return 0, false
}

// FamilyOf resolves the family an event names: a family's name, or a hook
// URL or path whose last segment is one.
func FamilyOf(name string) (Family, bool) {
	if f, ok := familyByName(name); ok {
		return f, true // the common case: the family's own name
	}
	return familyByName(LastSegment(name))
}

// LastSegment returns the last segment of a hook URL or request path,
// without its query or fragment and trailing slashes: what names the hook.
func LastSegment(url string) string {
	if i := strings.IndexAny(url, "?#"); i >= 0 {
		url = url[:i]
	}
	if i := strings.Index(url, "://"); i >= 0 {
		// The scheme and the host name no hook: only the path does.
		url = url[i+3:]
		if j := strings.IndexByte(url, '/'); j >= 0 {
			url = url[j:]
		} else {
			url = ""
		}
	}
	url = strings.TrimRight(url, "/")
	if i := strings.LastIndexByte(url, '/'); i >= 0 {
		url = url[i+1:]
	}
	return url
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

// familyByName is ParseFamily without a loop over every family.
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

// hookOnly[f][st]: status st of family f is delivered only by invocations
// (hooks.md, section 2), never by f's own status event: read from the
// catalogue of methods.
var hookOnly = func() (out [NumFamilies][symbols]bool) {
	for _, m := range methods {
		if m.Kind == MethodKindInvocation && !m.EventCarries {
			out[m.Family][m.Status] = true
		}
	}
	return
}()

// StatusEventCarries reports whether a status event of family f may carry
// status st: every status of f's machine but the one that only an
// invocation hook delivers (the PENDING of a connection, a call or a data
// send).
func StatusEventCarries(f Family, st fsm.Symbol) bool {
	return f < NumFamilies && int(st) < f.Machine().Len() && !hookOnly[f][st]
}

// statusEventReach[f][s]: state s of family f is reached from the initial
// state by statuses a status event carries (StatusEventCarries).
var statusEventReach = func() (out [NumFamilies][]bool) {
	for f := range out {
		m := Family(f).Machine()
		out[f] = make([]bool, m.Len())
		out[f][m.Initial()] = true
		for grew := true; grew; {
			grew = false
			for _, tr := range m.Transitions() {
				if out[f][tr.From] && !out[f][tr.To] && StatusEventCarries(Family(f), tr.Status) {
					out[f][tr.To], grew = true, true
				}
			}
		}
	}
	return
}()

// StatusEventTakes reports whether a log of status events alone can take
// the transition tr of family f: not one that only an invocation hook
// delivers, nor one out of the state such a hook leads to.
func StatusEventTakes(f Family, tr fsm.Transition[fsm.Symbol]) bool {
	return f < NumFamilies && int(tr.From) < len(statusEventReach[f]) && statusEventReach[f][tr.From] && StatusEventCarries(f, tr.Status)
}

// statusEntry is one status of a family, by name.
type statusEntry struct {
	name string
	sym  fsm.Symbol
}

// statusByLen[f][n] lists the statuses of family f whose names are n bytes
// long: ParseStatus compares a name with two or three others at most,
// where the machine's map would hash it.
var statusByLen = func() (out [NumFamilies][32][]statusEntry) {
	for _, f := range Families() {
		m := f.Machine()
		for _, s := range m.Statuses() {
			name := m.String(s)
			if len(name) >= len(out[f]) {
				panic("wcs: status name too long for the lookup table: " + name)
			}
			out[f][len(name)] = append(out[f][len(name)], statusEntry{name, s})
		}
	}
	return
}()

// ParseStatus is f.Machine().ParseStatus(name), without a map: the status
// of family f named name.
func ParseStatus(f Family, name string) (fsm.Symbol, bool) {
	if f < NumFamilies && len(name) < len(statusByLen[f]) {
		for _, e := range statusByLen[f][len(name)] {
			if eqSameLen(e.name, name) {
				return e.sym, true
			}
		}
	}
	return 0, false
}
