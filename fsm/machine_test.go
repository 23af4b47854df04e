package fsm_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/wcsfsm/wcsfsm/fsm"
)

// Phase is the toy machine of these tests: a job that is queued, runs
// (possibly paused, possibly reporting progress) and ends done or failed.
// It is deliberately not one of the WCS families: package fsm knows nothing
// of them. Its numeric order differs from its name order, so that "sorted
// by name" is tested for real.
type Phase uint8

const (
	Idle     Phase = iota // IDLE: the initial state; only a state
	Queued                // QUEUED
	Running               // RUNNING: may repeat (a self-loop)
	Paused                // PAUSED
	Progress              // PROGRESS: a notice, only a status
	Done                  // DONE: terminal
	Failed                // FAILED: terminal
)

var phaseNames = []string{
	Idle:     "IDLE",
	Queued:   "QUEUED",
	Running:  "RUNNING",
	Paused:   "PAUSED",
	Progress: "PROGRESS",
	Done:     "DONE",
	Failed:   "FAILED",
}

func (p Phase) String() string { return fsm.NameOf(phaseNames, p) }

func jobSpec() fsm.Spec[Phase] {
	return fsm.Spec[Phase]{
		Name:    "Job",
		Names:   phaseNames,
		Initial: Idle,
		Rules: []fsm.Rule[Phase]{
			{Status: Queued, From: []Phase{Idle}, Why: "a job is queued once", Source: "toy"},
			{Status: Running, From: []Phase{Queued, Running, Paused}, Why: "started, restarted or resumed"},
			{Status: Paused, From: []Phase{Running}, Why: "only a running job can pause"},
			{Status: Progress, From: []Phase{Running, Paused}, Keep: true, Why: "a progress report changes nothing"},
			{Status: Done, From: []Phase{Running}, Why: "only a running job finishes"},
			{Status: Failed, From: []Phase{Idle, Queued, Running, Paused}, Why: "anything may fail"},
		},
		Terminal: []Phase{Done, Failed},
		Final:    []Phase{Idle, Done, Failed},
	}
}

var job = fsm.MustBuild(jobSpec())

// pathTo returns a shortest sequence of statuses that leads m from its
// initial state to target.
func pathTo[S ~uint8](t testing.TB, m *fsm.Machine[S], target S) []S {
	t.Helper()
	type item struct {
		s    S
		path []S
	}
	seen := map[S]bool{m.Initial(): true}
	queue := []item{{s: m.Initial()}}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		if it.s == target {
			return it.path
		}
		for _, st := range m.Allowed(it.s) {
			to, _ := m.Next(it.s, st)
			if !seen[to] {
				seen[to] = true
				queue = append(queue, item{to, append(slices.Clip(it.path), st)})
			}
		}
	}
	t.Fatalf("%v is not reachable", target)
	return nil
}

func TestMachineBasics(t *testing.T) {
	if got, want := job.Name(), "Job"; got != want {
		t.Errorf("Name() = %q, want %q", got, want)
	}
	if got, want := job.Package(), "fsm_test"; got != want {
		t.Errorf("Package() = %q, want %q (the package that declares Phase)", got, want)
	}
	if got, want := job.Initial(), Idle; got != want {
		t.Errorf("Initial() = %v, want %v", got, want)
	}
	if got, want := job.Len(), len(phaseNames); got != want {
		t.Errorf("Len() = %d, want %d", got, want)
	}
	for i, nm := range phaseNames {
		if got := job.String(Phase(i)); got != nm {
			t.Errorf("String(%d) = %q, want %q", i, got, nm)
		}
	}
	if got := job.String(Phase(len(phaseNames))); got != "" {
		t.Errorf("String(out of range) = %q, want \"\"", got)
	}
	if got, want := Phase(200).String(), "Phase(200)"; got != want {
		t.Errorf("NameOf(out of range) = %q, want %q", got, want)
	}
}

