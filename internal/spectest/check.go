package spectest

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/wcsfsm/wcsfsm/fsm"
)

// ruleView is what the oracle can say of a rule: notices carry no why in
// machines.md, so theirs is only checked to be there.
type ruleView struct {
	Status string
	From   []string // sorted
	Keep   bool
	Why    string
}

// CheckMachine checks m against its section of machines.md, in subtests:
// its name, package and initial state; its states and statuses; its
// transitions, edge for edge; its terminal and final states; its rules, in
// declared order, with the table's why; that every edge of the table is
// accepted and leads where the table says; and that every other (state,
// status) pair is refused, by Step and by ValidateNames, with the statuses
// the table allows in that state.
func CheckMachine[S ~uint8](t *testing.T, m *fsm.Machine[S], tab Table) {
	t.Helper()
	t.Run("identity", func(t *testing.T) {
		got := []string{m.Name(), m.Package(), m.String(m.Initial())}
		want := []string{tab.Event, tab.Package, Initial}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("name, package, initial state (-machines.md +machine):\n%s", d)
		}
	})
	t.Run("states", func(t *testing.T) {
		if d := cmp.Diff(tab.States(), m.Names(m.States())); d != "" {
			t.Errorf("states (-machines.md +machine):\n%s", d)
		}
		if d := cmp.Diff(tab.Statuses(), m.Names(m.Statuses())); d != "" {
			t.Errorf("statuses (-machines.md +machine):\n%s", d)
		}
	})
	t.Run("edges", func(t *testing.T) {
		var got []Edge
		for _, tr := range m.Transitions() {
			got = append(got, Edge{From: m.String(tr.From), Status: m.String(tr.Status), To: m.String(tr.To)})
		}
		if d := cmp.Diff(tab.Edges(), got); d != "" {
			t.Errorf("transitions (-machines.md +machine):\n%s", d)
		}
	})
	t.Run("terminal-final", func(t *testing.T) {
		if d := cmp.Diff(tab.Terminal, m.Names(m.TerminalStates()), cmpopts.EquateEmpty()); d != "" {
			t.Errorf("terminal states (-machines.md +machine):\n%s", d)
		}
		if d := cmp.Diff(tab.Final, m.Names(m.FinalStates()), cmpopts.EquateEmpty()); d != "" {
			t.Errorf("final states (-machines.md +machine):\n%s", d)
		}
	})
	t.Run("rules-why", func(t *testing.T) {
		var want, got []ruleView
		for _, r := range tab.Rows {
			want = append(want, ruleView{Status: r.Status, From: sortedSet(r.From), Why: r.Why})
		}
		for _, n := range tab.Notices {
			want = append(want, ruleView{Status: n.Status, From: sortedSet(n.From), Keep: true})
		}
		for _, r := range m.Rules() {
			v := ruleView{Status: m.String(r.Status), From: sortedSet(m.Names(r.From)), Keep: r.Keep, Why: r.Why}
			if r.Keep {
				if r.Why == "" {
					t.Errorf("notice %s has no why", v.Status)
				}
				v.Why = ""
			}
			got = append(got, v)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("rules in declared order (-machines.md +machine):\n%s", d)
			return
		}
		why := map[string]string{}
		for _, r := range tab.Rows {
			why[r.Status] = r.Why
		}
		for _, tr := range m.Transitions() {
			if w, ok := why[m.String(tr.Status)]; ok && tr.Why != w {
				t.Errorf("%s --%s-->: why %q, machines.md says %q", m.String(tr.From), m.String(tr.Status), tr.Why, w)
			}
			if tr.Why == "" || tr.Source == "" {
				t.Errorf("%s --%s-->: why %q, source %q: both must be given", m.String(tr.From), m.String(tr.Status), tr.Why, tr.Source)
			}
		}
	})
	t.Run("accept", func(t *testing.T) {
		for _, e := range tab.Edges() {
			from, ok1 := m.ParseState(e.From)
			st, ok2 := m.ParseStatus(e.Status)
			if !ok1 || !ok2 {
				t.Errorf("%s --%s-->: the machine does not know the state or the status", e.From, e.Status)
				continue
			}
			to, ok := m.Next(from, st)
			if !ok || m.String(to) != e.To {
				t.Errorf("Next(%s, %s) = %s, %v; want %s, true", e.From, e.Status, m.String(to), ok, e.To)
			}
			if to, err := m.Step(0, from, st); err != nil || m.String(to) != e.To {
				t.Errorf("Step(0, %s, %s) = %s, %v; want %s, nil", e.From, e.Status, m.String(to), err, e.To)
			}
			path, _ := tab.PathTo(e.From)
			if err := m.ValidateNames(append(path, e.Status)); err != nil {
				t.Errorf("ValidateNames(%q): %v", append(path, e.Status), err)
			}
		}
	})
	t.Run("reject", func(t *testing.T) {
		opts := cmp.Options{cmpopts.EquateErrors(), cmpopts.EquateEmpty()}
		for _, state := range tab.States() {
			path, ok := tab.PathTo(state)
			if !ok {
				t.Errorf("machines.md: %s is unreachable", state)
				continue
			}
			allowed := tab.Allowed(state)
			for _, status := range tab.Statuses() {
				if slices.Contains(allowed, status) {
					continue
				}
				from, _ := m.ParseState(state)
				st, _ := m.ParseStatus(status)
				cause := fsm.ErrIllegal
				if slices.Contains(tab.Terminal, state) {
					cause = fsm.ErrTerminal
				}
				want := &fsm.Error{Machine: tab.Event, Index: len(path), From: state, Status: status, Allowed: allowed, Err: cause}

				to, err := m.Step(len(path), from, st)
				var got *fsm.Error
				if !errors.As(err, &got) {
					t.Errorf("Step(%s, %s) = %s, %v; want an *fsm.Error", state, status, m.String(to), err)
					continue
				}
				if to != from {
					t.Errorf("Step(%s, %s) moved to %s; a refused status must not move the machine", state, status, m.String(to))
				}
				if d := cmp.Diff(*want, *got, opts); d != "" {
					t.Errorf("Step(%s, %s) (-want +got):\n%s", state, status, d)
				}
				seq := append(slices.Clone(path), status)
				var list fsm.ErrorList
				if err := m.ValidateNames(seq); !errors.As(err, &list) {
					t.Errorf("ValidateNames(%q) = %v; want an fsm.ErrorList", seq, err)
					continue
				}
				if d := cmp.Diff([]fsm.Error{*want}, values(list), opts); d != "" {
					t.Errorf("ValidateNames(%q) (-want +got):\n%s", seq, d)
				}
			}
		}
	})
}

