package fsm_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/wcsfsm/wcsfsm/fsm"
)

// problem is what a build error says, without the machine's name.
type problem struct {
	Cause  error
	Index  int
	From   string
	Status string
}

func problems(t *testing.T, err error) []problem {
	t.Helper()
	var list fsm.ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("got %T %v, want an fsm.ErrorList", err, err)
	}
	var out []problem
	for _, e := range list {
		if e.Allowed != nil {
			t.Errorf("%v: Allowed = %q, want nil for a declaration problem", e, e.Allowed)
		}
		out = append(out, problem{e.Err, e.Index, e.From, e.Status})
	}
	return out
}

// Symbols of the bad specs below: Spec[uint8] with names from this list.
const (
	sNew uint8 = iota
	sA
	sB
	sC
	sD
)

func syms(s ...uint8) []uint8 { return s }

func manyNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("n%d", i)
	}
	return names
}

// chain declares n0 -> n1 -> ... -> n(k-1), the last one terminal and final.
func chain(k int) fsm.Spec[uint8] {
	s := fsm.Spec[uint8]{Name: "Chain", Names: manyNames(k), Terminal: syms(uint8(k - 1)), Final: syms(uint8(k - 1))}
	for i := 1; i < k; i++ {
		s.Rules = append(s.Rules, fsm.Rule[uint8]{Status: uint8(i), From: syms(uint8(i - 1))})
	}
	return s
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		why  string
		spec fsm.Spec[uint8]
		want []problem
	}{
		{
			why:  "no names at all",
			spec: fsm.Spec[uint8]{Name: "T"},
			want: []problem{{fsm.ErrBadName, -1, "", "0 names"}},
		},
		{
			why:  "more names than MaxNames: 255 means no transition",
			spec: fsm.Spec[uint8]{Name: "T", Names: manyNames(fsm.MaxNames + 1)},
			want: []problem{{fsm.ErrBadName, -1, "", "256 names"}},
		},
		{
			why: "an empty name",
			spec: fsm.Spec[uint8]{Name: "T", Names: []string{"NEW", "", "B"},
				Rules:    []fsm.Rule[uint8]{{Status: sA, From: syms(sNew)}, {Status: sB, From: syms(sA)}},
				Terminal: syms(sB), Final: syms(sB)},
			want: []problem{{fsm.ErrBadName, -1, "", "name 1 is empty"}},
		},
		{
			why: "a name declared twice",
			spec: fsm.Spec[uint8]{Name: "T", Names: []string{"NEW", "A", "A"},
				Rules:    []fsm.Rule[uint8]{{Status: sA, From: syms(sNew)}, {Status: sB, From: syms(sA)}},
				Terminal: syms(sB), Final: syms(sB)},
			want: []problem{{fsm.ErrBadName, -1, "", "A declared twice"}},
		},
		{
			why: "an initial state out of range stops the build at once",
			spec: fsm.Spec[uint8]{Name: "T", Names: []string{"NEW", "A"}, Initial: 5,
				Rules:    []fsm.Rule[uint8]{{Status: sA, From: syms(sNew, 9)}},
				Terminal: syms(sA), Final: syms(sA)},
			want: []problem{{fsm.ErrUnknownState, -1, "#5", ""}},
		},
		{
			why: "a rule from a state out of range",
			spec: fsm.Spec[uint8]{Name: "T", Names: []string{"NEW", "A", "B"},
				Rules:    []fsm.Rule[uint8]{{Status: sA, From: syms(sNew)}, {Status: sB, From: syms(sA, 9)}},
				Terminal: syms(sB), Final: syms(sB)},
			want: []problem{{fsm.ErrUnknownState, 1, "#9", "B"}},
		},
		{
			why: "a rule from a notice, which is a status but no state",
			spec: fsm.Spec[uint8]{Name: "T", Names: []string{"NEW", "A", "P", "B"},
				Rules: []fsm.Rule[uint8]{
					{Status: sA, From: syms(sNew)},
					{Status: 2, From: syms(sA), Keep: true},
					{Status: 3, From: syms(sA, 2)},
				},
				Terminal: syms(3), Final: syms(3)},
			want: []problem{{fsm.ErrUnknownState, 2, "P", "B"}},
		},
		{
			why: "a terminal state out of range, a final state that is only a notice",
			spec: fsm.Spec[uint8]{Name: "T", Names: []string{"NEW", "A", "P"},
				Rules:    []fsm.Rule[uint8]{{Status: sA, From: syms(sNew)}, {Status: 2, From: syms(sNew), Keep: true}},
				Terminal: syms(sA, 7), Final: syms(sA, 2)},
			want: []problem{{fsm.ErrUnknownState, -1, "#7", ""}, {fsm.ErrUnknownState, -1, "P", ""}},
		},
		{
			why: "a rule whose status is out of range",
			spec: fsm.Spec[uint8]{Name: "T", Names: []string{"NEW", "A"},
				Rules:    []fsm.Rule[uint8]{{Status: sA, From: syms(sNew)}, {Status: 9, From: syms(sNew)}},
				Terminal: syms(sA), Final: syms(sA)},
			want: []problem{{fsm.ErrUnknownStatus, 1, "", "#9"}},
		},
		{
			why: "a rule with no From: the rule and its state are unreachable",
			spec: fsm.Spec[uint8]{Name: "T", Names: []string{"NEW", "A", "B"},
				Rules:    []fsm.Rule[uint8]{{Status: sA, From: syms(sNew)}, {Status: sB}},
				Terminal: syms(sA, sB), Final: syms(sA, sB)},
			want: []problem{{fsm.ErrUnreachable, 1, "", "B"}, {fsm.ErrUnreachable, -1, "B", ""}},
		},
		{
			why: "states unreachable from the initial state, though they lead to each other",
			spec: fsm.Spec[uint8]{Name: "T", Names: []string{"NEW", "A", "B", "C"},
				Rules: []fsm.Rule[uint8]{
					{Status: sA, From: syms(sNew)},
					{Status: sB, From: syms(sC)},
					{Status: sC, From: syms(sB)},
				},
				Terminal: syms(sA), Final: syms(sA)},
			want: []problem{{fsm.ErrUnreachable, -1, "B", ""}, {fsm.ErrUnreachable, -1, "C", ""}},
		},
		{
			why: "a state with no way out that is not terminal",
			spec: fsm.Spec[uint8]{Name: "T", Names: []string{"NEW", "A", "B"},
				Rules: []fsm.Rule[uint8]{{Status: sA, From: syms(sNew)}, {Status: sB, From: syms(sA)}},
				Final: syms(sB)},
			want: []problem{{fsm.ErrDeadEnd, -1, "B", ""}},
		},
		{
			why:  "an initial state with no way out that is not terminal",
			spec: fsm.Spec[uint8]{Name: "T", Names: []string{"NEW"}, Final: syms(sNew)},
			want: []problem{{fsm.ErrDeadEnd, -1, "NEW", ""}},
		},
		{
			why: "the same state twice in one From",
			spec: fsm.Spec[uint8]{Name: "T", Names: []string{"NEW", "A"},
				Rules:    []fsm.Rule[uint8]{{Status: sA, From: syms(sNew, sNew)}},
				Terminal: syms(sA), Final: syms(sA)},
			want: []problem{{fsm.ErrDuplicate, 0, "NEW", "A"}},
		},
		{
			why: "the same edge in two rules, once as a move and once as a notice",
			spec: fsm.Spec[uint8]{Name: "T", Names: []string{"NEW", "A", "B"},
				Rules: []fsm.Rule[uint8]{
					{Status: sA, From: syms(sNew)},
					{Status: sB, From: syms(sA)},
					{Status: sA, From: syms(sNew), Keep: true},
				},
				Terminal: syms(sB), Final: syms(sB)},
			want: []problem{{fsm.ErrDuplicate, 2, "NEW", "A"}},
		},
		{
			why: "edges out of a terminal state, a move and a notice",
			spec: fsm.Spec[uint8]{Name: "T", Names: []string{"NEW", "A", "B", "P"},
				Rules: []fsm.Rule[uint8]{
					{Status: sA, From: syms(sNew)},
					{Status: sB, From: syms(sNew, sA)},
					{Status: 3, From: syms(sNew, sB), Keep: true},
				},
				Terminal: syms(sA, sB), Final: syms(sA, sB)},
			want: []problem{{fsm.ErrFromTerminal, 1, "A", "B"}, {fsm.ErrFromTerminal, 2, "B", "P"}},
		},
		{
			why: "a terminal state that is not final",
			spec: fsm.Spec[uint8]{Name: "T", Names: []string{"NEW", "A"},
				Rules:    []fsm.Rule[uint8]{{Status: sA, From: syms(sNew)}},
				Terminal: syms(sA)},
			want: []problem{{fsm.ErrTerminalNotFinal, -1, "A", ""}},
		},
		{
			why: "a name that is neither a state nor a status",
			spec: fsm.Spec[uint8]{Name: "T", Names: []string{"NEW", "A", "X"},
				Rules:    []fsm.Rule[uint8]{{Status: sA, From: syms(sNew)}},
				Terminal: syms(sA), Final: syms(sA)},
			want: []problem{{fsm.ErrUnused, -1, "", "X"}},
		},
		{
			why: "several problems at once: every one is reported, in the order Build finds them",
			spec: fsm.Spec[uint8]{Name: "T", Names: []string{"NEW", "A", "B", "B", "C", "D", ""},
				Rules: []fsm.Rule[uint8]{
					{Status: sA, From: syms(sNew, sNew)},
					{Status: 9, From: syms(sA)},
					{Status: sB, From: syms(sA, 8)},
					{Status: 4},
					{Status: sA, From: syms(sB)},
				},
				Terminal: syms(sB, 7), Final: syms(sNew)},
			want: []problem{
				{fsm.ErrBadName, -1, "", "B declared twice"},
				{fsm.ErrBadName, -1, "", "name 6 is empty"},
				{fsm.ErrUnknownStatus, 1, "", "#9"},
				{fsm.ErrUnreachable, 3, "", "C"},
				{fsm.ErrUnknownState, -1, "#7", ""},
				{fsm.ErrDuplicate, 0, "NEW", "A"},
				{fsm.ErrUnknownState, 2, "#8", "B"},
				{fsm.ErrFromTerminal, 4, "B", "A"},
				{fsm.ErrTerminalNotFinal, -1, "B", ""},
				{fsm.ErrUnused, -1, "", "B"},
				{fsm.ErrUnreachable, -1, "C", ""},
				{fsm.ErrDeadEnd, -1, "C", ""},
				{fsm.ErrUnused, -1, "", "D"},
				{fsm.ErrUnused, -1, "", ""},
			},
		},
	}
	covered := map[error]bool{}
	for _, tt := range tests {
		m, err := fsm.Build(tt.spec)
		if m != nil {
			t.Errorf("%s: Build returned a machine and %v", tt.why, err)
		}
		if err == nil {
			t.Errorf("%s: Build returned no error", tt.why)
			continue
		}
		if diff := cmp.Diff(tt.want, problems(t, err), cmpopts.EquateErrors()); diff != "" {
			t.Errorf("%s: problems (-want +got)\n%s", tt.why, diff)
		}
		for _, p := range tt.want {
			covered[p.Cause] = true
			if !errors.Is(err, p.Cause) {
				t.Errorf("%s: errors.Is(err, %q) = false", tt.why, p.Cause)
			}
		}
		for _, seq := range []error{fsm.ErrIllegal, fsm.ErrTerminal} {
			if errors.Is(err, seq) {
				t.Errorf("%s: a build error matches the sequence cause %q", tt.why, seq)
			}
		}
		var first *fsm.Error
		if !errors.As(err, &first) {
			t.Errorf("%s: errors.As(err, *fsm.Error) = false", tt.why)
		} else if first.Machine != "T" || !errors.Is(first, tt.want[0].Cause) {
			t.Errorf("%s: errors.As found %v, want the first problem of machine T", tt.why, first)
		}
		checkMustBuildPanics(t, tt.why, tt.spec, err)
	}
	for _, cause := range buildCauses {
		if !covered[cause] {
			t.Errorf("no row triggers %q", cause)
		}
	}
}

