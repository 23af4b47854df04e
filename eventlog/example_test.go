package eventlog_test

import (
	"fmt"
	"strings"

	"github.com/wcsfsm/wcsfsm/eventlog"
	"github.com/wcsfsm/wcsfsm/tracker"
)

// A Validator reads a log and reports every finding, in order.
func ExampleValidator() {
	log := `{"event":"ConnectionStatusEvent","sessionId":"s1","status":"ESTABLISHED"}
{"event":"CallStatusEvent","sessionId":"s1","callId":"c1","status":"RING"}
{"event":"CallStatusEvent","sessionId":"s1","callId":"c1","status":"HOLD"}
{"event":"CallStatusEvent","sessionId":"s1","callId":"c1","status":"FINISH"}
{"event":"ConnectionStatusEvent","sessionId":"s1","status":"DISCONNECTED"}
`
	v := &eventlog.Validator{Report: func(f tracker.Finding) { fmt.Println(f) }}
	if err := v.ReadJSONL("calls.jsonl", strings.NewReader(log)); err != nil {
		fmt.Println(err)
	}
	v.End()
	// Output:
	// calls.jsonl:3: error illegal-transition: CallStatusEvent c1 in RING got HOLD; allowed: BUSY, ESTABLISHED, FAILED, FINISH, RING, RING_MEDIA, SESSION_PROGRESS
}
