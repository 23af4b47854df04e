package connection

import "github.com/wcsfsm/wcsfsm/fsm"

// DebugState is a status of SessionDebugStatusEvent, the diagnostic (debug
// log) session of a WCS session, or DebugNew before any. The key of the
// entity is the sessionId. Nothing is terminal: debug logs may be switched
// on and off any number of times.
type DebugState uint8

const (
	// DebugNew: nothing seen yet.
	// May be followed by: STARTED.
	DebugNew DebugState = iota
	// DebugStarted: "Включены дебаг-логи", debug logs switched on.
	// May be followed by: STOPPED.
	DebugStarted
	// DebugStopped: "Дебаг-логи отключены", debug logs switched off.
	// May be followed by: STARTED.
	DebugStopped
)

var debugNames = [...]string{
	DebugNew:     "NEW",
	DebugStarted: "STARTED",
	DebugStopped: "STOPPED",
}

func (s DebugState) String() string { return fsm.NameOf(debugNames[:], s) }

// Debug is the declared machine of SessionDebugStatusEvent.
var Debug = fsm.MustBuild(fsm.Spec[DebugState]{
	Name:    "SessionDebugStatusEvent",
	Names:   debugNames[:],
	Initial: DebugNew,
	Rules: []fsm.Rule[DebugState]{
		{Status: DebugStarted, From: []DebugState{DebugNew, DebugStopped},
			Why:    "startDebug()",
			Source: "Web SDK Session.startDebug (flashphoner-core.js)"},
		{Status: DebugStopped, From: []DebugState{DebugStarted},
			Why:    "stopDebug(): only running debug logs can be switched off",
			Source: "Web SDK Session.stopDebug (flashphoner-core.js)"},
	},
	Final: []DebugState{DebugNew, DebugStopped},
})
