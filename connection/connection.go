package connection

import "github.com/wcsfsm/wcsfsm/fsm"

// State is a status of ConnectionStatusEvent, the WebSocket connection of a
// WCS session, or New before any. The key of the entity is the sessionId.
//
// The source page lists ESTABLISHED, FAILED and DISCONNECTED. Deliberate
// choices beyond it: a connection is never re-established (a reconnect is a
// new session, with a new sessionId), and DISCONNECTED never follows FAILED
// (the Web SDK's test "status should be FAILED when connecting to closed port"
// fails on a DISCONNECTED).
type State uint8

const (
	// New: nothing seen yet.
	// May be followed by: ESTABLISHED, FAILED.
	New State = iota
	// Established: "Соединение установлено", connection established.
	// May be followed by: DISCONNECTED, FAILED.
	Established
	// Failed: "Ошибка при установке соединения", error while establishing the
	// connection (or a later socket error).
	// Terminal: nothing may follow.
	Failed
	// Disconnected: "Соединение разорвано", connection closed.
	// Terminal: nothing may follow.
	Disconnected
)

var stateNames = [...]string{
	New:          "NEW",
	Established:  "ESTABLISHED",
	Failed:       "FAILED",
	Disconnected: "DISCONNECTED",
}

func (s State) String() string { return fsm.NameOf(stateNames[:], s) }

// Machine is the declared machine of ConnectionStatusEvent.
var Machine = fsm.MustBuild(fsm.Spec[State]{
	Name:    "ConnectionStatusEvent",
	Names:   stateNames[:],
	Initial: New,
	Rules: []fsm.Rule[State]{
		{Status: Established, From: []State{New},
			Why:    "the REST app acknowledged the WebSocket connection",
			Source: "Web SDK createSession (flashphoner-core.js); WCS REST hook connect"},
		{Status: Failed, From: []State{New, Established},
			Why:    "failure while connecting, or the ping watchdog / a socket error later",
			Source: "Web SDK flashphoner-core.js (ws.onerror, ping watchdog); test/test.js"},
		{Status: Disconnected, From: []State{Established},
			Why:    "a clean close of an established connection",
			Source: "Web SDK flashphoner-core.js (ws.onclose)"},
	},
	Terminal: []State{Disconnected, Failed},
	Final:    []State{New, Disconnected, Failed},
})
