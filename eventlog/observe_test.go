package eventlog_test

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wcsfsm/wcsfsm/eventlog"
	"github.com/wcsfsm/wcsfsm/tracker"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// TestObserve: Observe sees every event taken, with its findings, before
// Report gets them, whatever Jobs asks; a line that is no event reaches
// Report alone.
func TestObserve(t *testing.T) {
	sample, err := os.ReadFile("../testdata/sample.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range []struct {
		why  string
		jobs int
	}{
		{"one tracker", 1},
		{"Jobs is ignored: Observe reads with one tracker", 4},
	} {
		var log []string
		v := &eventlog.Validator{Jobs: row.jobs}
		v.Observe = func(ev *wcs.Event, fs []tracker.Finding) {
			log = append(log, "event "+ev.Event)
			for _, f := range fs {
				log = append(log, "observed "+f.Kind.String())
			}
		}
		v.Report = func(f tracker.Finding) { log = append(log, "report "+f.Kind.String()) }
		if err := v.ReadJSONL("sample.jsonl", strings.NewReader(string(sample))); err != nil {
			t.Fatal(err)
		}
		v.End()
		events, pending := 0, 0
		var reported []string
		for _, l := range log {
			switch {
			case strings.HasPrefix(l, "event "):
				if pending != 0 {
					t.Fatalf("%s: an event observed before the findings of the last one were reported", row.why)
				}
				events++
			case strings.HasPrefix(l, "observed "):
				pending++
			case strings.HasPrefix(l, "report "):
				reported = append(reported, strings.TrimPrefix(l, "report "))
				if l != "report malformed" && l != "report dangling" {
					pending--
				}
			}
		}
		if want := 65; events != want { // 66 lines, one of them malformed
			t.Errorf("%s: %d events observed, want %d", row.why, events, want)
		}
		want := []string{"illegal-transition", "keepalive-mismatch", "illegal-transition", "transfer-without-call", "malformed",
			"illegal-transition", "no-session", "dangling", "dangling"}
		if d := cmp.Diff(want, reported); d != "" {
			t.Errorf("%s: reported (-want +got):\n%s", row.why, d)
		}
	}
}
