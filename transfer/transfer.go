package transfer

import "github.com/wcsfsm/wcsfsm/fsm"

// State is a status of TransferStatusEvent, the transfer of a SIP call, or
// New before any. The key of the entity is the callId of the call being
// transferred.
//
// The flow is RFC 3515 (REFER) and RFC 5589 (call transfer): REFER → 202
// Accepted → NOTIFY with a 1xx sipfrag … → NOTIFY with a 2xx sipfrag
// (completed) or a 3xx-6xx one (failed). Deliberate choice: a failed
// transfer is not the end of the call, so FAILED is final but not terminal
// and a new attempt (ACCEPTED, or an outright rejection) may follow it.
type State uint8

const (
	// New: nothing seen yet.
	// May be followed by: ACCEPTED, FAILED.
	New State = iota
	// Accepted: "Запрос на трансфер SIP-звонка принят", the request to
	// transfer the SIP call was accepted.
	// May be followed by: COMPLETED, FAILED, TRYING.
	Accepted
	// Trying: "Попытка провести трансфер", the transfer is being attempted.
	// May be followed by: COMPLETED, FAILED, TRYING.
	Trying
	// Completed: "Трансфер завершен успешно", the transfer completed
	// successfully.
	// Terminal: nothing may follow.
	Completed
	// Failed: "Трансфер не прошел", the transfer did not go through.
	// May be followed by: ACCEPTED, FAILED.
	Failed
)

var stateNames = [...]string{
	New:       "NEW",
	Accepted:  "ACCEPTED",
	Trying:    "TRYING",
	Completed: "COMPLETED",
	Failed:    "FAILED",
}

func (s State) String() string { return fsm.NameOf(stateNames[:], s) }

// Machine is the declared machine of TransferStatusEvent.
var Machine = fsm.MustBuild(fsm.Spec[State]{
	Name:    "TransferStatusEvent",
	Names:   stateNames[:],
	Initial: New,
	Rules: []fsm.Rule[State]{
		{Status: Accepted, From: []State{New, Failed},
			Why:    "202 Accepted; after a failed attempt the call may be transferred again",
			Source: "RFC 3515 §2.4.2; RFC 5589 §6"},
		{Status: Trying, From: []State{Accepted, Trying},
			Why:    "NOTIFY with a 1xx sipfrag (100 Trying, 180 Ringing, …)",
			Source: "RFC 3515 §2.4.4, §2.4.5"},
		{Status: Completed, From: []State{Accepted, Trying},
			Why:    "NOTIFY with a 2xx sipfrag",
			Source: "RFC 3515 §2.4.5; RFC 5589 §6"},
		{Status: Failed, From: []State{New, Accepted, Trying, Failed},
			Why:    "REFER rejected, or NOTIFY with a failure; a new attempt may be rejected outright again",
			Source: "RFC 3515 §2.4.2, §2.4.5; RFC 5589 §6"},
	},
	Terminal: []State{Completed},
	Final:    []State{New, Completed, Failed},
})