func TestMachineLists(t *testing.T) {
	tests := []struct {
		why  string
		got  []Phase
		want []Phase
	}{
		{"States: sorted by name; PROGRESS is a notice, not a state", job.States(), []Phase{Done, Failed, Idle, Paused, Queued, Running}},
		{"Statuses: sorted by name; IDLE is never received", job.Statuses(), []Phase{Done, Failed, Paused, Progress, Queued, Running}},
		{"TerminalStates: sorted by name", job.TerminalStates(), []Phase{Done, Failed}},
		{"FinalStates: sorted by name", job.FinalStates(), []Phase{Done, Failed, Idle}},
		{"Allowed(IDLE): sorted by name", job.Allowed(Idle), []Phase{Failed, Queued}},
		{"Allowed(RUNNING): the self-loop and the notice included", job.Allowed(Running), []Phase{Done, Failed, Paused, Progress, Running}},
		{"Allowed(PAUSED)", job.Allowed(Paused), []Phase{Failed, Progress, Running}},
		{"Allowed(DONE): a terminal state allows nothing", job.Allowed(Done), nil},
		{"Allowed(PROGRESS): a status that is no state allows nothing", job.Allowed(Progress), nil},
		{"Allowed(out of range) is nil", job.Allowed(99), nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", tt.why, diff)
		}
	}
}

func TestMachineListsAreCopies(t *testing.T) {
	a := job.Allowed(Idle)
	a[0] = Done
	if diff := cmp.Diff([]Phase{Failed, Queued}, job.Allowed(Idle)); diff != "" {
		t.Errorf("changing a returned Allowed slice changed the machine (-want +got)\n%s", diff)
	}
	tr := job.Transitions()
	tr[0].To = Idle
	if got := job.Transitions()[0].To; got == Idle {
		t.Errorf("changing a returned Transitions slice changed the machine")
	}
	r := job.Rules()
	r[0].From[0] = Done
	if got := job.Rules()[0].From[0]; got != Idle {
		t.Errorf("changing a returned Rules slice changed the machine: From[0] = %v", got)
	}
}

func TestAllowedNames(t *testing.T) {
	tests := []struct {
		why  string
		from Phase
		want []string
	}{
		{"the names of Allowed, sorted", Running, []string{"DONE", "FAILED", "PAUSED", "PROGRESS", "RUNNING"}},
		{"a terminal state: empty, not nil", Failed, []string{}},
		{"out of range: nil", 99, nil},
	}
	for _, tt := range tests {
		got := job.AllowedNames(tt.from)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: AllowedNames(%v) (-want +got)\n%s", tt.why, tt.from, diff)
		}
	}
	if diff := cmp.Diff([]string{"DONE", "IDLE", ""}, job.Names([]Phase{Done, Idle, 42})); diff != "" {
		t.Errorf("Names: out of range is \"\", as String (-want +got)\n%s", diff)
	}
}

func TestNextCan(t *testing.T) {
	tests := []struct {
		why          string
		from, status Phase
		wantTo       Phase
		wantOK       bool
	}{
		{"a plain edge moves to the state named like the status", Idle, Queued, Queued, true},
		{"a self-loop stays", Running, Running, Running, true},
		{"a notice keeps RUNNING", Running, Progress, Running, true},
		{"a notice keeps PAUSED", Paused, Progress, Paused, true},
		{"a notice where it is not declared", Idle, Progress, Idle, false},
		{"an illegal status", Idle, Running, Idle, false},
		{"nothing follows a terminal state", Done, Running, Done, false},
		{"a state that is no status", Queued, Idle, Queued, false},
		{"status out of range", Running, 99, Running, false},
		{"state out of range", 99, Running, 99, false},
		{"both at the limit of the type", 255, 255, 255, false},
	}
	for _, tt := range tests {
		to, ok := job.Next(tt.from, tt.status)
		if to != tt.wantTo || ok != tt.wantOK {
			t.Errorf("%s: Next(%v, %v) = %v, %v; want %v, %v", tt.why, tt.from, tt.status, to, ok, tt.wantTo, tt.wantOK)
		}
		if got := job.Can(tt.from, tt.status); got != tt.wantOK {
			t.Errorf("%s: Can(%v, %v) = %v, want %v", tt.why, tt.from, tt.status, got, tt.wantOK)
		}
		to, err := job.Step(0, tt.from, tt.status)
		if to != tt.wantTo || (err == nil) != tt.wantOK {
			t.Errorf("%s: Step(0, %v, %v) = %v, %v; want %v, ok=%v", tt.why, tt.from, tt.status, to, err, tt.wantTo, tt.wantOK)
		}
	}
}

