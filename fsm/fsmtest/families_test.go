package fsmtest_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wcsfsm/wcsfsm/fsm"
	"github.com/wcsfsm/wcsfsm/fsm/fsmtest"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// families are the eight machines of the Web Call Server, untyped, from the
// one registry of them.
var families = func() (out []*fsm.Machine[fsm.Symbol]) {
	for _, f := range wcs.Families() {
		out = append(out, f.Machine())
	}
	return
}()

// edge is a transition without its reasons, for comparing.
type edge struct{ From, Status, To string }

func edges(m *fsm.Machine[fsm.Symbol]) []edge {
	var out []edge
	for _, tr := range m.Transitions() {
		out = append(out, edge{m.String(tr.From), m.String(tr.Status), m.String(tr.To)})
	}
	return out
}

// run follows seq from the initial state; it reports the last edge taken
// and whether every status was legal.
func run(m *fsm.Machine[fsm.Symbol], seq []fsm.Symbol) (last edge, st fsm.Symbol, ok bool) {
	st = m.Initial()
	for _, x := range seq {
		to, legal := m.Next(st, x)
		if !legal {
			return last, st, false
		}
		last = edge{m.String(st), m.String(x), m.String(to)}
		st = to
	}
	return last, st, true
}

func TestTransitionPathsTakeEveryEdge(t *testing.T) {
	for _, m := range families {
		t.Run(m.Name(), func(t *testing.T) {
			var got []edge
			for _, p := range fsmtest.TransitionPaths(m) {
				last, st, ok := run(m, p.Seq)
				if !ok || st != p.To {
					t.Errorf("%v: legal %v, ends in %v, want %v", m.Names(p.Seq), ok, m.String(st), m.String(p.To))
				}
				got = append(got, last)
			}
			if diff := cmp.Diff(edges(m), got); diff != "" {
				t.Errorf("last edges of TransitionPaths differ from Transitions (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStatePathsReachEveryState(t *testing.T) {
	for _, m := range families {
		t.Run(m.Name(), func(t *testing.T) {
			paths := fsmtest.StatePaths(m)
			dist := map[fsm.Symbol]int{}
			var got []fsm.Symbol
			for _, p := range paths {
				_, st, ok := run(m, p.Seq)
				if !ok || st != p.To {
					t.Errorf("%v: legal %v, ends in %v, want %v", m.Names(p.Seq), ok, m.String(st), m.String(p.To))
				}
				got = append(got, p.To)
				dist[p.To] = len(p.Seq)
			}
			if diff := cmp.Diff(m.Names(m.States()), m.Names(got)); diff != "" {
				t.Errorf("states reached (-want +got):\n%s", diff)
			}
			// The lengths are the distances: realised by legal paths (above),
			// 0 at the start, and no edge shortens them.
			if d := dist[m.Initial()]; d != 0 {
				t.Errorf("path to the initial state has %d statuses", d)
			}
			for _, tr := range m.Transitions() {
				if dist[tr.To] > dist[tr.From]+1 {
					t.Errorf("%s -%s-> %s: path to %s has %d statuses, one via this edge %d",
						m.String(tr.From), m.String(tr.Status), m.String(tr.To), m.String(tr.To), dist[tr.To], dist[tr.From]+1)
				}
			}
		})
	}
}

// TestCoverDeterministic: the cover sets are the same on every call, and
// calls do not share slices.
func TestCoverDeterministic(t *testing.T) {
	for _, m := range families {
		a, b := fsmtest.TransitionPaths(m), fsmtest.TransitionPaths(m)
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("%s: TransitionPaths differ between calls:\n%s", m.Name(), diff)
		}
		for i := range a {
			a[i].Seq[0] = 0xFE
		}
		if diff := cmp.Diff(fsmtest.TransitionPaths(m), b); diff != "" {
			t.Errorf("%s: TransitionPaths share memory between calls:\n%s", m.Name(), diff)
		}
		if diff := cmp.Diff(fsmtest.StatePaths(m), fsmtest.StatePaths(m)); diff != "" {
			t.Errorf("%s: StatePaths differ between calls:\n%s", m.Name(), diff)
		}
	}
}
