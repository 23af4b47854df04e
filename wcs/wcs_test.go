package wcs_test

import (
	"testing"

	"github.com/wcsfsm/wcsfsm/fsm"
	"github.com/wcsfsm/wcsfsm/wcs"
)

func TestFamilyOf(t *testing.T) {
	for _, row := range []struct {
		why, name string
		want      wcs.Family
		ok        bool
	}{
		{"a family's own name", "CallStatusEvent", wcs.FamilyCall, true},
		{"a hook path names it by its last segment", "/apps/EchoApp/StreamStatusEvent", wcs.FamilyStream, true},
		{"a URL with a query, a fragment and a trailing slash", "http://b:8081/rest/ConnectionStatusEvent/?a=1#x", wcs.FamilyConnection, true},
		{"names are case-sensitive, as WCS writes them", "callstatusevent", 0, false},
		{"an invocation names no family", "/EchoApp/connect", 0, false},
		{"nothing", "", 0, false},
	} {
		if got, ok := wcs.FamilyOf(row.name); got != row.want || ok != row.ok {
			t.Errorf("%s: FamilyOf(%q) = %v, %v; want %v, %v", row.why, row.name, got, ok, row.want, row.ok)
		}
	}
}

// TestParseStatusAgreesWithMachines: the lookup by length finds every
// status of every family as its machine does, and nothing else.
func TestParseStatusAgreesWithMachines(t *testing.T) {
	for _, f := range wcs.Families() {
		m := f.Machine()
		for s := fsm.Symbol(0); int(s) < m.Len(); s++ {
			name := m.String(s)
			want, wantOK := m.ParseStatus(name)
			if got, ok := wcs.ParseStatus(f, name); got != want || ok != wantOK {
				t.Errorf("%s: ParseStatus(%q) = %v, %v; the machine says %v, %v", f, name, got, ok, want, wantOK)
			}
			if _, ok := wcs.ParseStatus(f, name+"X"); ok {
				t.Errorf("%s: %q parses", f, name+"X")
			}
		}
		if got, ok := wcs.ParseFamily(f.String()); got != f || !ok {
			t.Errorf("ParseFamily(%q) = %v, %v", f.String(), got, ok)
		}
	}
}

// TestStatusEventCarries: only the PENDING of a connection, a call and a
// data send is delivered by invocations alone (hooks.md, section 2); a
// stream's status event may carry its own PENDING.
func TestStatusEventCarries(t *testing.T) {
	var hookOnly []string
	for _, f := range wcs.Families() {
		m := f.Machine()
		for _, s := range m.Statuses() {
			if !wcs.StatusEventCarries(f, s) {
				hookOnly = append(hookOnly, f.String()+" "+m.String(s))
			}
		}
	}
	want := []string{"ConnectionStatusEvent PENDING", "CallStatusEvent PENDING", "DataStatusEvent PENDING"}
	if len(hookOnly) != len(want) {
		t.Fatalf("statuses no status event carries: %v, want %v", hookOnly, want)
	}
	for i := range want {
		if hookOnly[i] != want[i] {
			t.Errorf("statuses no status event carries: %v, want %v", hookOnly, want)
		}
	}
}
