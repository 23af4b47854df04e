package connection

import "github.com/wcsfsm/wcsfsm/fsm"

// DataState is a status of DataStatusEvent, one data send (sendData) of a
// WCS session, or DataNew before it. The key of the entity is the
// operationId; a DataStatusEvent without one is checked against its session
// only. Exactly one status per operation: the Web SDK resolves one promise.
type DataState uint8

const (
	// DataNew: nothing seen yet.
	// May be followed by: ACCEPTED, FAILED.
	DataNew DataState = iota
	// DataAccepted: "Данные приняты для обработки", data accepted for processing.
	// Terminal: nothing may follow.
	DataAccepted
	// DataFailed: "Произошла ошибка", an error occurred.
	// Terminal: nothing may follow.
	DataFailed
)

var dataNames = [...]string{
	DataNew:      "NEW",
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
		{Status: DataAccepted, From: []DataState{DataNew},
			Why:    "the backend took the data (OnDataEvent answered 200)",
			Source: "WCS REST hook OnDataEvent; Web SDK Session.sendData"},
		{Status: DataFailed, From: []DataState{DataNew},
			Why:    "the backend refused it or an error occurred",
			Source: "WCS REST hook OnDataEvent; Web SDK Session.sendData"},
	},
	Terminal: []DataState{DataAccepted, DataFailed},
	Final:    []DataState{DataAccepted, DataFailed},
})
