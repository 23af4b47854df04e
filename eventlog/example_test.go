package eventlog_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/wcsfsm/wcsfsm/eventlog"
)

// A Validator reads a log and reports every finding, in order.
func ExampleValidator() {
	log := `{"event":"ConnectionStatusEvent","sessionId":"s1","status":"ESTABLISHED"}
{"event":"CallStatusEvent","sessionId":"s1","callId":"c1","status":"RING"}
{"event":"CallStatusEvent","sessionId":"s1","callId":"c1","status":"HOLD"}
{"event":"CallStatusEvent","sessionId":"s1","callId":"c1","status":"FINISH"}
{"event":"ConnectionStatusEvent","sessionId":"s1","status":"DISCONNECTED"}
`
	v := &eventlog.Validator{Report: func(f eventlog.Finding) { fmt.Println(f) }}
	if err := v.ReadJSONL("calls.jsonl", strings.NewReader(log)); err != nil {
		fmt.Println(err)
	}
	v.End()
	// Output:
	// calls.jsonl:3: error illegal-transition: CallStatusEvent c1 in RING got HOLD; allowed: BUSY, ESTABLISHED, FAILED, FINISH, RING, RING_MEDIA, SESSION_PROGRESS
}

// A Tracker takes one event at a time: the face a hook receiver uses. Its
// zero value is ready to use.
func ExampleTracker() {
	var t eventlog.Tracker
	for _, e := range []eventlog.Event{
		{Event: "ConnectionStatusEvent", Status: "ESTABLISHED", SessionID: "s1"},
		{Event: "/apps/EchoApp/StreamStatusEvent", Status: "PUBLISHING", SessionID: "s1", MediaSessionID: "m1", Published: eventlog.True},
		{Event: "StreamKeepAliveEvent", Status: "PLAYING", SessionID: "s1", MediaSessionID: "m1"},
	} {
		for _, f := range t.Take(&e) {
			fmt.Println(f.Kind, f.Message)
		}
	}
	for _, f := range t.End() {
		fmt.Println(f.Kind, f.Entity, f.From)
	}
	// Output:
	// keepalive-mismatch StreamKeepAliveEvent m1 got PLAYING: its stream is PUBLISHING; a PLAYING keep-alive needs it PLAYING
	// dangling s1 ESTABLISHED
	// dangling m1 PUBLISHING
}

// Findings as validate -format json writes them.
func ExampleFinding_AppendJSON() {
	var t eventlog.Tracker
	fs := t.Take(&eventlog.Event{File: "hooks.jsonl", Line: 7, Event: "DataStatusEvent", Status: "LOST", SessionID: "s1", OperationID: "op1"})
	os.Stdout.Write(append(fs[0].AppendJSON(nil), '\n'))
	// Output:
	// {"file":"hooks.jsonl","line":7,"severity":"error","kind":"unknown-status","event":"DataStatusEvent","entity":"op1","nodeId":"","from":"NEW","status":"LOST","allowed":["ACCEPTED","FAILED","PENDING"],"message":"DataStatusEvent op1 got LOST, which is not a status of DataStatusEvent; allowed in NEW: ACCEPTED, FAILED, PENDING"}
}
