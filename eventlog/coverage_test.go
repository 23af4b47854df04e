package eventlog_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wcsfsm/wcsfsm/eventlog"
)

// taken lists the transitions of f that cov counts, as "FROM -STATUS-> TO ×n".
func taken(cov eventlog.Coverage, f eventlog.Family) []string {
	m := f.Machine()
	var out []string
	for i, tr := range m.Transitions() {
		if c := cov[f][i]; c > 0 {
			out = append(out, fmt.Sprintf("%s -%s-> %s ×%d", m.String(tr.From), m.String(tr.Status), m.String(tr.To), c))
		}
	}
	return out
}

func TestTrackerCoverage(t *testing.T) {
	var tr eventlog.Tracker
	for _, e := range []eventlog.Event{
		{Event: "ConnectionStatusEvent", Status: "ESTABLISHED", SessionID: "s1"},
		{Event: "StreamStatusEvent", Status: "PLAYING", SessionID: "s1", MediaSessionID: "m1"},
		{Event: "StreamStatusEvent", Status: "RESIZE", SessionID: "s1", MediaSessionID: "m1"},
		{Event: "StreamStatusEvent", Status: "RESIZE", SessionID: "s1", MediaSessionID: "m1"},
		{Event: "StreamStatusEvent", Status: "UNPUBLISHED", SessionID: "s1", MediaSessionID: "m1"},   // refused: takes no edge
		{Event: "StreamKeepAliveEvent", Status: "PUBLISHING", SessionID: "s1", MediaSessionID: "m1"}, // breaks rule 3, still moves
		{Event: "StreamStatusEvent", Status: "STOPPED", SessionID: "s1", MediaSessionID: "m1"},
		{Event: "ConnectionStatusEvent", Status: "DISCONNECTED", SessionID: "s1"},
	} {
		tr.Take(&e)
	}
	cov := tr.Coverage()
	rows := []struct {
		why  string
		f    eventlog.Family
		want []string
	}{
		{"the connection took its two edges once each", eventlog.Connection, []string{"ESTABLISHED -DISCONNECTED-> DISCONNECTED ×1", "NEW -ESTABLISHED-> ESTABLISHED ×1"}},
		{"a notice is an edge too, counted each time; a refused status counts nothing", eventlog.Stream, []string{"NEW -PLAYING-> PLAYING ×1", "PLAYING -RESIZE-> PLAYING ×2", "PLAYING -STOPPED-> STOPPED ×1"}},
		{"a status its machine allows counts even where a rule across families objects", eventlog.KeepAlive, []string{"NEW -PUBLISHING-> PUBLISHING ×1"}},
		{"a family the log never names took nothing", eventlog.Call, nil},
	}
	for _, row := range rows {
		if diff := cmp.Diff(row.want, taken(cov, row.f)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", row.why, diff)
		}
		if got, want := cov.Taken(row.f), len(row.want); got != want {
			t.Errorf("%s: Taken = %d, want %d", row.why, got, want)
		}
	}
	// A copy: changing it changes nothing in the tracker.
	cov[eventlog.Connection][0] = 99
	if diff := cmp.Diff(taken(tr.Coverage(), eventlog.Connection), rows[0].want); diff != "" {
		t.Errorf("Coverage shares memory with the tracker:\n%s", diff)
	}
	// Init starts counting afresh.
	tr.Init(eventlog.Options{})
	if n := tr.Coverage().Taken(eventlog.Connection); n != 0 {
		t.Errorf("after Init, %d connection edges counted", n)
	}
	for _, f := range eventlog.Families() {
		if got, want := len(cov[f]), len(f.Machine().Transitions()); got != want {
			t.Errorf("%s: %d counts, %d transitions", f, got, want)
		}
	}
}
