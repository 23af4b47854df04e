package connection

import "github.com/wcsfsm/wcsfsm/fsm"

// DataState is a status of DataStatusEvent, one data send (sendData) of a
// WCS session, or DataNew before it. The key of the entity is the
// operationId; a DataStatusEvent without one is checked against its session
// only. Exactly one status per operation: the Web SDK resolves one promise.
// Beyond the source page: DataPending, the state after the OnDataEvent hook,
// is delivered only by that hook (hooks.md); and DataNew is final, as for
// every machine (nothing seen, nothing open).
type DataState uint8

const (
	// DataNew: nothing seen yet.
	// May be followed by: ACCEPTED, FAILED, PENDING.
	DataNew DataState = iota
	// DataPending: the OnDataEvent hook: the data went to the REST app. Not
	// on the source page; only that hook delivers it.
	// May be followed by: ACCEPTED, FAILED.
	DataPending
	// DataAccepted: "Данные приняты для обработки", data accepted for processing.
	// Terminal: nothing may follow.
	DataAccepted
	// DataFailed: "Произошла ошибка", an error occurred.
	// Terminal: nothing may follow.
	DataFailed
)

var dataNames = [...]string{
	DataNew:      "NEW",
	DataPending:  "PENDING",
	DataAccepted: "ACCEPTED",
	DataFailed:   "FAILED",
}

func (s DataState) String() string { return fsm.NameOf(dataNames[:], s) }

// Data is the declared machine of DataStatusEvent.
var Data = fsm.MustBuild(fsm.Spec[DataState]{
	Name:    "DataStatusEvent",
	Names:   dataNames[:],
	Initial: DataNew,
	Rules: []fsm.Rule[DataState]{
		{Status: DataPending, From: []DataState{DataNew},
			Why:    "the OnDataEvent hook: the data went to the REST app; only that hook delivers it",
			Source: "WCS REST hook OnDataEvent (hooks.md)"},
		{Status: DataAccepted, From: []DataState{DataNew, DataPending},
			Why:    "the backend took the data (OnDataEvent answered 200)",
			Source: "WCS REST hook OnDataEvent; Web SDK Session.sendData"},
		{Status: DataFailed, From: []DataState{DataNew, DataPending},
			Why:    "the backend refused it or an error occurred",
			Source: "WCS REST hook OnDataEvent; Web SDK Session.sendData"},
	},
	Terminal: []DataState{DataAccepted, DataFailed},
	Final:    []DataState{DataNew, DataAccepted, DataFailed},
})
