package fsmtest_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/wcsfsm/wcsfsm/connection"
	"github.com/wcsfsm/wcsfsm/fsm/fsmtest"
	"pgregory.net/rapid"
)

// account is the code under test: a SIP account's registration, written by
// hand, with no table.
type account struct{ state connection.RegistrationState }

var errAuth = errors.New("authentication failed: nothing may follow")

func (a *account) Fire(s connection.RegistrationState) error {
	switch {
	case a.state == connection.AuthenticationFail:
		return errAuth
	case s == connection.Registered, s == connection.AuthenticationFail:
	case s == connection.Unregistered && a.state == connection.Registered:
	default:
		return fmt.Errorf("%v may not follow %v", s, a.state)
	}
	a.state = s
	return nil
}

func (a *account) State() connection.RegistrationState { return a.state }

// Reset makes account a fsmtest.Resetter: the test goes on after an
// AUTHENTICATION_FAIL.
func (a *account) Reset() { a.state = connection.RegistrationNew }

// In a test, pass its *testing.T to rapid.Check.
func ExampleActions() {
	var t exampleTB
	rapid.Check(&t, func(t *rapid.T) {
		t.Repeat(fsmtest.Actions(connection.Registration, &account{}))
	})
	fmt.Println("failed:", t.Failed())
	// Output:
	// failed: false
}

// exampleTB is the part of a *testing.T that rapid.Check uses, for running
// a check in an example: it keeps quiet unless the check fails.
type exampleTB struct {
	testing.TB // nil: the methods below are all rapid.TB has
	failed     bool
}

func (*exampleTB) Helper()                          {}
func (*exampleTB) Name() string                     { return "ExampleActions" }
func (*exampleTB) Log(...any)                       {}
func (*exampleTB) Logf(string, ...any)              {}
func (t *exampleTB) Error(args ...any)              { fmt.Println(args...); t.Fail() }
func (t *exampleTB) Errorf(format string, a ...any) { t.Error(fmt.Sprintf(format, a...)) }
func (t *exampleTB) Fatal(args ...any)              { t.Error(args...); t.FailNow() }
func (t *exampleTB) Fatalf(format string, a ...any) { t.Errorf(format, a...); t.FailNow() }
func (t *exampleTB) Fail()                          { t.failed = true }
func (*exampleTB) FailNow()                         { panic("check failed") }
func (t *exampleTB) Failed() bool                   { return t.failed }
func (*exampleTB) Skip(...any)                      {}
func (*exampleTB) Skipf(string, ...any)             {}
func (*exampleTB) SkipNow()                         {}
