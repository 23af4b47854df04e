package fsmtest_test

import (
	"bytes"
	"fmt"

	"github.com/wcsfsm/wcsfsm/eventlog"
	"github.com/wcsfsm/wcsfsm/fsm/fsmtest"
	"github.com/wcsfsm/wcsfsm/synth"
	"pgregory.net/rapid"
)

// A property of a log consumer (here the validator itself): on any legal
// log of many interleaved sessions it reports nothing. In a test, pass its
// *testing.T to rapid.Check.
func ExampleLogs() {
	var t exampleTB
	rapid.Check(&t, func(t *rapid.T) {
		log := fsmtest.Logs(synth.Options{Events: 100, Sessions: 4}).Draw(t, "log")
		v := &eventlog.Validator{Report: func(f eventlog.Finding) { t.Fatal(f) }}
		if err := v.ReadJSONL("log", bytes.NewReader(log.Bytes())); err != nil {
			t.Fatal(err)
		}
		v.End()
	})
	fmt.Println("failed:", t.Failed())
	// Output:
	// failed: false
}
