package wcs

import (
	"strconv"

	"github.com/wcsfsm/wcsfsm/call"
	"github.com/wcsfsm/wcsfsm/connection"
	"github.com/wcsfsm/wcsfsm/fsm"
	"github.com/wcsfsm/wcsfsm/stream"
)

// MethodKind is what a REST method WCS posts tells the machines (hooks.md).
type MethodKind uint8

const (
	// MethodKindStatus: one of the eight status events, checked by its
	// family's machine (section 1).
	MethodKindStatus MethodKind = iota
	// MethodKindInvocation: a direct invocation that starts an entity and
	// delivers a status to its machine, whatever its body says (section 2).
	MethodKindInvocation
	// MethodKindCommand: a command on an entity that exists; it moves no
	// machine (section 3).
	MethodKindCommand
	// MethodKindOther: another hook WCS posts: known, counted, not checked
	// (section 4).
	MethodKindOther
	NumMethodKinds = iota
)

var methodKindNames = [...]string{
	MethodKindStatus: "status", MethodKindInvocation: "invocation", MethodKindCommand: "command", MethodKindOther: "other",
}

// String returns "status", "invocation", "command" or "other".
func (k MethodKind) String() string {
	if int(k) < len(methodKindNames) {
		return methodKindNames[k]
	}
	return "MethodKind(" + strconv.Itoa(int(k)) + ")"
}

// Method is one REST method WCS posts to its backend, as the catalogue of
// hooks.md declares it.
type Method struct {
	Name string     // as WCS writes it, case-sensitive: "publishStream", "CallStatusEvent"
	Kind MethodKind //
	// Family is the machine the method moves (a status event, an
	// invocation) or acts on (a command); none (HasFamily false) for the
	// other hooks.
	Family    Family
	HasFamily bool
	// Status is the status an invocation delivers to its machine (PENDING).
	Status fsm.Symbol
	// Published is the direction an invocation fixes (publishStream true,
	// playStream false; rule 5), BoolUnset for the others.
	Published Bool
	// EventCarries says that the family's own status event may carry
	// Status too (a stream's PENDING); where it is false, only invocations
	// deliver it (a connection's, a call's, a data send's PENDING).
	EventCarries bool

	index uint8 // its place in the catalogue
}

// NumMethods is the number of methods in the catalogue: the status events,
// invocations, commands and other hooks of hooks.md. Counts by method (a
// tracker's Stats) are arrays of this length, in the order of Methods.
const NumMethods = 43

// Index returns the method's place in the catalogue, from 0 to
// NumMethods-1: Methods()[m.Index()] is m.
func (m Method) Index() int { return int(m.index) }

// Key returns the field that keys the entity the method names: its
// family's key; FieldEvent for a method of no family (it names none).
func (m Method) Key() Field {
	if !m.HasFamily {
		return FieldEvent
	}
	return m.Family.Key()
}

// methods is the catalogue of hooks.md, declared once: the validator, the
// server-log reader, serve, coverage, spec and the docs read it.
var methods = func() []Method {
	out := make([]Method, 0, 48)
	for _, f := range Families() {
		out = append(out, Method{Name: f.String(), Kind: MethodKindStatus, Family: f, HasFamily: true})
	}
	inv := func(name string, f Family, st fsm.Symbol, pub Bool, eventToo bool) {
		out = append(out, Method{Name: name, Kind: MethodKindInvocation, Family: f, HasFamily: true, Status: st,
			Published: pub, EventCarries: eventToo})
	}
	inv("connect", FamilyConnection, fsm.Symbol(connection.Pending), BoolUnset, false)
	inv("publishStream", FamilyStream, fsm.Symbol(stream.Pending), BoolTrue, true)
	inv("playStream", FamilyStream, fsm.Symbol(stream.Pending), BoolFalse, true)
	inv("call", FamilyCall, fsm.Symbol(call.Pending), BoolUnset, false)
	inv("OnCallEvent", FamilyCall, fsm.Symbol(call.Pending), BoolUnset, false)
	inv("OnDataEvent", FamilyData, fsm.Symbol(connection.DataPending), BoolUnset, false)
	cmd := func(f Family, names ...string) {
		for _, n := range names {
			out = append(out, Method{Name: n, Kind: MethodKindCommand, Family: f, HasFamily: true})
		}
	}
	cmd(FamilyCall, "answer", "hangup", "hold", "unhold")
	cmd(FamilyTransfer, "transfer")
	cmd(FamilyCall, "sendDtmf")
	cmd(FamilyStream, "unPublishStream", "stopStream", "pauseStream", "snapshot")
	cmd(FamilyDebug, "sessionDebug")
	for _, n := range []string{"availableStream", "BugReportStatusEvent", "ErrorStatusEvent", "MessageStatusEvent",
		"OnMessageEvent", "OnTransferEvent", "playHLS", "playRTSP", "pushLogs", "RecordingStatusEvent", "sendMessage",
		"sendXcapRequest", "StreamsStatEvent", "StreamTranscodingGroupEvent", "submitBugReport", "subscribe",
		"SubscriptionStatusEvent", "XcapStatusEvent"} {
		out = append(out, Method{Name: n, Kind: MethodKindOther})
	}
	if len(out) != NumMethods {
		panic("wcs: the catalogue has " + strconv.Itoa(len(out)) + " methods; NumMethods says " + strconv.Itoa(NumMethods))
	}
	seen := map[string]bool{}
	for i := range out {
		if seen[out[i].Name] {
			panic("wcs: method " + out[i].Name + " is declared twice")
		}
		seen[out[i].Name] = true
		out[i].index = uint8(i)
	}
	return out
}()

// Methods returns the catalogue: every REST method WCS posts, the status
// events first, in the order of hooks.md.
func Methods() []Method { return append([]Method(nil), methods...) }

// methodBucket[nameBucket(name)] lists the indexes in methods of the names
// in that bucket: at most two of them (checked when the table is built),
// so that a lookup compares a name with one or two others, where a map
// would hash it.
var methodBucket = func() (out [256][]uint8) {
	for i, m := range methods {
		b := nameBucket(m.Name)
		out[b] = append(out[b], uint8(i))
		if len(out[b]) > 2 {
			panic("wcs: more than two method names in one lookup bucket: " + m.Name)
		}
	}
	return
}()

// nameBucket is the bucket of a name in methodBucket: its length, its first
// byte and its last.
func nameBucket(name string) uint8 {
	if name == "" {
		return 0
	}
	return uint8(len(name)*7 + int(name[0])*3 + int(name[len(name)-1]))
}

// LookupMethod returns the method that name names: a method's own name, or
// a hook URL or request path whose last segment is one. The lookup goes by
// a bucket of the name's length and end bytes and a word compare, with no
// map.
func LookupMethod(name string) (Method, bool) {
	if m, ok := methodByName(name); ok {
		return m, true
	}
	return methodByName(LastSegment(name))
}

func methodByName(name string) (Method, bool) {
	for _, i := range methodBucket[nameBucket(name)] {
		if eqSameLen(methods[i].Name, name) {
			return methods[i], true
		}
	}
	return Method{}, false
}

// InvocationsOf returns the names of the invocations that deliver status st
// to family f's machine, in the catalogue's order ("call", "OnCallEvent"
// for a call's PENDING); none for a status no invocation delivers.
func InvocationsOf(f Family, st fsm.Symbol) []string {
	var out []string
	for _, m := range methods {
		if m.Kind == MethodKindInvocation && m.Family == f && m.Status == st {
			out = append(out, m.Name)
		}
	}
	return out
}
