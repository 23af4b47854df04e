package wcs

import "strconv"

// Bool is a JSON boolean that may be absent.
type Bool uint8

const (
	BoolUnset Bool = iota // absent
	BoolFalse
	BoolTrue
)

var boolNames = [...]string{BoolUnset: "unset", BoolFalse: "false", BoolTrue: "true"}

// String returns "unset", "false" or "true".
func (b Bool) String() string {
	if int(b) < len(boolNames) {
		return boolNames[b]
	}
	return "Bool(" + strconv.Itoa(int(b)) + ")"
}

// Field is one of the top-level fields of a hook body that the checks read.
type Field uint8

const (
	FieldEvent Field = iota
	FieldStatus
	FieldSessionID
	FieldCallID
	FieldMediaSessionID
	FieldOperationID
	FieldNodeID
	FieldPublished
	NumFields = iota
)

var fieldNames = [NumFields]string{
	FieldEvent:          "event",
	FieldStatus:         "status",
	FieldSessionID:      "sessionId",
	FieldCallID:         "callId",
	FieldMediaSessionID: "mediaSessionId",
	FieldOperationID:    "operationId",
	FieldNodeID:         "nodeId",
	FieldPublished:      "published",
}

// String returns the field's JSON name, e.g. "sessionId".
func (f Field) String() string {
	if f < NumFields {
		return fieldNames[f]
	}
	return "Field(" + strconv.Itoa(int(f)) + ")"
}

// JSONType is the JSON type a field had in a body.
type JSONType uint8

const (
	JSONTypeAbsent JSONType = iota
	JSONTypeString
	JSONTypeNumber
	JSONTypeBool
	JSONTypeNull
	JSONTypeObject
	JSONTypeArray
)

var jsonTypeNames = [...]string{
	JSONTypeAbsent: "missing", JSONTypeString: "a string", JSONTypeNumber: "a number", JSONTypeBool: "a boolean",
	JSONTypeNull: "null", JSONTypeObject: "an object", JSONTypeArray: "an array",
}

// String describes the type as messages do: "missing", "a string", "a
// number", "a boolean", "null", "an object", "an array".
func (t JSONType) String() string {
	if int(t) < len(jsonTypeNames) {
		return jsonTypeNames[t]
	}
	return "JSONType(" + strconv.Itoa(int(t)) + ")"
}

// Event is one hook as the tracker takes it: the fields of its body that
// the checks read, and where it was found. Every other field of the body is
// ignored. An empty string is an absent field.
//
// Types says the JSON type each field had, as a decoder (package hookbody)
// found it; an Event built by hand may leave it zero, and then each field
// is taken as its value says (a string where one is set).
//
// The tracker does not keep the Event or its strings: they may point into
// a buffer that the caller reuses.
type Event struct {
	File string // where the event was read: a file name, "-", a request path
	Line int    // 1-based line (or request number)

	Event          string // the hook: a family, or a hook URL or path whose last segment names it
	Status         string
	SessionID      string
	CallID         string
	MediaSessionID string
	OperationID    string
	NodeID         string
	Published      Bool

	Types [NumFields]JSONType // the JSON type of each field in the body; zero: as the values say
}

// Get returns the string field f ("" for FieldPublished).
func (e *Event) Get(f Field) string {
	switch f {
	case FieldEvent:
		return e.Event
	case FieldStatus:
		return e.Status
	case FieldSessionID:
		return e.SessionID
	case FieldCallID:
		return e.CallID
	case FieldMediaSessionID:
		return e.MediaSessionID
	case FieldOperationID:
		return e.OperationID
	case FieldNodeID:
		return e.NodeID
	}
	return ""
}

// Set sets the string field f to s (nothing for FieldPublished).
func (e *Event) Set(f Field, s string) {
	switch f {
	case FieldEvent:
		e.Event = s
	case FieldStatus:
		e.Status = s
	case FieldSessionID:
		e.SessionID = s
	case FieldCallID:
		e.CallID = s
	case FieldMediaSessionID:
		e.MediaSessionID = s
	case FieldOperationID:
		e.OperationID = s
	case FieldNodeID:
		e.NodeID = s
	}
}
