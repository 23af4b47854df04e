package eventlog_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/wcsfsm/wcsfsm/eventlog"
	"github.com/wcsfsm/wcsfsm/tracker"
)

// TestNoHook: an input with lines but not one JSON object is one
// *NoHookError, however long it is, at every -j; one object anywhere in it
// makes every malformed line a finding again, in order.
func TestNoHook(t *testing.T) {
	junk := func(n int) string { return strings.Repeat("junk, not JSON\n", n) }
	hook := `{"event":"StreamsStatEvent"}` + "\n"
	tests := []struct {
		why      string
		input    string
		noHook   bool
		findings int
	}{
		{"a few junk lines: one error, no finding", junk(3), true, 0},
		{"more junk than is held back: still one error, the findings out as they came", junk(5000), true, 5000},
		{"junk, then one hook: every junk line is a finding", junk(10) + hook, false, 10},
		{"one hook, then junk", hook + junk(10), false, 10},
		{"blank lines only: nothing to say", "\n\n \n", false, 0},
		{"an empty input", "", false, 0},
	}
	for _, tt := range tests {
		for _, jobs := range []int{1, 2} {
			t.Run(tt.why, func(t *testing.T) {
				var got []tracker.Finding
				v := &eventlog.Validator{Jobs: jobs, Report: func(f tracker.Finding) { got = append(got, f) }}
				err := v.ReadJSONL("in", strings.NewReader(tt.input))
				var nh *eventlog.NoHookError
				if errors.As(err, &nh) != tt.noHook || tt.noHook && !errors.Is(err, eventlog.ErrNoHook) || !tt.noHook && err != nil {
					t.Fatalf("-j %d: error %v, want a NoHookError: %v", jobs, err, tt.noHook)
				}
				if len(got) != tt.findings {
					t.Fatalf("-j %d: %d findings, want %d", jobs, len(got), tt.findings)
				}
				for i, f := range got {
					if f.Kind != tracker.KindMalformed || i > 0 && f.Line <= got[i-1].Line {
						t.Fatalf("-j %d: finding %d is %v", jobs, i, f)
					}
				}
				if st := v.Stats(); st.Findings[tracker.KindMalformed] != int64(tt.findings) {
					t.Errorf("-j %d: Stats count %d malformed findings, %d were reported", jobs, st.Findings[tracker.KindMalformed], tt.findings)
				}
			})
		}
	}
}
