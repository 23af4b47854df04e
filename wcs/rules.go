package wcs

import (
	"encoding/binary"
	"unsafe"

	"github.com/wcsfsm/wcsfsm/call"
	"github.com/wcsfsm/wcsfsm/connection"
	"github.com/wcsfsm/wcsfsm/fsm"
	"github.com/wcsfsm/wcsfsm/stream"
	"github.com/wcsfsm/wcsfsm/transfer"
)

// The rules across families (machines.md) speak of particular statuses of
// other machines; they are named here, with the families' own constants,
// as arrays indexed by status (a status has a value below symbols). Every
// predicate takes the untyped statuses of the families' machines
// (Family.Machine), so that a tracker and a generator ask the same
// questions.
const symbols = 1 << 8

var (
	// Rule 3: the stream state each keep-alive status needs (0: none).
	keepAliveNeeds = symbolTable(map[fsm.Symbol]fsm.Symbol{
		fsm.Symbol(stream.KeepAlivePublishing): fsm.Symbol(stream.Publishing),
		fsm.Symbol(stream.KeepAlivePlaying):    fsm.Symbol(stream.Playing),
	})
	// Rule 4: the call states a transfer attempt needs.
	callLive = []fsm.Symbol{fsm.Symbol(call.Established), fsm.Symbol(call.Hold)}
	// Rule 5: the direction each status implies (published or played).
	direction = [NumFamilies]*[symbols]Bool{
		FamilyStream: symbolTable(map[fsm.Symbol]Bool{
			fsm.Symbol(stream.Publishing):  BoolTrue,
			fsm.Symbol(stream.Unpublished): BoolTrue,
			fsm.Symbol(stream.Playing):     BoolFalse,
			fsm.Symbol(stream.Paused):      BoolFalse,
			fsm.Symbol(stream.Stopped):     BoolFalse,
		}),
		FamilyKeepAlive: symbolTable(map[fsm.Symbol]Bool{
			fsm.Symbol(stream.KeepAlivePublishing): BoolTrue,
			fsm.Symbol(stream.KeepAlivePlaying):    BoolFalse,
		}),
	}
	// The family whose entities share a key with a family's (rule 5: a
	// stream and its keep-alives).
	siblingOf = [NumFamilies]Family{FamilyStream: FamilyKeepAlive, FamilyKeepAlive: FamilyStream}
	// Rule 6: the families whose having been seen decides, under
	// -partial, whether another family's rule is checked.
	otherSide = [NumFamilies]bool{FamilyConnection: true, FamilyStream: true, FamilyCall: true}
)

// symbolTable turns a map by status into an array (missing: the zero value).
func symbolTable[V any](m map[fsm.Symbol]V) *[symbols]V {
	var t [symbols]V
	for k, v := range m {
		t[k] = v
	}
	return &t
}

// SessionLive is the state of its connection in which a session may start
// entities (rule 1): ESTABLISHED.
const SessionLive = fsm.Symbol(connection.Established)

// SessionConnecting is the state of its connection while a session is
// connecting: its connect hook came, and no answer yet (PENDING).
const SessionConnecting = fsm.Symbol(connection.Pending)

// KeepAliveNeeds returns the stream state that a keep-alive status needs
// (rule 3), and false for a status that needs none.
func KeepAliveNeeds(status fsm.Symbol) (fsm.Symbol, bool) {
	need := keepAliveNeeds[status]
	return need, need != 0
}

// TransferAttempt reports whether status, received by a transfer in state
// from, starts an attempt to transfer the call, which needs the call live
// (rule 4): ACCEPTED, or FAILED from NEW or FAILED (a REFER rejected
// outright).
func TransferAttempt(from, status fsm.Symbol) bool {
	switch transfer.State(status) {
	case transfer.Accepted:
		return true
	case transfer.Failed:
		return transfer.State(from) == transfer.New || transfer.State(from) == transfer.Failed
	}
	return false
}

// CallLive reports whether a call in state s may be transferred (rule 4).
func CallLive(s fsm.Symbol) bool {
	for _, l := range callLive {
		if s == l {
			return true
		}
	}
	return false
}

// LiveCallStates lists the call states that CallLive accepts, for messages.
func LiveCallStates() []fsm.Symbol { return append([]fsm.Symbol(nil), callLive...) }

// Direction returns the direction (published: BoolTrue, played: BoolFalse)
// that status st of family f implies, or BoolUnset (rule 5): only streams
// and keep-alives have one.
func Direction(f Family, st fsm.Symbol) Bool {
	if f >= NumFamilies || direction[f] == nil {
		return BoolUnset
	}
	return direction[f][st]
}

// Sibling returns the family whose entities share their keys with f's and
// one direction with them (rule 5: a stream and its keep-alives).
func Sibling(f Family) (Family, bool) {
	if f != FamilyStream && f != FamilyKeepAlive {
		return 0, false
	}
	return siblingOf[f], true
}

// OtherSide reports whether f's having been seen in a log decides, under
// -partial, whether a rule of another family is checked (machines.md, rule
// 6: a ConnectionStatusEvent for rules 1 and 2, a StreamStatusEvent for
// rule 3, a CallStatusEvent for rule 4). Their initial states are final.
func OtherSide(f Family) bool { return f < NumFamilies && otherSide[f] }

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