// buildCauses are the causes that Build may report.
var buildCauses = []error{
	fsm.ErrBadName, fsm.ErrUnknownState, fsm.ErrUnknownStatus, fsm.ErrUnreachable, fsm.ErrDeadEnd,
	fsm.ErrDuplicate, fsm.ErrFromTerminal, fsm.ErrTerminalNotFinal, fsm.ErrUnused,
}

// checkMustBuildPanics checks that MustBuild panics with a message that
// names the machine and lists every problem of err, one a line.
func checkMustBuildPanics(t *testing.T, why string, spec fsm.Spec[uint8], err error) {
	t.Helper()
	defer func() {
		r := recover()
		msg, ok := r.(string)
		if !ok {
			t.Errorf("%s: MustBuild panicked with %T %v, want a string", why, r, r)
			return
		}
		want := "fsm: bad spec " + spec.Name + ":\n" + err.Error()
		if msg != want {
			t.Errorf("%s: MustBuild panic:\n%s\nwant:\n%s", why, msg, want)
		}
		var list fsm.ErrorList
		errors.As(err, &list)
		if got := strings.Count(msg, "\n"); got != len(list) {
			t.Errorf("%s: MustBuild panic has %d problem lines, want %d", why, got, len(list))
		}
	}()
	fsm.MustBuild(spec)
	t.Errorf("%s: MustBuild did not panic", why)
}

