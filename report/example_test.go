package report_test

import (
	"fmt"
	"strings"

	"github.com/wcsfsm/wcsfsm/eventlog"
	"github.com/wcsfsm/wcsfsm/report"
)

// A Recorder fed along a validator's pass: Observe gives it the events,
// Report the findings; Page makes the page's model, WriteHTML the page.
func ExampleRecorder() {
	log := `{"event":"ConnectionStatusEvent","sessionId":"s1","status":"ESTABLISHED"}
{"event":"StreamStatusEvent","sessionId":"s1","mediaSessionId":"m1","status":"PUBLISHING"}
{"event":"StreamStatusEvent","sessionId":"s1","mediaSessionId":"m1","status":"UNPUBLISHED"}
{"event":"StreamStatusEvent","sessionId":"s1","mediaSessionId":"m1","status":"UNPUBLISHED"}
{"event":"ConnectionStatusEvent","sessionId":"s1","status":"DISCONNECTED"}
{"event":"ConnectionStatusEvent","sessionId":"s2","status":"ESTABLISHED"}
{"event":"ConnectionStatusEvent","sessionId":"s2","status":"DISCONNECTED"}
`
	rec := report.NewRecorder(report.Options{})
	v := &eventlog.Validator{Observe: rec.Event, Report: rec.Finding}
	if err := v.ReadJSONL("x.jsonl", strings.NewReader(log)); err != nil {
		fmt.Println(err)
		return
	}
	v.End()
	p := rec.Page(report.Input{Files: []string{"x.jsonl"}, Stats: v.Stats(), Coverage: v.Coverage()})
	for _, tl := range p.Timelines {
		fmt.Printf("session %s: %d events drawn\n", tl.Session, len(tl.Boxes))
		for _, m := range tl.Marks {
			fmt.Printf("  line %d, %s: %s\n", m.Line, m.Lane, m.Kind)
		}
	}
	// Output:
	// session s1: 5 events drawn
	//   line 4, StreamStatusEvent m1: illegal-transition
}
