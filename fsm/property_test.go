package fsm_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wcsfsm/wcsfsm/fsm"
	"github.com/wcsfsm/wcsfsm/fsm/fsmtest"
	"github.com/wcsfsm/wcsfsm/wcs"
	"pgregory.net/rapid"
)

// The core's three readings of a machine, the table (Machine.Next), the
// looplab FSM (Machine.Looplab) and the sequence validator
// (Machine.Validate), agree on every family's machine, for sequences drawn
// by fsmtest.

// propFamilies are the eight machines of the Web Call Server, from the one
// registry of them (an external test may import the log package).
var propFamilies = func() (out []*fsm.Machine[fsm.Symbol]) {
	for _, f := range wcs.Families() {
		out = append(out, f.Machine())
	}
	return
}()

// propFinding is what is reported about one refused status.
type propFinding struct {
	Index   int
	From    string
	Status  string
	Allowed []string
	Cause   string
}

// propCause is the cause Validate must give for x refused in from.
func propCause(m *fsm.Machine[fsm.Symbol], from, x fsm.Symbol) error {
	switch {
	case !m.IsStatus(x):
		return fsm.ErrUnknownStatus
	case m.Terminal(from):
		return fsm.ErrTerminal
	}
	return fsm.ErrIllegal
}

// propFindings returns the findings of err, which must be nil or an
// fsm.ErrorList.
func propFindings(t *rapid.T, err error) []propFinding {
	if err == nil {
		return nil
	}
	var list fsm.ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("Validate returned %T, not an ErrorList: %v", err, err)
	}
	var out []propFinding
	for _, e := range list {
		cause := "(none)"
		for _, c := range []error{fsm.ErrIllegal, fsm.ErrTerminal, fsm.ErrUnknownStatus} {
			if errors.Is(e, c) {
				cause = c.Error()
			}
		}
		out = append(out, propFinding{e.Index, e.From, e.Status, e.Allowed, cause})
	}
	return out
}

// propRun fires seq at a fresh looplab FSM and follows the table side by
// side, failing t where they disagree on acceptance or on the state. It
// returns what the table refuses, as Validate should report it, and the
// state the table ends in.
func propRun(t *rapid.T, m *fsm.Machine[fsm.Symbol], seq []fsm.Symbol) ([]propFinding, fsm.Symbol) {
	b := m.Looplab(nil)
	st := m.Initial()
	var want []propFinding
	for i, x := range seq {
		to, ok := m.Next(st, x)
		err := b.Fire(context.Background(), m.String(x))
		if ok != (err == nil) {
			t.Fatalf("[%d] %v in %s: table allows %v, looplab says %v", i, x, m.String(st), ok, err)
		}
		if ok {
			st = to
		} else {
			name := m.String(x)
			if name == "" {
				name = x.String()
			}
			want = append(want, propFinding{i, m.String(st), name, m.AllowedNames(st), propCause(m, st, x).Error()})
		}
		if got := b.Current(); got != m.String(st) {
			t.Fatalf("[%d] after %v: table in %s, looplab in %s", i, x, m.String(st), got)
		}
	}
	return want, st
}

func TestPropertyTableLooplabValidateAgree(t *testing.T) {
	for _, m := range propFamilies {
		t.Run(m.Name(), func(t *testing.T) {
			gen := fsmtest.Arbitrary(m, fsmtest.Options{Unknown: true})
			rapid.Check(t, func(t *rapid.T) {
				seq := gen.Draw(t, "seq")
				want, _ := propRun(t, m, seq)
				if diff := cmp.Diff(want, propFindings(t, m.Validate(seq))); diff != "" {
					t.Fatalf("Validate(%v) (-table +Validate):\n%s", m.Names(seq), diff)
				}
			})
		})
	}
}

func TestPropertyWalksAccepted(t *testing.T) {
	for _, m := range propFamilies {
		t.Run(m.Name(), func(t *testing.T) {
			walks := fsmtest.Walk(m, fsmtest.Options{})
			final := fsmtest.Walk(m, fsmtest.Options{Final: true})
			rapid.Check(t, func(t *rapid.T) {
				wantFinal := rapid.Bool().Draw(t, "final")
				gen := walks
				if wantFinal {
					gen = final
				}
				seq := gen.Draw(t, "seq")
				if err := m.Validate(seq); err != nil {
					t.Fatalf("Validate(%v) = %v, want nil", m.Names(seq), err)
				}
				refused, end := propRun(t, m, seq)
				if len(refused) > 0 {
					t.Fatalf("walk %v refused: %v", m.Names(seq), refused)
				}
				if wantFinal && !m.Final(end) {
					t.Fatalf("walk %v ends in %s, not final", m.Names(seq), m.String(end))
				}
			})
		})
	}
}

func TestPropertyMutantRejectedThere(t *testing.T) {
	for _, m := range propFamilies {
		t.Run(m.Name(), func(t *testing.T) {
			statuses := fsmtest.Mutants(m, fsmtest.Options{})
			unknown := fsmtest.Mutants(m, fsmtest.Options{Unknown: true})
			rapid.Check(t, func(t *rapid.T) {
				gen := statuses
				if rapid.Bool().Draw(t, "unknown") {
					gen = unknown
				}
				mut := gen.Draw(t, "mutant")
				x := mut.Seq[mut.Index]
				name := m.String(x)
				if name == "" {
					name = x.String()
				}
				want := []propFinding{{mut.Index, m.String(mut.From), name, m.Names(mut.Allowed), propCause(m, mut.From, x).Error()}}
				if diff := cmp.Diff(want, propFindings(t, m.Validate(mut.Seq))); diff != "" {
					t.Fatalf("Validate(%v) (-want +got):\n%s", m.Names(mut.Seq), diff)
				}
				refused, _ := propRun(t, m, mut.Seq)
				if diff := cmp.Diff(want, refused); diff != "" {
					t.Fatalf("table and looplab on %v (-want +got):\n%s", m.Names(mut.Seq), diff)
				}
			})
		})
	}
}