// TestNextAgreesWithAllowed checks, over every pair of values of the type,
// that Can is true exactly for the statuses of Allowed and that Next leads
// to a state.
func TestNextAgreesWithAllowed(t *testing.T) {
	for from := 0; from < 256; from++ {
		var can []Phase
		for st := 0; st < 256; st++ {
			to, ok := job.Next(Phase(from), Phase(st))
			if !ok {
				if to != Phase(from) {
					t.Errorf("Next(%d, %d) refused but moved to %v", from, st, to)
				}
				continue
			}
			if !job.IsState(to) {
				t.Errorf("Next(%d, %d) = %v, not a state", from, st, to)
			}
			can = append(can, Phase(st))
		}
		slices.SortFunc(can, func(a, b Phase) int { return cmpString(a.String(), b.String()) })
		if diff := cmp.Diff(can, job.Allowed(Phase(from)), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Allowed(%d) differs from the statuses Can accepts (-can +Allowed)\n%s", from, diff)
		}
	}
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestPredicates(t *testing.T) {
	tests := []struct {
		why                            string
		s                              Phase
		state, status, terminal, final bool
	}{
		{"the initial state is a final state, never received", Idle, true, false, false, true},
		{"an ordinary state and status", Queued, true, true, false, false},
		{"a notice is a status, not a state", Progress, false, true, false, false},
		{"a terminal, final state", Done, true, true, true, true},
		{"out of range: nothing", 7, false, false, false, false},
		{"far out of range: nothing", 255, false, false, false, false},
	}
	for _, tt := range tests {
		got := [4]bool{job.IsState(tt.s), job.IsStatus(tt.s), job.Terminal(tt.s), job.Final(tt.s)}
		want := [4]bool{tt.state, tt.status, tt.terminal, tt.final}
		if got != want {
			t.Errorf("%s: IsState, IsStatus, Terminal, Final(%v) = %v, want %v", tt.why, tt.s, got, want)
		}
	}
}

func TestParse(t *testing.T) {
	type result struct {
		S  Phase
		OK bool
	}
	tests := []struct {
		why                   string
		name                  string
		lookup, status, state result
	}{
		{"a state and a status", "RUNNING", result{Running, true}, result{Running, true}, result{Running, true}},
		{"the initial state is no status", "IDLE", result{Idle, true}, result{0, false}, result{Idle, true}},
		{"a notice is no state", "PROGRESS", result{Progress, true}, result{Progress, true}, result{0, false}},
		{"an unknown name", "BOGUS", result{0, false}, result{0, false}, result{0, false}},
		{"names are case-sensitive", "running", result{0, false}, result{0, false}, result{0, false}},
		{"the empty name", "", result{0, false}, result{0, false}, result{0, false}},
	}
	for _, tt := range tests {
		var got [3]result
		got[0].S, got[0].OK = job.Lookup(tt.name)
		got[1].S, got[1].OK = job.ParseStatus(tt.name)
		got[2].S, got[2].OK = job.ParseState(tt.name)
		if diff := cmp.Diff([3]result{tt.lookup, tt.status, tt.state}, got); diff != "" {
			t.Errorf("%s: Lookup, ParseStatus, ParseState(%q) (-want +got)\n%s", tt.why, tt.name, diff)
		}
	}
}

func TestTransitions(t *testing.T) {
	type edge struct{ From, Status, To Phase }
	want := []edge{
		{Idle, Failed, Failed},
		{Idle, Queued, Queued},
		{Paused, Failed, Failed},
		{Paused, Progress, Paused},
		{Paused, Running, Running},
		{Queued, Failed, Failed},
		{Queued, Running, Running},
		{Running, Done, Done},
		{Running, Failed, Failed},
		{Running, Paused, Paused},
		{Running, Progress, Running},
		{Running, Running, Running},
	}
	var got []edge
	for _, tr := range job.Transitions() {
		got = append(got, edge{tr.From, tr.Status, tr.To})
		if tr.Why == "" {
			t.Errorf("transition %v got %v has no Why", tr.From, tr.Status)
		}
		if to, ok := job.Next(tr.From, tr.Status); !ok || to != tr.To {
			t.Errorf("transition %v got %v -> %v, but Next = %v, %v", tr.From, tr.Status, tr.To, to, ok)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Transitions: sorted by From name, then Status name (-want +got)\n%s", diff)
	}
	first := job.Transitions()[1]
	if first.Why != "a job is queued once" || first.Source != "toy" {
		t.Errorf("IDLE got QUEUED: Why, Source = %q, %q; want the rule's", first.Why, first.Source)
	}
}

func TestRules(t *testing.T) {
	if diff := cmp.Diff(jobSpec().Rules, job.Rules()); diff != "" {
		t.Errorf("Rules(): the declared rules, in order (-want +got)\n%s", diff)
	}
}

func TestUntyped(t *testing.T) {
	u := job.Untyped()
	if u.Untyped() != u {
		t.Errorf("Untyped().Untyped() is not the same machine")
	}
	if job.Untyped() != u {
		t.Errorf("Untyped() returns a new machine each time")
	}
	if u.Name() != job.Name() || u.Package() != job.Package() || u.Len() != job.Len() || u.Initial() != fsm.Symbol(job.Initial()) {
		t.Errorf("Untyped: Name, Package, Len, Initial = %q, %q, %d, %v; want %q, %q, %d, %v",
			u.Name(), u.Package(), u.Len(), u.Initial(), job.Name(), job.Package(), job.Len(), job.Initial())
	}
	for from := 0; from < job.Len()+1; from++ {
		for st := 0; st < job.Len()+1; st++ {
			to, ok := job.Next(Phase(from), Phase(st))
			uto, uok := u.Next(fsm.Symbol(from), fsm.Symbol(st))
			if uint8(to) != uint8(uto) || ok != uok {
				t.Errorf("Next(%d, %d): typed %v, %v; untyped %v, %v", from, st, to, ok, uto, uok)
			}
		}
	}
	if diff := cmp.Diff(job.Mermaid(), u.Mermaid()); diff != "" {
		t.Errorf("the untyped machine draws another diagram (-typed +untyped)\n%s", diff)
	}
	if got, want := fsm.Symbol(3).String(), "Symbol(3)"; got != want {
		t.Errorf("Symbol(3).String() = %q, want %q", got, want)
	}
}

func TestValidate(t *testing.T) {
	allowedIdle := []string{"FAILED", "QUEUED"}
	tests := []struct {
		why  string
		seq  []Phase
		want fsm.ErrorList
	}{
		{"the empty sequence", nil, nil},
		{"a whole life", []Phase{Queued, Running, Progress, Paused, Progress, Running, Running, Done}, nil},
		{"a sequence may end in a state that is not final", []Phase{Queued, Running}, nil},
		{
			"an illegal status",
			[]Phase{Running},
			fsm.ErrorList{{Machine: "Job", Index: 0, From: "IDLE", Status: "RUNNING", Allowed: allowedIdle, Err: fsm.ErrIllegal}},
		},
		{
			"a notice where it is not declared is illegal",
			[]Phase{Queued, Progress},
			fsm.ErrorList{{Machine: "Job", Index: 1, From: "QUEUED", Status: "PROGRESS", Allowed: []string{"FAILED", "RUNNING"}, Err: fsm.ErrIllegal}},
		},
		{
			"after a terminal state, every status is ErrTerminal",
			[]Phase{Failed, Queued, Failed},
			fsm.ErrorList{
				{Machine: "Job", Index: 1, From: "FAILED", Status: "QUEUED", Allowed: []string{}, Err: fsm.ErrTerminal},
				{Machine: "Job", Index: 2, From: "FAILED", Status: "FAILED", Allowed: []string{}, Err: fsm.ErrTerminal},
			},
		},
		{
			"a state that is no status is unknown as a status",
			[]Phase{Idle},
			fsm.ErrorList{{Machine: "Job", Index: 0, From: "IDLE", Status: "IDLE", Allowed: allowedIdle, Err: fsm.ErrUnknownStatus}},
		},
		{
			"an out-of-range status is unknown, named by its type and number",
			[]Phase{Queued, 42},
			fsm.ErrorList{{Machine: "Job", Index: 1, From: "QUEUED", Status: "Phase(42)", Allowed: []string{"FAILED", "RUNNING"}, Err: fsm.ErrUnknownStatus}},
		},
		{
			"an unknown status after a terminal state is unknown, not terminal",
			[]Phase{Failed, 42},
			fsm.ErrorList{{Machine: "Job", Index: 1, From: "FAILED", Status: "Phase(42)", Allowed: []string{}, Err: fsm.ErrUnknownStatus}},
		},
		{
			"a refused status does not move the machine: the RUNNING after it is legal",
			[]Phase{Queued, Done, Running, Done},
			fsm.ErrorList{{Machine: "Job", Index: 1, From: "QUEUED", Status: "DONE", Allowed: []string{"FAILED", "RUNNING"}, Err: fsm.ErrIllegal}},
		},
		{
			"every violation is reported, each at its index",
			[]Phase{Done, Queued, Queued, Running, 200, Done, Progress},
			fsm.ErrorList{
				{Machine: "Job", Index: 0, From: "IDLE", Status: "DONE", Allowed: allowedIdle, Err: fsm.ErrIllegal},
				{Machine: "Job", Index: 2, From: "QUEUED", Status: "QUEUED", Allowed: []string{"FAILED", "RUNNING"}, Err: fsm.ErrIllegal},
				{Machine: "Job", Index: 4, From: "RUNNING", Status: "Phase(200)", Allowed: []string{"DONE", "FAILED", "PAUSED", "PROGRESS", "RUNNING"}, Err: fsm.ErrUnknownStatus},
				{Machine: "Job", Index: 6, From: "DONE", Status: "PROGRESS", Allowed: []string{}, Err: fsm.ErrTerminal},
			},
		},
	}
	for _, tt := range tests {
		err := job.Validate(tt.seq)
		checkErrorList(t, tt.why+" (Validate)", err, tt.want)

		names := make([]string, len(tt.seq))
		for i, s := range tt.seq {
			names[i] = job.String(s)
			if names[i] == "" {
				names[i] = s.String()
			}
		}
		err = job.ValidateNames(names)
		checkErrorList(t, tt.why+" (ValidateNames)", err, tt.want)
	}
}

func TestValidateNames(t *testing.T) {
	tests := []struct {
		why  string
		seq  []string
		want fsm.ErrorList
	}{
		{"legal", []string{"QUEUED", "RUNNING", "DONE"}, nil},
		{
			"a name the machine does not know",
			[]string{"QUEUED", "BOGUS", "RUNNING"},
			fsm.ErrorList{{Machine: "Job", Index: 1, From: "QUEUED", Status: "BOGUS", Allowed: []string{"FAILED", "RUNNING"}, Err: fsm.ErrUnknownStatus}},
		},
		{
			"the empty name, and a lower-case one",
			[]string{"", "queued"},
			fsm.ErrorList{
				{Machine: "Job", Index: 0, From: "IDLE", Status: "", Allowed: []string{"FAILED", "QUEUED"}, Err: fsm.ErrUnknownStatus},
				{Machine: "Job", Index: 1, From: "IDLE", Status: "queued", Allowed: []string{"FAILED", "QUEUED"}, Err: fsm.ErrUnknownStatus},
			},
		},
		{
			"the name of a state that is no status",
			[]string{"QUEUED", "IDLE"},
			fsm.ErrorList{{Machine: "Job", Index: 1, From: "QUEUED", Status: "IDLE", Allowed: []string{"FAILED", "RUNNING"}, Err: fsm.ErrUnknownStatus}},
		},
		{
			"an unknown name after a terminal state",
			[]string{"FAILED", "BOGUS", "QUEUED"},
			fsm.ErrorList{
				{Machine: "Job", Index: 1, From: "FAILED", Status: "BOGUS", Allowed: []string{}, Err: fsm.ErrUnknownStatus},
				{Machine: "Job", Index: 2, From: "FAILED", Status: "QUEUED", Allowed: []string{}, Err: fsm.ErrTerminal},
			},
		},
	}
	for _, tt := range tests {
		checkErrorList(t, tt.why, job.ValidateNames(tt.seq), tt.want)
	}
}

// checkErrorList checks that err is nil when want is empty, and otherwise an
// ErrorList equal to want whose elements match their causes with errors.Is.
func checkErrorList(t *testing.T, why string, err error, want fsm.ErrorList) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Errorf("%s: got %v, want nil", why, err)
		}
		return
	}
	var list fsm.ErrorList
	if !errors.As(err, &list) {
		t.Errorf("%s: got %T %v, want an ErrorList", why, err, err)
		return
	}
	if diff := cmp.Diff(fields(want), fields(list), cmpopts.EquateErrors()); diff != "" {
		t.Errorf("%s: (-want +got)\n%s", why, diff)
	}
	for _, e := range want {
		if !errors.Is(err, e.Err) {
			t.Errorf("%s: errors.Is(err, %v) = false", why, e.Err)
		}
	}
}

