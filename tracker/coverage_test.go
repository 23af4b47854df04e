package tracker_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wcsfsm/wcsfsm/tracker"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// taken lists the transitions of f that cov counts, as "FROM -STATUS-> TO ×n".
func taken(cov tracker.Coverage, f wcs.Family) []string {
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
	var tr tracker.Tracker
	for _, e := range []wcs.Event{
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
		f    wcs.Family
		want []string
	}{
		{"the connection took its two edges once each", wcs.FamilyConnection, []string{"ESTABLISHED -DISCONNECTED-> DISCONNECTED ×1", "NEW -ESTABLISHED-> ESTABLISHED ×1"}},
		{"a notice is an edge too, counted each time; a refused status counts nothing", wcs.FamilyStream, []string{"NEW -PLAYING-> PLAYING ×1", "PLAYING -RESIZE-> PLAYING ×2", "PLAYING -STOPPED-> STOPPED ×1"}},
		{"a status its machine allows counts even where a rule across families objects", wcs.FamilyKeepAlive, []string{"NEW -PUBLISHING-> PUBLISHING ×1"}},
		{"a family the log never names took nothing", wcs.FamilyCall, nil},
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
	cov[wcs.FamilyConnection][0] = 99
	if diff := cmp.Diff(taken(tr.Coverage(), wcs.FamilyConnection), rows[0].want); diff != "" {
		t.Errorf("Coverage shares memory with the tracker:\n%s", diff)
	}
	// Init starts counting afresh.
	tr.Init(tracker.Options{})
	if n := tr.Coverage().Taken(wcs.FamilyConnection); n != 0 {
		t.Errorf("after Init, %d connection edges counted", n)
	}
	for _, f := range wcs.Families() {
		if got, want := len(cov[f]), len(f.Machine().Transitions()); got != want {
			t.Errorf("%s: %d counts, %d transitions", f, got, want)
		}
	}
}
