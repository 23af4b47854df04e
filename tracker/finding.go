package tracker

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Severity tells an error from a warning.
type Severity uint8

const (
	SeverityError   Severity = iota // the log breaks a machine, a rule, or the format
	SeverityWarning                 // the log ends with an entity still open
)

var severityNames = [...]string{SeverityError: "error", SeverityWarning: "warning"}

func (s Severity) String() string {
	if int(s) < len(severityNames) {
		return severityNames[s]
	}
	return "Severity(" + strconv.Itoa(int(s)) + ")"
}

// Kind is the kind of a finding, a stable identifier (log-format.md).
type Kind uint8

const (
	KindMalformed           Kind = iota // the line is not a JSON object
	KindLineTooLong                     // the line is longer than the limit
	KindMissingField                    // a required field is missing or not a string (or a field has the wrong type)
	KindUnknownEvent                    // event names no known family
	KindUnknownStatus                   // the family has no such status
	KindIllegalTransition               // the status may not follow the entity's state
	KindNoSession                       // rule 1 or 2: the session is not ESTABLISHED
	KindKeepaliveMismatch               // rule 3
	KindTransferWithoutCall             // rule 4
	KindDirectionMismatch               // rule 5
	KindDangling                        // the log ends with the entity in a state that is not final
	KindEntityLimit                     // too many entities open at once: the event is not tracked
	KindIDTooLong                       // an id (the key, sessionId, nodeId) is longer than the limit: the event is not tracked
	NumKinds                = iota
)

var kindNames = [...]string{
	KindMalformed:           "malformed",
	KindLineTooLong:         "line-too-long",
	KindMissingField:        "missing-field",
	KindUnknownEvent:        "unknown-event",
	KindUnknownStatus:       "unknown-status",
	KindIllegalTransition:   "illegal-transition",
	KindNoSession:           "no-session",
	KindKeepaliveMismatch:   "keepalive-mismatch",
	KindTransferWithoutCall: "transfer-without-call",
	KindDirectionMismatch:   "direction-mismatch",
	KindDangling:            "dangling",
	KindEntityLimit:         "entity-limit",
	KindIDTooLong:           "id-too-long",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Severity returns the severity of findings of kind k.
func (k Kind) Severity() Severity {
	if k == KindDangling {
		return SeverityWarning
	}
	return SeverityError
}

// ParseKind returns the kind named s.
func ParseKind(s string) (Kind, bool) {
	for k, n := range kindNames {
		if n == s {
			return Kind(k), true
		}
	}
	return 0, false
}

// Finding is one problem found in a log. Where a field does not apply it is
// empty (Allowed: an empty list), never missing. From and Allowed always
// speak of the entity's own machine: the state it was in and the statuses
// legal there, sorted.
type Finding struct {
	File     string   // the file, "-" for standard input, the request path for serve
	Line     int      // 1-based; 0 for a finding about the end of the input
	Last     int      // a dangling finding's: the line of the entity's last event (0 otherwise)
	Severity Severity //
	Kind     Kind     //
	Event    string   // the family, e.g. "CallStatusEvent"
	Entity   string   // the entity's key (callId, mediaSessionId, …)
	Node     string   // the entity's nodeId, where the log gives one
	From     string   // the state the entity was in
	Status   string   // the status the event carried
	Allowed  []string // the statuses legal in From, sorted
	Message  string   // a sentence a person can act on
}

// String formats f as validate's text output does:
// "FILE:LINE: SEVERITY KIND: message".
func (f Finding) String() string {
	var b strings.Builder
	b.Grow(len(f.File) + len(f.Message) + 40)
	b.WriteString(f.File)
	b.WriteByte(':')
	b.WriteString(strconv.Itoa(f.Line))
	b.WriteString(": ")
	b.WriteString(f.Severity.String())
	b.WriteByte(' ')
	b.WriteString(f.Kind.String())
	b.WriteString(": ")
	b.WriteString(f.Message)
	return b.String()
}

// MarshalJSON writes the finding as validate -format json does: every field
// present, allowed a (possibly empty) sorted list; and, for a dangling
// finding only, last, the line of the entity's last event.
func (f Finding) MarshalJSON() ([]byte, error) {
	return f.AppendJSON(nil), nil
}

// AppendJSON appends the JSON object of f (no newline) to b.
func (f Finding) AppendJSON(b []byte) []byte {
	b = append(b, `{"file":`...)
	b = appendString(b, f.File)
	b = append(b, `,"line":`...)
	b = strconv.AppendInt(b, int64(f.Line), 10)
	if f.Kind == KindDangling {
		b = append(b, `,"last":`...)
		b = strconv.AppendInt(b, int64(f.Last), 10)
	}
	b = append(b, `,"severity":`...)
	b = appendString(b, f.Severity.String())
	b = append(b, `,"kind":`...)
	b = appendString(b, f.Kind.String())
	b = append(b, `,"event":`...)
	b = appendString(b, f.Event)
	b = append(b, `,"entity":`...)
	b = appendString(b, f.Entity)
	b = append(b, `,"nodeId":`...)
	b = appendString(b, f.Node)
	b = append(b, `,"from":`...)
	b = appendString(b, f.From)
	b = append(b, `,"status":`...)
	b = appendString(b, f.Status)
	b = append(b, `,"allowed":[`...)
	for i, a := range f.Allowed {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, a)
	}
	b = append(b, `],"message":`...)
	b = appendString(b, f.Message)
	return append(b, '}')
}

// appendString appends s as a JSON string, exactly as a json.Encoder with
// SetEscapeHTML(false) writes it (TestAppendStringAgreesWithEncoder): the
// quote, the backslash and control characters escaped, invalid UTF-8 as
// \ufffd, U+2028 and U+2029 escaped; without allocating.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// UnmarshalJSON reads what MarshalJSON writes.
func (f *Finding) UnmarshalJSON(data []byte) error {
	var w struct {
		File     string   `json:"file"`
		Line     int      `json:"line"`
		Last     int      `json:"last"`
		Severity string   `json:"severity"`
		Kind     string   `json:"kind"`
		Event    string   `json:"event"`
		Entity   string   `json:"entity"`
		Node     string   `json:"nodeId"`
		From     string   `json:"from"`
		Status   string   `json:"status"`
		Allowed  []string `json:"allowed"`
		Message  string   `json:"message"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	k, ok := ParseKind(w.Kind)
	if !ok {
		return &json.UnsupportedValueError{Str: "unknown kind " + strconv.Quote(w.Kind)}
	}
	*f = Finding{File: w.File, Line: w.Line, Severity: k.Severity(), Kind: k, Event: w.Event, Entity: w.Entity,
		Node: w.Node, From: w.From, Status: w.Status, Allowed: w.Allowed, Message: w.Message}
	if k == KindDangling {
		f.Last = w.Last // written for dangling findings only
	}
	if w.Severity == "warning" {
		f.Severity = SeverityWarning
	}
	if f.Allowed == nil {
		f.Allowed = []string{}
	}
	return nil
}