// errorFields is an *fsm.Error as a plain struct, for cmp.Diff: an *Error
// is itself an error, which cmpopts.EquateErrors would compare by identity.
type errorFields struct {
	Machine      string
	Index        int
	From, Status string
	Allowed      []string
	Err          error
}

func fields(list fsm.ErrorList) []errorFields {
	var out []errorFields
	for _, e := range list {
		out = append(out, errorFields(*e))
	}
	return out
}

func TestStepError(t *testing.T) {
	to, err := job.Step(7, Running, Queued)
	if to != Running {
		t.Errorf("Step refused but moved to %v", to)
	}
	var e *fsm.Error
	if !errors.As(err, &e) {
		t.Fatalf("Step: got %T, want *fsm.Error", err)
	}
	want := &fsm.Error{Machine: "Job", Index: 7, From: "RUNNING", Status: "QUEUED", Allowed: []string{"DONE", "FAILED", "PAUSED", "PROGRESS", "RUNNING"}, Err: fsm.ErrIllegal}
	if diff := cmp.Diff(fields(fsm.ErrorList{want}), fields(fsm.ErrorList{e}), cmpopts.EquateErrors()); diff != "" {
		t.Errorf("Step error (-want +got)\n%s", diff)
	}
	// A state out of range does not panic: it allows nothing.
	if _, err := job.Step(0, 99, Queued); !errors.Is(err, fsm.ErrIllegal) {
		t.Errorf("Step from out of range: got %v, want ErrIllegal", err)
	}
}