// Case is one machine of a family package, ready for the two checks a
// family test runs: against machines.md and against the doc comments.
type Case struct {
	Event string // the section of machines.md, e.g. "CallStatusEvent"
	Why   string // what the machine is, in a line, for the test log
	Type  string // the state type of the package, e.g. "State"
	check func(*testing.T, Table)
	docs  func(dir string) ([]string, error)
}

// For makes the Case of machine m, which machines.md declares in the
// section event and the family package with the state type typeName; why
// says what the machine is.
func For[S ~uint8](event, typeName string, m *fsm.Machine[S], why string) Case {
	return Case{
		Event: event,
		Why:   why,
		Type:  typeName,
		check: func(t *testing.T, tab Table) { CheckMachine(t, m, tab) },
		docs:  func(dir string) ([]string, error) { return ConstDocs(dir, typeName, m) },
	}
}

// CheckSpec runs CheckMachine against the machine's section of machines.md.
func (c Case) CheckSpec(t *testing.T) {
	t.Helper()
	c.check(t, Lookup(t, c.Event))
}

// CheckDocs runs ConstDocs on the package in dir and reports each problem.
func (c Case) CheckDocs(t *testing.T, dir string) {
	t.Helper()
	problems, err := c.docs(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s, type %s: %s", dir, c.Type, p)
	}
}

// Run is the whole test of a family package: for each case, a subtest
// that checks the machine against its section of machines.md (CheckSpec)
// and the doc comments of the package's constants (CheckDocs, the package
// in the current directory). why says what each machine is, for the log.
func Run(t *testing.T, cases ...Case) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Event, func(t *testing.T) {
			t.Log(c.Why)
			t.Run("spec", c.CheckSpec)
			t.Run("docs", func(t *testing.T) { c.CheckDocs(t, ".") })
		})
	}
}

// values dereferences the elements of l, so that cmp compares them field
// by field (an *fsm.Error is an error, which cmpopts.EquateErrors would
// compare by identity).
func values(l fsm.ErrorList) []fsm.Error {
	out := make([]fsm.Error, len(l))
	for i, e := range l {
		out[i] = *e
	}
	return out
}
