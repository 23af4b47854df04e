package fsmtest_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wcsfsm/wcsfsm/connection"
	"github.com/wcsfsm/wcsfsm/fsm"
	"github.com/wcsfsm/wcsfsm/fsm/fsmtest"
	"github.com/wcsfsm/wcsfsm/stream"
	"pgregory.net/rapid"
)

// optionRows are the options every family's generators are checked with.
// Every family can meet them all.
var optionRows = []struct {
	name, why string
	o         fsmtest.Options
}{
	{"zero", "the zero value: 0 to DefaultMaxLen statuses, ending anywhere", fsmtest.Options{}},
	{"final", "ending in a final state: the walk plans its way there", fsmtest.Options{Final: true}},
	{"one", "exactly one status: the length is not just a maximum", fsmtest.Options{MinLen: 1, MaxLen: 1}},
	{"short-final", "short and final: the last statuses are forced", fsmtest.Options{MaxLen: 2, Final: true}},
	{"unknown", "symbols that are no status may be drawn", fsmtest.Options{MaxLen: 8, Unknown: true}},
	{"long", "long walks: a machine with terminal states must avoid them early", fsmtest.Options{MinLen: 1, MaxLen: 64}},
}

// bounds are the length bounds of o as documented.
func bounds(o fsmtest.Options) (lo, hi int) {
	if o.MaxLen == 0 {
		return o.MinLen, max(o.MinLen, fsmtest.DefaultMaxLen)
	}
	return o.MinLen, o.MaxLen
}

// isUnknown reports whether s is a symbol that is no status of m.
func isUnknown(m *fsm.Machine[fsm.Symbol], s fsm.Symbol) bool { return !m.IsStatus(s) }

func TestWalk(t *testing.T) {
	for _, row := range optionRows {
		for _, m := range families {
			t.Run(row.name+"/"+m.Name(), func(t *testing.T) {
				lo, hi := bounds(row.o)
				gen := fsmtest.Walk(m, row.o)
				rapid.Check(t, func(rt *rapid.T) {
					seq := gen.Draw(rt, "seq")
					if err := m.Validate(seq); err != nil {
						rt.Fatalf("%s: walk %v is not legal: %v", row.why, m.Names(seq), err)
					}
					if len(seq) < lo || len(seq) > hi {
						rt.Fatalf("%s: %d statuses, want %d to %d", row.why, len(seq), lo, hi)
					}
					if _, st, _ := run(m, seq); row.o.Final && !m.Final(st) {
						rt.Fatalf("%s: walk %v ends in %s, not final", row.why, m.Names(seq), m.String(st))
					}
				})
			})
		}
	}
}

func TestMutants(t *testing.T) {
	for _, row := range optionRows {
		for _, m := range families {
			t.Run(row.name+"/"+m.Name(), func(t *testing.T) {
				lo, hi := bounds(row.o)
				gen := fsmtest.Mutants(m, row.o)
				rapid.Check(t, func(rt *rapid.T) {
					mut := gen.Draw(rt, "mutant")
					x := mut.Seq[mut.Index]
					if m.Can(mut.From, x) {
						rt.Fatalf("%s: %s is allowed in %s", row.why, m.String(x), m.String(mut.From))
					}
					if isUnknown(m, x) && !row.o.Unknown {
						rt.Fatalf("%s: %v is no status of %s", row.why, x, m.Name())
					}
					if diff := cmp.Diff(m.Allowed(mut.From), mut.Allowed); diff != "" {
						rt.Fatalf("%s: Allowed (-want +got):\n%s", row.why, diff)
					}
					walk := slices.Delete(slices.Clone(mut.Seq), mut.Index, mut.Index+1)
					if len(walk) < lo || len(walk) > hi {
						rt.Fatalf("%s: walk of %d statuses, want %d to %d", row.why, len(walk), lo, hi)
					}
					_, before, ok := run(m, walk[:mut.Index])
					if !ok || before != mut.From {
						rt.Fatalf("%s: %v leads to %s, mutant says %s", row.why, m.Names(walk[:mut.Index]), m.String(before), m.String(mut.From))
					}
					_, end, ok := run(m, walk)
					if !ok {
						rt.Fatalf("%s: walk %v without the mutation is not legal", row.why, m.Names(walk))
					}
					if row.o.Final && !m.Final(end) {
						rt.Fatalf("%s: walk %v ends in %s, not final", row.why, m.Names(walk), m.String(end))
					}
					var list fsm.ErrorList
					if err := m.Validate(mut.Seq); !errors.As(err, &list) || len(list) != 1 || list[0].Index != mut.Index {
						rt.Fatalf("%s: Validate(%v) = %v, want one error at %d", row.why, m.Names(mut.Seq), err, mut.Index)
					}
				})
			})
		}
	}
}