func TestBuildValid(t *testing.T) {
	tests := []struct {
		why    string
		spec   fsm.Spec[uint8]
		states int
	}{
		{"a single state, terminal and final, and no rules", fsm.Spec[uint8]{Name: "One", Names: []string{"NEW"}, Terminal: syms(sNew), Final: syms(sNew)}, 1},
		{"MaxNames names", chain(fsm.MaxNames), fsm.MaxNames},
		{"the toy machine", func() fsm.Spec[uint8] {
			s := jobSpec()
			u := fsm.Spec[uint8]{Name: s.Name, Names: s.Names, Initial: uint8(s.Initial)}
			for _, r := range s.Rules {
				u.Rules = append(u.Rules, fsm.Rule[uint8]{Status: uint8(r.Status), From: toU8(r.From), Keep: r.Keep})
			}
			u.Terminal, u.Final = toU8(s.Terminal), toU8(s.Final)
			return u
		}(), 6},
	}
	for _, tt := range tests {
		m, err := fsm.Build(tt.spec)
		if err != nil {
			t.Errorf("%s: %v", tt.why, err)
			continue
		}
		if got := len(m.States()); got != tt.states {
			t.Errorf("%s: %d states, want %d", tt.why, got, tt.states)
		}
		if got := m.Package(); got != "" {
			t.Errorf("%s: Package() of a machine of uint8 = %q, want \"\"", tt.why, got)
		}
		checkInvariants(t, m, tt.spec)
	}
}