func TestNoAllocs(t *testing.T) {
	tests := []struct {
		why string
		f   func()
	}{
		{"Next, legal", func() { job.Next(Running, Paused) }},
		{"Next, illegal", func() { job.Next(Idle, Done) }},
		{"Next, out of range", func() { job.Next(200, 201) }},
		{"Can", func() { job.Can(Paused, Progress) }},
		{"Step on success", func() {
			if _, err := job.Step(3, Queued, Running); err != nil {
				panic(err)
			}
		}},
		{"Untyped Next", func() { job.Untyped().Next(fsm.Symbol(Queued), fsm.Symbol(Running)) }},
		{"Validate of a legal sequence", func() {
			if job.Validate(legalSeq) != nil {
				panic("illegal")
			}
		}},
	}
	for _, tt := range tests {
		if n := testing.AllocsPerRun(100, tt.f); n != 0 {
			t.Errorf("%s: %v allocations, want 0", tt.why, n)
		}
	}
}

var legalSeq = []Phase{Queued, Running, Paused, Running, Progress, Done}

func BenchmarkMachine(b *testing.B) {
	b.Run("Next", func(b *testing.B) {
		s := Running
		for b.Loop() {
			s, _ = job.Next(s, Paused)
			s, _ = job.Next(s, Running)
		}
	})
	b.Run("Validate", func(b *testing.B) {
		for b.Loop() {
			_ = job.Validate(legalSeq)
		}
	})
}
