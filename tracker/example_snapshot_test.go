package tracker_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/wcsfsm/wcsfsm/eventlog"
	"github.com/wcsfsm/wcsfsm/tracker"
)

// A consumer checkpoints the tracker when its log rotates and resumes from
// the checkpoint: the stream that was published in the old file may end in
// the new one, and the second end is still caught.
func ExampleTracker_Snapshot() {
	report := func(f tracker.Finding) { fmt.Println(f) }
	old := &eventlog.Validator{Tracker: tracker.New(tracker.Options{}), Report: report}
	old.ReadJSONL("hooks.log.1", strings.NewReader(
		`{"event":"ConnectionStatusEvent","sessionId":"s1","status":"ESTABLISHED"}
{"event":"StreamStatusEvent","sessionId":"s1","mediaSessionId":"m1","status":"PUBLISHING"}
`))
	var checkpoint bytes.Buffer // a file, in real life
	if err := old.Tracker.Snapshot(&checkpoint); err != nil {
		fmt.Println(err)
	}

	// Later, maybe in another process.
	var resumed tracker.Tracker
	if err := resumed.Restore(&checkpoint); err != nil {
		fmt.Println(err)
	}
	v := &eventlog.Validator{Tracker: &resumed, Report: report}
	v.ReadJSONL("hooks.log", strings.NewReader(
		`{"event":"StreamStatusEvent","sessionId":"s1","mediaSessionId":"m1","status":"UNPUBLISHED"}
{"event":"StreamStatusEvent","sessionId":"s1","mediaSessionId":"m1","status":"UNPUBLISHED"}
`))
	v.End()
	// Output:
	// hooks.log:2: error illegal-transition: StreamStatusEvent m1 in UNPUBLISHED got UNPUBLISHED; UNPUBLISHED is terminal: nothing may follow
	// hooks.log.1:0: warning dangling: ConnectionStatusEvent s1 is left in ESTABLISHED, which is not final (last event at line 1); it may still get: DISCONNECTED, FAILED
}