func toU8(ps []Phase) []uint8 {
	out := make([]uint8, len(ps))
	for i, p := range ps {
		out[i] = uint8(p)
	}
	return out
}

// TestBuildCopiesSpec checks that a built machine does not share memory
// with its spec: changing the spec afterwards changes nothing.
func TestBuildCopiesSpec(t *testing.T) {
	spec := jobSpec()
	spec.Names = slices.Clone(spec.Names)
	m := fsm.MustBuild(spec)
	before := m.Mermaid()
	spec.Names[0] = "CHANGED"
	spec.Rules[0].From[0] = Running
	if diff := cmp.Diff(before, m.Mermaid()); diff != "" {
		t.Errorf("changing the spec changed the machine (-before +after)\n%s", diff)
	}
	if diff := cmp.Diff(jobSpec().Rules, m.Rules()); diff != "" {
		t.Errorf("changing the spec changed Rules (-want +got)\n%s", diff)
	}
}

// checkInvariants checks what every built machine promises.
func checkInvariants(t *testing.T, m *fsm.Machine[uint8], spec fsm.Spec[uint8]) {
	t.Helper()
	if m.Len() != len(spec.Names) || m.Initial() != spec.Initial || !m.IsState(m.Initial()) {
		t.Fatalf("Len, Initial = %d, %d; spec has %d names, initial %d", m.Len(), m.Initial(), len(spec.Names), spec.Initial)
	}
	byName := func(a, b uint8) int { return strings.Compare(m.String(a), m.String(b)) }
	edges := 0
	for from := 0; from < 256; from++ {
		f := uint8(from)
		var can []uint8
		for st := 0; st < 256; st++ {
			to, ok := m.Next(f, uint8(st))
			if !ok {
				if to != f {
					t.Fatalf("Next(%d, %d) refused but moved to %d", f, st, to)
				}
				continue
			}
			if !m.IsState(f) || !m.IsStatus(uint8(st)) || !m.IsState(to) {
				t.Fatalf("Next(%d, %d) = %d: from a state, by a status, to a state? %v %v %v", f, st, to, m.IsState(f), m.IsStatus(uint8(st)), m.IsState(to))
			}
			can = append(can, uint8(st))
			edges++
		}
		allowed := m.Allowed(f)
		if !slices.IsSortedFunc(allowed, byName) {
			t.Fatalf("Allowed(%d) = %v is not sorted by name", f, m.Names(allowed))
		}
		slices.SortFunc(can, byName)
		if !slices.Equal(can, allowed) {
			t.Fatalf("Allowed(%d) = %v, but Can is true for %v", f, m.Names(allowed), m.Names(can))
		}
		if m.Terminal(f) && len(allowed) != 0 {
			t.Fatalf("terminal state %s allows %v", m.String(f), m.Names(allowed))
		}
		if m.IsState(f) && !m.Terminal(f) && len(allowed) == 0 {
			t.Fatalf("state %s is a dead end", m.String(f))
		}
		if m.Terminal(f) && !m.Final(f) {
			t.Fatalf("terminal state %s is not final", m.String(f))
		}
	}
	if got := len(m.Transitions()); got != edges {
		t.Fatalf("%d transitions, but Next accepts %d pairs", got, edges)
	}
	// Every state is reachable from the initial state.
	seen := map[uint8]bool{m.Initial(): true}
	queue := []uint8{m.Initial()}
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		for _, st := range m.Allowed(x) {
			if to, _ := m.Next(x, st); !seen[to] {
				seen[to] = true
				queue = append(queue, to)
			}
		}
	}
	for _, s := range m.States() {
		if !seen[s] {
			t.Fatalf("state %s is unreachable", m.String(s))
		}
	}
	for _, list := range [][]uint8{m.States(), m.Statuses(), m.TerminalStates(), m.FinalStates()} {
		if !slices.IsSortedFunc(list, byName) {
			t.Fatalf("%v is not sorted by name", m.Names(list))
		}
	}
	// The rest must merely not panic.
	_ = m.Mermaid()
	_ = m.DOT()
	_ = m.MermaidCounts([]int{1})
	_ = m.DOTCounts(nil)
	_ = m.LooplabEvents()
	_ = m.Validate([]uint8{0, 1, 2, 255})
}

