package tracker_test

import (
	"fmt"
	"os"

	"github.com/wcsfsm/wcsfsm/tracker"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// A Tracker takes one event at a time: the face a hook receiver uses. Its
// zero value is ready to use.
func ExampleTracker() {
	var t tracker.Tracker
	for _, e := range []wcs.Event{
		{Event: "ConnectionStatusEvent", Status: "ESTABLISHED", SessionID: "s1"},
		{Event: "/apps/EchoApp/StreamStatusEvent", Status: "PUBLISHING", SessionID: "s1", MediaSessionID: "m1", Published: wcs.BoolTrue},
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
	var t tracker.Tracker
	fs := t.Take(&wcs.Event{File: "hooks.jsonl", Line: 7, Event: "DataStatusEvent", Status: "LOST", SessionID: "s1", OperationID: "op1"})
	os.Stdout.Write(append(fs[0].AppendJSON(nil), '\n'))
	// Output:
	// {"file":"hooks.jsonl","line":7,"severity":"error","kind":"unknown-status","event":"DataStatusEvent","entity":"op1","nodeId":"","from":"NEW","status":"LOST","allowed":["ACCEPTED","FAILED","PENDING"],"message":"DataStatusEvent op1 got LOST, which is not a status of DataStatusEvent; allowed in NEW: ACCEPTED, FAILED, PENDING (by OnDataEvent)"}
}