func TestArbitrary(t *testing.T) {
	for _, row := range optionRows {
		for _, m := range families {
			t.Run(row.name+"/"+m.Name(), func(t *testing.T) {
				lo, hi := bounds(row.o)
				gen := fsmtest.Arbitrary(m, row.o)
				rapid.Check(t, func(rt *rapid.T) {
					seq := gen.Draw(rt, "seq")
					if len(seq) < lo || len(seq) > hi {
						rt.Fatalf("%s: %d statuses, want %d to %d", row.why, len(seq), lo, hi)
					}
					for _, s := range seq {
						if isUnknown(m, s) && !row.o.Unknown {
							rt.Fatalf("%s: %v is no status of %s", row.why, s, m.Name())
						}
					}
				})
			})
		}
	}
}

// TestGeneratorsReachEverything: over a fixed set of seeds, walks take every
// transition, mutants put every illegal status in every state where it is
// illegal, and arbitrary sequences draw every status and some unknowns. A
// sampler that left some choice out would fail here.
func TestGeneratorsReachEverything(t *testing.T) {
	const seeds = 500
	for _, m := range families {
		t.Run(m.Name(), func(t *testing.T) {
			walk := fsmtest.Walk(m, fsmtest.Options{MaxLen: 12})
			taken := map[edge]bool{}
			for i := range 4 * seeds {
				st := m.Initial()
				for _, x := range walk.Example(i) {
					to, _ := m.Next(st, x)
					taken[edge{m.String(st), m.String(x), m.String(to)}] = true
					st = to
				}
			}
			var missed []edge
			for _, e := range edges(m) {
				if !taken[e] {
					missed = append(missed, e)
				}
			}
			if diff := cmp.Diff([]edge(nil), missed); diff != "" {
				t.Errorf("edges no walk took:\n%s", diff)
			}

			type pair struct{ From, Status string }
			mutants := fsmtest.Mutants(m, fsmtest.Options{MaxLen: 4})
			seen := map[pair]bool{}
			for i := range 12 * seeds {
				mut := mutants.Example(i)
				seen[pair{m.String(mut.From), m.String(mut.Seq[mut.Index])}] = true
			}
			var want, got []pair
			for _, s := range m.States() {
				for _, x := range m.Statuses() {
					if !m.Can(s, x) {
						p := pair{m.String(s), m.String(x)}
						want = append(want, p)
						if seen[p] {
							got = append(got, p)
						}
					}
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("illegal statuses never put in (-want +got):\n%s", diff)
			}

			any := fsmtest.Arbitrary(m, fsmtest.Options{MaxLen: 12, Unknown: true})
			drawn := map[fsm.Symbol]bool{}
			unknown := 0
			for i := range seeds {
				for _, s := range any.Example(i) {
					drawn[s] = true
					if isUnknown(m, s) {
						unknown++
					}
				}
			}
			for _, s := range m.Statuses() {
				if !drawn[s] {
					t.Errorf("status %s never drawn", m.String(s))
				}
			}
			if unknown == 0 {
				t.Errorf("no unknown symbol drawn")
			}
		})
	}
}

func TestImpossibleOptionsPanic(t *testing.T) {
	rows := []struct {
		why  string
		gen  func()
		want string
	}{
		{"a data operation has PENDING and one status after it, never three",
			func() { fsmtest.Walk(connection.Data, fsmtest.Options{MinLen: 3}) },
			"fsmtest: DataStatusEvent has no walk of 3 to 32 statuses"},
		{"a data operation is final after its one status only: one length of 0 to 32 is enough",
			func() { fsmtest.Walk(connection.Data, fsmtest.Options{Final: true}) },
			""},
		{"a keep-alive's NEW allows every status, but a mutant's walk is planned to leave it",
			func() { fsmtest.Mutants(stream.KeepAlive, fsmtest.Options{MaxLen: 1}) },
			""},
		{"a mutant of a data operation needs a walk of 3 statuses, which it has not",
			func() { fsmtest.Mutants(connection.Data, fsmtest.Options{MinLen: 3, MaxLen: 4}) },
			"fsmtest: DataStatusEvent has no walk with a place for an illegal status of 3 to 4 statuses"},
		{"negative lengths are nonsense",
			func() { fsmtest.Arbitrary(connection.Machine, fsmtest.Options{MinLen: -1}) },
			"fsmtest: bad length bounds [-1, 0]"},
		{"MaxLen below MinLen is nonsense",
			func() { fsmtest.Walk(connection.Machine, fsmtest.Options{MinLen: 3, MaxLen: 2}) },
			"fsmtest: bad length bounds [3, 2]"},
	}
	for _, row := range rows {
		got := func() (msg string) {
			defer func() {
				if r := recover(); r != nil {
					msg, _ = r.(string)
				}
			}()
			row.gen()
			return ""
		}()
		if diff := cmp.Diff(row.want, got); diff != "" {
			t.Errorf("%s: panic (-want +got):\n%s", row.why, diff)
		}
	}
}