// specFromBytes decodes arbitrary bytes into a Spec. Every count and value
// comes from the bytes, out-of-range values included; missing bytes read as
// zero.
func specFromBytes(data []byte) fsm.Spec[uint8] {
	next := func() uint8 {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return b
	}
	var n int
	switch b := next(); b {
	case 0xFE:
		n = fsm.MaxNames
	case 0xFF:
		n = fsm.MaxNames + 1
	default:
		n = int(b % 12)
	}
	// sym mostly yields a name of the spec, sometimes one just past the
	// end, and for a byte with the top bit set any value at all.
	sym := func() uint8 {
		b := next()
		if b&0x80 != 0 || n >= 0x7F {
			return b
		}
		return b % uint8(n+1)
	}
	spec := fsm.Spec[uint8]{Name: "Fuzz", Names: make([]string, n)}
	for i := range spec.Names {
		spec.Names[i] = fmt.Sprintf("S%d", i)
	}
	for i := range min(n, 12) {
		switch b := next(); {
		case b == 0xFF:
			spec.Names[i] = ""
		case b >= 0xF0 && i > 0:
			spec.Names[i] = spec.Names[i-1]
		}
	}
	spec.Initial = sym()
	for range next() % 16 {
		flags := next()
		r := fsm.Rule[uint8]{Status: sym(), Keep: flags&1 != 0}
		for range (flags >> 1) % 6 {
			r.From = append(r.From, sym())
		}
		spec.Rules = append(spec.Rules, r)
	}
	for range next() % 4 {
		spec.Terminal = append(spec.Terminal, sym())
	}
	for range next() % 5 {
		spec.Final = append(spec.Final, sym())
	}
	return spec
}

