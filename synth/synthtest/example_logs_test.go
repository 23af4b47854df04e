package synthtest_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/wcsfsm/wcsfsm/eventlog"
	"github.com/wcsfsm/wcsfsm/synth"
	"github.com/wcsfsm/wcsfsm/synth/synthtest"
	"github.com/wcsfsm/wcsfsm/tracker"
	"pgregory.net/rapid"
)

// A property of a log consumer (here the validator itself): on any legal
// log of many interleaved sessions it reports nothing. In a test, pass its
// *testing.T to rapid.Check.
func ExampleLogs() {
	var t exampleTB
	rapid.Check(&t, func(t *rapid.T) {
		log := synthtest.Logs(synth.Options{Events: 100, Sessions: 4}).Draw(t, "log")
		v := &eventlog.Validator{Report: func(f tracker.Finding) { t.Fatal(f) }}
		if err := v.ReadJSONL("log", bytes.NewReader(log.Bytes())); err != nil {
			t.Fatal(err)
		}
		v.End()
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
func (*exampleTB) Name() string                     { return "ExampleLogs" }
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
