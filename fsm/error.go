package fsm

import (
	"errors"
	"strconv"
	"strings"
)

// Causes of an [Error]. Match them with [errors.Is].
//
// The first group is what a sequence of statuses can break; the second is
// what [Build] finds wrong with a [Spec].
var (
	ErrIllegal       = errors.New("status may not follow this state")
	ErrTerminal      = errors.New("state is terminal: nothing may follow")
	ErrUnknownStatus = errors.New("unknown status")

	ErrBadName          = errors.New("bad name table")
	ErrUnknownState     = errors.New("unknown state")
	ErrUnreachable      = errors.New("state unreachable from the initial state")
	ErrDeadEnd          = errors.New("state has no way out and is not terminal")
	ErrDuplicate        = errors.New("duplicate edge")
	ErrFromTerminal     = errors.New("edge out of a terminal state")
	ErrTerminalNotFinal = errors.New("terminal state is not final")
	ErrUnused           = errors.New("name is neither a state nor a status")
)

// Error is the one error type of this package: a problem at a position.
//
// For a sequence (Machine.Validate, Guard.Fire) Index is the position of the
// offending status in the sequence, From the state the machine was in,
// Status the status received and Allowed the statuses legal in From, sorted.
// For a declaration (Build) Index is the position of the offending rule in
// Spec.Rules, or -1 where the problem is about a state as a whole.
//
// Names are strings so that one type serves every machine.
type Error struct {
	Machine string   // the machine's name, e.g. "CallStatusEvent"
	Index   int      // position in the sequence or in Spec.Rules; -1 if none
	From    string   // the state the problem is about
	Status  string   // the status received, or the status of the offending rule
	Allowed []string // statuses legal in From, sorted; nil for declaration problems
	Err     error    // the cause, one of the Err* variables
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Machine)
	if e.Index >= 0 {
		b.WriteString(" [")
		b.WriteString(strconv.Itoa(e.Index))
		b.WriteString("]")
	}
	b.WriteString(": ")
	switch {
	case e.From != "" && e.Status != "":
		b.WriteString(e.From)
		b.WriteString(" got ")
		b.WriteString(e.Status)
		b.WriteString(": ")
	case e.From != "":
		b.WriteString(e.From)
		b.WriteString(": ")
	case e.Status != "":
		b.WriteString(e.Status)
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	if e.Allowed != nil {
		b.WriteString("; allowed: ")
		if len(e.Allowed) == 0 {
			b.WriteString("none")
		} else {
			b.WriteString(strings.Join(e.Allowed, ", "))
		}
	}
	return b.String()
}

// Unwrap returns the cause, so that errors.Is(err, ErrIllegal) works.
func (e *Error) Unwrap() error { return e.Err }

// ErrorList is every problem found, in order. Machine.Validate and Build
// return one (as an error) when they find anything. errors.Is and errors.As
// look through all of its elements.
type ErrorList []*Error

func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap returns the elements, for errors.Is and errors.As.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// Err returns l as an error, or nil if l is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}