// Seeds of FuzzBuild. fuzzValid declares S0 -> S1 -> S2, S1 repeating and
// S3 a notice in S1, S2 terminal and final; fuzzInvalid is the same with a
// name twice and an edge out of the terminal state.
var (
	// names, name bytes, initial, rules: (flags, status, from…)…,
	// terminal, final.
	fuzzValid   = []byte{4, 0, 0, 0, 0, 0, 4, 2, 1, 0, 2, 2, 1, 2, 1, 1, 3, 3, 1, 1, 2, 1, 2}
	fuzzInvalid = []byte{4, 0, 0, 0xF0, 0, 0, 5, 2, 1, 0, 2, 2, 1, 2, 1, 1, 3, 3, 1, 2, 1, 2, 1, 2, 1, 2}
)

// TestFuzzSeeds checks that the decoder of FuzzBuild reaches both outcomes,
// so that the fuzz target checks built machines too.
func TestFuzzSeeds(t *testing.T) {
	tests := []struct {
		why    string
		data   []byte
		states int
		causes []error
	}{
		{"a valid machine of four names, one a notice", fuzzValid, 3, nil},
		{"a name twice, an edge out of a terminal state", fuzzInvalid, 0, []error{fsm.ErrBadName, fsm.ErrFromTerminal}},
	}
	for _, tt := range tests {
		m, err := fsm.Build(specFromBytes(tt.data))
		if tt.causes == nil {
			if err != nil {
				t.Errorf("%s: %v", tt.why, err)
			} else if got := len(m.States()); got != tt.states {
				t.Errorf("%s: %d states, want %d", tt.why, got, tt.states)
			}
			continue
		}
		for _, c := range tt.causes {
			if !errors.Is(err, c) {
				t.Errorf("%s: got %v, want %q among the problems", tt.why, err, c)
			}
		}
	}
}

func FuzzBuild(f *testing.F) {
	f.Add(fuzzValid)
	f.Add(fuzzInvalid)
	f.Add([]byte{})                       // no names
	f.Add([]byte{0xFF})                   // too many names
	f.Add([]byte{0xFE, 0, 3, 6, 1, 0x80}) // MaxNames names, few rules
	f.Add([]byte{3, 0, 0, 0, 0x85, 2, 0x81, 4, 0x90, 0x91, 0xF3, 2, 0x99, 0x80})
	f.Add([]byte{1, 0, 0, 0, 1, 0, 1, 0}) // a single terminal state
	f.Fuzz(func(t *testing.T, data []byte) {
		spec := specFromBytes(data)
		m, err := fsm.Build(spec)
		if err != nil {
			if m != nil {
				t.Fatalf("Build returned a machine and %v", err)
			}
			var list fsm.ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("Build returned %T %v, want a non-empty ErrorList", err, err)
			}
			for _, e := range list {
				if !slices.Contains(buildCauses, e.Err) {
					t.Fatalf("%v: cause %v is not a build cause", e, e.Err)
				}
				if e.Index < -1 || e.Index >= len(spec.Rules) {
					t.Fatalf("%v: index %d out of [-1, %d)", e, e.Index, len(spec.Rules))
				}
				if e.Machine != spec.Name || e.Allowed != nil {
					t.Fatalf("%v: Machine %q, Allowed %q", e, e.Machine, e.Allowed)
				}
			}
			_ = err.Error()
			return
		}
		checkInvariants(t, m, spec)
	})
}
