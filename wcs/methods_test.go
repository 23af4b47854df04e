package wcs_test

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wcsfsm/wcsfsm/internal/spectest"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// TestMethodsAreTheSpec: the catalogue is hooks.md's, method for method,
// in its order: kind, family, key and the status an invocation delivers
// (the oracle of internal/spectest, the status events keyed as
// machines.md says); and a status event carries what an invocation
// delivers exactly where hooks.md says it may.
func TestMethodsAreTheSpec(t *testing.T) {
	spec := spectest.LoadHooks(t)
	var got []spectest.Hook
	for _, m := range wcs.Methods() {
		h := spectest.Hook{Name: m.Name, Kind: m.Kind.String()}
		if m.HasFamily {
			h.Family, h.Key = m.Family.String(), m.Key().String()
		}
		if m.Kind == wcs.MethodKindInvocation {
			h.Status = m.Family.Machine().String(m.Status)
			only := slices.Contains(spec.HookOnly[h.Family], h.Status)
			if m.EventCarries == only || wcs.StatusEventCarries(m.Family, m.Status) == only {
				t.Errorf("%s: EventCarries %v, StatusEventCarries %v; hooks.md says only invocations deliver %s to %s: %v",
					m.Name, m.EventCarries, wcs.StatusEventCarries(m.Family, m.Status), h.Status, h.Family, only)
			}
		}
		got = append(got, h)
	}
	if diff := cmp.Diff(spec.List, got); diff != "" {
		t.Errorf("the catalogue differs from testdata/spec/hooks.md (-spec +catalogue):\n%s", diff)
	}
}

func TestLookupMethod(t *testing.T) {
	for _, r := range []struct {
		why, name, want string
		ok              bool
	}{
		{"a status event by its name", "CallStatusEvent", "CallStatusEvent", true},
		{"an invocation by a request path", "/rest/EchoApp/publishStream", "publishStream", true},
		{"a command by a URL with a query", "http://backend:8081/app/hangup?x=1", "hangup", true},
		{"another hook", "StreamsStatEvent", "StreamsStatEvent", true},
		{"names are case-sensitive", "/rest/PublishStream", "", false},
		{"an unknown name", "frobnicate", "", false},
		{"a URL without a path names nothing, not its host", "http://connect/", "", false},
		{"a URL whose host is a hook's name", "http://connect:8081/app/call", "call", true},
	} {
		m, ok := wcs.LookupMethod(r.name)
		if ok != r.ok || m.Name != r.want {
			t.Errorf("%s: LookupMethod(%q) = %q, %v; want %q, %v", r.why, r.name, m.Name, ok, r.want, r.ok)
		}
	}
	for _, r := range []struct{ why, url, want string }{
		{"a request path", "/apps/EchoApp/publishStream/", "publishStream"},
		{"a URL, its query and fragment dropped", "http://h:8081/a/b?c=/d#e", "b"},
		{"a URL without a path: no segment, not the host", "http://localhost:8081", ""},
		{"a URL of the root", "http://localhost:8081/", ""},
		{"a bare name", "connect", "connect"},
	} {
		if got := wcs.LastSegment(r.url); got != r.want {
			t.Errorf("%s: LastSegment(%q) = %q, want %q", r.why, r.url, got, r.want)
		}
	}
	for _, m := range wcs.Methods() {
		if got, ok := wcs.LookupMethod(m.Name); !ok || got != m {
			t.Errorf("LookupMethod(%q) = %+v, %v", m.Name, got, ok)
		}
	}
}
