package connection

import "github.com/wcsfsm/wcsfsm/fsm"

// State is a status of ConnectionStatusEvent, the WebSocket connection of a
// WCS session, or New before any. The key of the entity is the sessionId.
//
// The source page lists ESTABLISHED, FAILED and DISCONNECTED. Deliberate
// choices beyond it: PENDING, the state after the connect hook (a client
// opened the WebSocket, the REST app has not answered), is delivered only by
// that hook, never by a ConnectionStatusEvent (hooks.md); a connection is
// never re-established (a reconnect is a new session, with a new sessionId);
// and DISCONNECTED never follows FAILED (the Web SDK's test "status should
// be FAILED when connecting to closed port" fails on a DISCONNECTED).
type State uint8

const (
	// New: nothing seen yet.
	// May be followed by: ESTABLISHED, FAILED, PENDING.
	New State = iota
	// Pending: the connect hook: a client opened the WebSocket and the REST
	// app has not answered yet. Not on the source page; only the connect
	// hook delivers it.
	// May be followed by: DISCONNECTED, ESTABLISHED, FAILED.
	Pending
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
	Pending:      "PENDING",
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
		{Status: Pending, From: []State{New},
			Why:    "the connect hook: a client opened the WebSocket; only that hook delivers it (hooks.md)",
			Source: "WCS REST hook connect (hooks.md)"},
		{Status: Established, From: []State{New, Pending},
			Why:    "the REST app acknowledged the WebSocket connection",
			Source: "Web SDK createSession (flashphoner-core.js); WCS REST hook connect"},
		{Status: Failed, From: []State{New, Pending, Established},
			Why:    "the REST app refused connect, failure while connecting, or the ping watchdog / a socket error later",
			Source: "Web SDK flashphoner-core.js (ws.onerror, ping watchdog); test/test.js; WCS REST hook connect"},
		{Status: Disconnected, From: []State{Pending, Established},
			Why:    "a clean close of the socket: of an established connection, or before the REST app answered",
			Source: "Web SDK flashphoner-core.js (ws.onclose)"},
	},
	Terminal: []State{Disconnected, Failed},
	Final:    []State{New, Disconnected, Failed},
})
