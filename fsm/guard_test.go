package fsm_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/wcsfsm/wcsfsm/call"
	"github.com/wcsfsm/wcsfsm/connection"
	"github.com/wcsfsm/wcsfsm/fsm"
	"github.com/wcsfsm/wcsfsm/stream"
	"github.com/wcsfsm/wcsfsm/transfer"
)

// guardErr is an *fsm.Error with its cause as a name, so that cmp.Diff can
// compare and print it.
type guardErr struct {
	Machine string
	Index   int
	From    string
	Status  string
	Allowed []string
	Cause   string
}

var guardCauses = []struct {
	name string
	err  error
}{
	{"ErrIllegal", fsm.ErrIllegal},
	{"ErrTerminal", fsm.ErrTerminal},
	{"ErrUnknownStatus", fsm.ErrUnknownStatus},
	{"ErrUnknownState", fsm.ErrUnknownState},
	{"ErrNoMachine", fsm.ErrNoMachine},
}

// guardRow turns err into a guardErr; nil stays nil. An error that is not an
// *fsm.Error, or whose cause is none of the package's, gets a Cause saying
// so, which no expectation matches.
func guardRow(err error) *guardErr {
	if err == nil {
		return nil
	}
	var e *fsm.Error
	if !errors.As(err, &e) {
		return &guardErr{Cause: fmt.Sprintf("not an *fsm.Error: %T %v", err, err)}
	}
	r := &guardErr{Machine: e.Machine, Index: e.Index, From: e.From, Status: e.Status, Allowed: e.Allowed, Cause: fmt.Sprintf("unexpected cause %v", e.Err)}
	for _, c := range guardCauses {
		if errors.Is(err, c.err) {
			r.Cause = c.name
			break
		}
	}
	return r
}

// guardFired is what one Fire returned, with the state as names.
type guardFired struct {
	To  string
	Err *guardErr
}

const guardCallName = "CallStatusEvent"

var (
	guardAllowedEstablished = []string{"ESTABLISHED", "FAILED", "FINISH", "HOLD"}
	guardAllowedHold        = []string{"ESTABLISHED", "FAILED", "FINISH"}
	guardAllowedNew         = []string{"BUSY", "ESTABLISHED", "FAILED", "PENDING", "RING", "RING_MEDIA", "SESSION_PROGRESS", "TRYING"}
)

func TestGuardFire(t *testing.T) {
	// How the machine names a value it does not know (its type and number).
	_, err := call.Machine.Step(0, call.New, 200)
	outOfRange := guardRow(err).Status
	tests := []struct {
		why       string
		restore   call.State // Restore'd before firing, unless it is call.New
		fire      []call.State
		want      []guardFired
		wantState call.State
		wantFired int
	}{
		{
			why:       "a fresh guard is in the initial state and has fired nothing",
			wantState: call.New,
		},
		{
			why:  "an outgoing call that is answered, held, taken off hold and hung up",
			fire: []call.State{call.Trying, call.Ring, call.Established, call.Hold, call.Established, call.Finish},
			want: []guardFired{
				{To: "TRYING"}, {To: "RING"}, {To: "ESTABLISHED"}, {To: "HOLD"}, {To: "ESTABLISHED"}, {To: "FINISH"},
			},
			wantState: call.Finish,
			wantFired: 6,
		},
		{
			why:       "a self-loop (a re-INVITE's 200 OK) is accepted and counted",
			fire:      []call.State{call.Established, call.Established},
			want:      []guardFired{{To: "ESTABLISHED"}, {To: "ESTABLISHED"}},
			wantState: call.Established,
			wantFired: 2,
		},
		{
			why:       "HOLD before the call is established is illegal; the state stays NEW and the refusal has Index 0",
			fire:      []call.State{call.Hold},
			want:      []guardFired{{To: "NEW", Err: &guardErr{Machine: guardCallName, Index: 0, From: "NEW", Status: "HOLD", Allowed: guardAllowedNew, Cause: "ErrIllegal"}}},
			wantState: call.New,
			wantFired: 1,
		},
		{
			why:  "a refusal does not move the guard, so the next legal status is still accepted; Index counts the refusal",
			fire: []call.State{call.Established, call.Ring, call.Hold, call.Hold},
			want: []guardFired{
				{To: "ESTABLISHED"},
				{To: "ESTABLISHED", Err: &guardErr{Machine: guardCallName, Index: 1, From: "ESTABLISHED", Status: "RING", Allowed: guardAllowedEstablished, Cause: "ErrIllegal"}},
				{To: "HOLD"},
				{To: "HOLD", Err: &guardErr{Machine: guardCallName, Index: 3, From: "HOLD", Status: "HOLD", Allowed: guardAllowedHold, Cause: "ErrIllegal"}},
			},
			wantState: call.Hold,
			wantFired: 4,
		},
		{
			why:  "nothing follows a terminal state: the cause is ErrTerminal and Allowed is empty, not nil",
			fire: []call.State{call.Busy, call.Finish},
			want: []guardFired{
				{To: "BUSY"},
				{To: "BUSY", Err: &guardErr{Machine: guardCallName, Index: 1, From: "BUSY", Status: "FINISH", Allowed: []string{}, Cause: "ErrTerminal"}},
			},
			wantState: call.Busy,
			wantFired: 2,
		},
		{
			why:       "NEW is a state but no status: firing it is ErrUnknownStatus",
			fire:      []call.State{call.New},
			want:      []guardFired{{To: "NEW", Err: &guardErr{Machine: guardCallName, Index: 0, From: "NEW", Status: "NEW", Allowed: guardAllowedNew, Cause: "ErrUnknownStatus"}}},
			wantState: call.New,
			wantFired: 1,
		},
		{
			why:       "a value out of the enum's range is ErrUnknownStatus, named as Machine.Step names it",
			fire:      []call.State{200},
			want:      []guardFired{{To: "NEW", Err: &guardErr{Machine: guardCallName, Index: 0, From: "NEW", Status: outOfRange, Allowed: guardAllowedNew, Cause: "ErrUnknownStatus"}}},
			wantState: call.New,
			wantFired: 1,
		},
		{
			why:       "after Restore the guard goes on from the restored state",
			restore:   call.Hold,
			fire:      []call.State{call.Established, call.Hold},
			want:      []guardFired{{To: "ESTABLISHED"}, {To: "HOLD"}},
			wantState: call.Hold,
			wantFired: 2,
		},
		{
			why:     "a guard restored into a terminal state refuses everything",
			restore: call.Failed,
			fire:    []call.State{call.Failed},
			want: []guardFired{
				{To: "FAILED", Err: &guardErr{Machine: guardCallName, Index: 0, From: "FAILED", Status: "FAILED", Allowed: []string{}, Cause: "ErrTerminal"}},
			},
			wantState: call.Failed,
			wantFired: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			g := fsm.NewGuard(call.Machine)
			if tt.restore != call.New {
				if err := g.Restore(tt.restore); err != nil {
					t.Fatalf("Restore(%v) = %v", tt.restore, err)
				}
			}
			var got []guardFired
			for _, s := range tt.fire {
				to, err := g.Fire(s)
				got = append(got, guardFired{To: call.Machine.String(to), Err: guardRow(err)})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Fire results (-want +got):\n%s", diff)
			}
			if got := g.State(); got != tt.wantState {
				t.Errorf("State() = %v, want %v", got, tt.wantState)
			}
			if got := g.Fired(); got != tt.wantFired {
				t.Errorf("Fired() = %d, want %d", got, tt.wantFired)
			}
		})
	}
}

func TestGuardMove(t *testing.T) {
	tests := []struct {
		why              string
		fire             []call.State
		wantFrom, wantTo []call.State
		wantErr          []bool
	}{
		{
			why:      "an accepted status reports the state it left and the state it entered",
			fire:     []call.State{call.Ring, call.Established, call.Hold},
			wantFrom: []call.State{call.New, call.Ring, call.Established},
			wantTo:   []call.State{call.Ring, call.Established, call.Hold},
			wantErr:  []bool{false, false, false},
		},
		{
			why:      "a refused status reports the unchanged state as both from and to",
			fire:     []call.State{call.Hold, call.Established},
			wantFrom: []call.State{call.New, call.New},
			wantTo:   []call.State{call.New, call.Established},
			wantErr:  []bool{true, false},
		},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			g := fsm.NewGuard(call.Machine)
			var from, to []call.State
			var failed []bool
			for _, s := range tt.fire {
				f, n, err := g.Move(s)
				from, to, failed = append(from, f), append(to, n), append(failed, err != nil)
			}
			if diff := cmp.Diff(tt.wantFrom, from); diff != "" {
				t.Errorf("from (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantTo, to); diff != "" {
				t.Errorf("to (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantErr, failed); diff != "" {
				t.Errorf("err != nil (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGuardFireName(t *testing.T) {
	tests := []struct {
		why       string
		names     []string
		want      []guardFired
		wantState call.State
	}{
		{
			why:       "names of statuses are parsed and fired",
			names:     []string{"RING", "ESTABLISHED", "HOLD"},
			want:      []guardFired{{To: "RING"}, {To: "ESTABLISHED"}, {To: "HOLD"}},
			wantState: call.Hold,
		},
		{
			why:   "an unknown name is ErrUnknownStatus with the name as given, and counts as fired",
			names: []string{"ESTABLISHED", "RINGING", "HOLD"},
			want: []guardFired{
				{To: "ESTABLISHED"},
				{To: "ESTABLISHED", Err: &guardErr{Machine: guardCallName, Index: 1, From: "ESTABLISHED", Status: "RINGING", Allowed: guardAllowedEstablished, Cause: "ErrUnknownStatus"}},
				{To: "HOLD"},
			},
			wantState: call.Hold,
		},
		{
			why:   "names are case-sensitive, as in the hook's JSON",
			names: []string{"established"},
			want: []guardFired{
				{To: "NEW", Err: &guardErr{Machine: guardCallName, Index: 0, From: "NEW", Status: "established", Allowed: guardAllowedNew, Cause: "ErrUnknownStatus"}},
			},
			wantState: call.New,
		},
		{
			why:   "NEW names a state, not a status",
			names: []string{"NEW"},
			want: []guardFired{
				{To: "NEW", Err: &guardErr{Machine: guardCallName, Index: 0, From: "NEW", Status: "NEW", Allowed: guardAllowedNew, Cause: "ErrUnknownStatus"}},
			},
			wantState: call.New,
		},
		{
			why:   "a known status that may not follow is ErrIllegal, as with Fire",
			names: []string{"FINISH"},
			want: []guardFired{
				{To: "NEW", Err: &guardErr{Machine: guardCallName, Index: 0, From: "NEW", Status: "FINISH", Allowed: guardAllowedNew, Cause: "ErrIllegal"}},
			},
			wantState: call.New,
		},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			g := fsm.NewGuard(call.Machine)
			var got []guardFired
			for _, nm := range tt.names {
				to, err := g.FireName(nm)
				got = append(got, guardFired{To: call.Machine.String(to), Err: guardRow(err)})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("FireName results (-want +got):\n%s", diff)
			}
			if got := g.State(); got != tt.wantState {
				t.Errorf("State() = %v, want %v", got, tt.wantState)
			}
			if got, want := g.Fired(), len(tt.names); got != want {
				t.Errorf("Fired() = %d, want %d", got, want)
			}
			if err, want := call.Machine.ValidateNames(tt.names), guardWantErrs(tt.want); cmp.Diff(want, guardRows(err)) != "" {
				t.Errorf("FireName disagrees with ValidateNames (-FireName +ValidateNames):\n%s", cmp.Diff(want, guardRows(err)))
			}
		})
	}
}

func guardWantErrs(fs []guardFired) []*guardErr {
	var out []*guardErr
	for _, f := range fs {
		if f.Err != nil {
			out = append(out, f.Err)
		}
	}
	return out
}

// guardRows is guardRow for each element of an fsm.ErrorList; nil for nil.
func guardRows(err error) []*guardErr {
	if err == nil {
		return nil
	}
	var l fsm.ErrorList
	if !errors.As(err, &l) {
		return []*guardErr{guardRow(err)}
	}
	out := make([]*guardErr, len(l))
	for i, e := range l {
		out[i] = guardRow(e)
	}
	return out
}

func TestGuardRestore(t *testing.T) {
	tests := []struct {
		why       string
		restore   stream.State
		wantErr   *guardErr
		wantState stream.State
	}{
		{
			why:       "any state may be restored",
			restore:   stream.Paused,
			wantState: stream.Paused,
		},
		{
			why:       "a terminal state may be restored",
			restore:   stream.Unpublished,
			wantState: stream.Unpublished,
		},
		{
			why:       "the initial state may be restored",
			restore:   stream.New,
			wantState: stream.New,
		},
		{
			why:       "a notice is a status but no state: refused, the guard stays where it was",
			restore:   stream.Resize,
			wantErr:   &guardErr{Machine: "StreamStatusEvent", Index: -1, From: "RESIZE", Cause: "ErrUnknownState"},
			wantState: stream.Playing,
		},
		{
			why:       "a value out of range is refused, named by its number",
			restore:   99,
			wantErr:   &guardErr{Machine: "StreamStatusEvent", Index: -1, From: "State(99)", Cause: "ErrUnknownState"},
			wantState: stream.Playing,
		},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			g := fsm.NewGuard(stream.Machine)
			if _, err := g.Fire(stream.Playing); err != nil {
				t.Fatal(err)
			}
			err := g.Restore(tt.restore)
			if diff := cmp.Diff(tt.wantErr, guardRow(err)); diff != "" {
				t.Errorf("Restore(%v) error (-want +got):\n%s", tt.restore, diff)
			}
			if got := g.State(); got != tt.wantState {
				t.Errorf("State() = %v, want %v", got, tt.wantState)
			}
			if got := g.Fired(); got != 1 {
				t.Errorf("Fired() = %d after Restore, want 1 (Restore does not count)", got)
			}
		})
	}
}

func TestGuardZero(t *testing.T) {
	noMachine := func(from, status string) *guardErr {
		return &guardErr{Machine: "fsm.Guard", Index: -1, From: from, Status: status, Cause: "ErrNoMachine"}
	}
	var nilMachine *fsm.Machine[call.State]
	guards := []struct {
		why string
		g   func() *fsm.Guard[call.State]
	}{
		{"the zero value has no machine", func() *fsm.Guard[call.State] { return new(fsm.Guard[call.State]) }},
		{"Init(nil) gives a guard with no machine", func() *fsm.Guard[call.State] { return fsm.NewGuard(call.Machine).Init(nil) }},
		{"NewGuard(nil) gives a guard with no machine", func() *fsm.Guard[call.State] { return fsm.NewGuard(nilMachine) }},
	}
	ops := []struct {
		why  string
		op   func(g *fsm.Guard[call.State]) any
		want any
	}{
		{"Fire refuses with ErrNoMachine", func(g *fsm.Guard[call.State]) any {
			to, err := g.Fire(call.Ring)
			return guardFired{To: to.String(), Err: guardRow(err)}
		}, guardFired{To: "NEW", Err: noMachine("", "RING")}},
		{"Move refuses with ErrNoMachine", func(g *fsm.Guard[call.State]) any {
			from, to, err := g.Move(call.Ring)
			return []any{from, to, guardRow(err)}
		}, []any{call.New, call.New, noMachine("", "RING")}},
		{"FireName refuses with ErrNoMachine", func(g *fsm.Guard[call.State]) any {
			to, err := g.FireName("RING")
			return guardFired{To: to.String(), Err: guardRow(err)}
		}, guardFired{To: "NEW", Err: noMachine("", "RING")}},
		{"Restore refuses with ErrNoMachine", func(g *fsm.Guard[call.State]) any {
			return guardRow(g.Restore(call.Hold))
		}, noMachine("HOLD", "")},
		{"Can is false", func(g *fsm.Guard[call.State]) any { return g.Can(call.Ring) }, false},
		{"Allowed is nil", func(g *fsm.Guard[call.State]) any { return g.Allowed() == nil }, true},
		{"State is 0", func(g *fsm.Guard[call.State]) any { return g.State() }, call.State(0)},
		{"Fired is 0, refusals without a machine do not count", func(g *fsm.Guard[call.State]) any {
			g.Fire(call.Ring)
			return g.Fired()
		}, 0},
		{"Machine is nil", func(g *fsm.Guard[call.State]) any { return g.Machine() == nil }, true},
	}
	for _, gg := range guards {
		for _, op := range ops {
			t.Run(gg.why+"/"+op.why, func(t *testing.T) {
				if diff := cmp.Diff(op.want, op.op(gg.g())); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}
	}
	t.Run("the message names the guard and the cause", func(t *testing.T) {
		var g fsm.Guard[call.State]
		_, err := g.Fire(call.Ring)
		const want = "fsm.Guard: RING: guard has no machine (call Init)"
		if err == nil || err.Error() != want {
			t.Errorf("Fire on a zero Guard: err = %v, want %q", err, want)
		}
	})
}

func TestGuardInit(t *testing.T) {
	tests := []struct {
		why   string
		setup func(g *fsm.Guard[call.State])
	}{
		{"on a zero Guard", func(*fsm.Guard[call.State]) {}},
		{"after statuses were fired and refused", func(g *fsm.Guard[call.State]) {
			g.Init(call.Machine)
			g.Fire(call.Established)
			g.Fire(call.Ring)
		}},
		{"after Restore", func(g *fsm.Guard[call.State]) {
			g.Init(call.Machine)
			g.Restore(call.Finish)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			var g fsm.Guard[call.State]
			tt.setup(&g)
			if got := g.Init(call.Machine); got != &g {
				t.Errorf("Init returned %p, want the guard itself %p", got, &g)
			}
			got := []any{g.Machine() == call.Machine, g.State(), g.Fired()}
			if diff := cmp.Diff([]any{true, call.New, 0}, got); diff != "" {
				t.Errorf("after Init: [machine is call.Machine, State, Fired] (-want +got):\n%s", diff)
			}
		})
	}
}

// guardModel checks a Guard against its machine's table, in a rapid state
// machine test: the model is the current state and the number of statuses
// fired.
func guardModel[S ~uint8](m *fsm.Machine[S]) func(*rapid.T) {
	return func(t *rapid.T) {
		// Every value of the enum, and one beyond it.
		all := make([]S, m.Len()+1)
		for i := range all {
			all[i] = S(i)
		}
		names := append(m.Names(all[:m.Len()]), "NOT_A_STATUS", "")
		var g fsm.Guard[S]
		g.Init(m)
		state, count := m.Initial(), 0
		t.Repeat(map[string]func(*rapid.T){
			"Fire": func(t *rapid.T) {
				// Mostly legal statuses, so that the walk goes deep.
				pool := all
				if a := m.Allowed(state); len(a) > 0 && rapid.Bool().Draw(t, "legal") {
					pool = a
				}
				s := rapid.SampledFrom(pool).Draw(t, "status")
				wantTo, wantErr := m.Step(count, state, s)
				from, to, err := g.Move(s)
				if diff := cmp.Diff(guardRow(wantErr), guardRow(err)); diff != "" {
					t.Fatalf("Fire(%s) from %s: error (-Machine.Step +Guard):\n%s", m.String(s), m.String(state), diff)
				}
				if from != state || to != wantTo {
					t.Fatalf("Fire(%s): moved %s -> %s, want %s -> %s", m.String(s), m.String(from), m.String(to), m.String(state), m.String(wantTo))
				}
				state = wantTo
				count++
			},
			"FireName": func(t *rapid.T) {
				nm := rapid.SampledFrom(names).Draw(t, "name")
				var wantErr error
				wantTo := state
				if s, ok := m.ParseStatus(nm); ok {
					wantTo, wantErr = m.Step(count, state, s)
				} else {
					wantErr = &fsm.Error{Machine: m.Name(), Index: count, From: m.String(state), Status: nm, Allowed: m.AllowedNames(state), Err: fsm.ErrUnknownStatus}
				}
				to, err := g.FireName(nm)
				if diff := cmp.Diff(guardRow(wantErr), guardRow(err)); diff != "" {
					t.Fatalf("FireName(%q) from %s: error (-want +got):\n%s", nm, m.String(state), diff)
				}
				if to != wantTo {
					t.Fatalf("FireName(%q) from %s = %s, want %s", nm, m.String(state), m.String(to), m.String(wantTo))
				}
				state = wantTo
				count++
			},
			"Restore": func(t *rapid.T) {
				s := rapid.SampledFrom(all).Draw(t, "state")
				err := g.Restore(s)
				if m.IsState(s) {
					if err != nil {
						t.Fatalf("Restore(%s) = %v, want nil", m.String(s), err)
					}
					state = s
					return
				}
				if !errors.Is(err, fsm.ErrUnknownState) {
					t.Fatalf("Restore(%d), not a state: err = %v, want ErrUnknownState", s, err)
				}
			},
			"Can": func(t *rapid.T) {
				s := rapid.SampledFrom(all).Draw(t, "status")
				if got, want := g.Can(s), m.Can(state, s); got != want {
					t.Fatalf("Can(%s) in %s = %v, want %v", m.String(s), m.String(state), got, want)
				}
				if diff := cmp.Diff(m.Allowed(state), g.Allowed()); diff != "" {
					t.Fatalf("Allowed() in %s (-Machine +Guard):\n%s", m.String(state), diff)
				}
			},
			"": func(t *rapid.T) {
				if got := g.State(); got != state {
					t.Fatalf("State() = %s, want %s", m.String(got), m.String(state))
				}
				if got := g.Fired(); got != count {
					t.Fatalf("Fired() = %d, want %d", got, count)
				}
			},
		})
	}
}

// guardValidate checks that a Guard fed a sequence refuses exactly what
// Machine.Validate reports for it, with the same errors.
func guardValidate[S ~uint8](m *fsm.Machine[S]) func(*rapid.T) {
	return func(t *rapid.T) {
		seq := rapid.SliceOfN(rapid.Uint8Range(0, uint8(m.Len())), 0, 40).Draw(t, "seq")
		statuses := make([]S, len(seq))
		var errs fsm.ErrorList
		g := fsm.NewGuard(m)
		for i, s := range seq {
			statuses[i] = S(s)
			if _, err := g.Fire(S(s)); err != nil {
				errs = append(errs, err.(*fsm.Error))
			}
		}
		if diff := cmp.Diff(guardRows(m.Validate(statuses)), guardRows(errs.Err())); diff != "" {
			t.Fatalf("Guard errors (-Validate +Guard):\n%s", diff)
		}
	}
}

// guardProperties are the rapid properties of a Guard, for each of the
// eight family machines.
var guardProperties = []struct {
	machine         string
	model, validate func(*rapid.T)
}{
	{"connection.Machine", guardModel(connection.Machine), guardValidate(connection.Machine)},
	{"connection.Registration", guardModel(connection.Registration), guardValidate(connection.Registration)},
	{"connection.Debug", guardModel(connection.Debug), guardValidate(connection.Debug)},
	{"connection.Data", guardModel(connection.Data), guardValidate(connection.Data)},
	{"call.Machine", guardModel(call.Machine), guardValidate(call.Machine)},
	{"transfer.Machine", guardModel(transfer.Machine), guardValidate(transfer.Machine)},
	{"stream.Machine", guardModel(stream.Machine), guardValidate(stream.Machine)},
	{"stream.KeepAlive", guardModel(stream.KeepAlive), guardValidate(stream.KeepAlive)},
}

func TestGuardModel(t *testing.T) {
	for _, p := range guardProperties {
		t.Run(p.machine, func(t *testing.T) { rapid.Check(t, p.model) })
	}
}

func TestGuardMatchesValidate(t *testing.T) {
	for _, p := range guardProperties {
		t.Run(p.machine, func(t *testing.T) { rapid.Check(t, p.validate) })
	}
}

// guardMove is one accepted transition, as a goroutine saw it.
type guardMove[S ~uint8] struct{ From, Status, To S }

// guardConcurrent fires statuses at one guard from many goroutines at
// once, and then, when all are done, last from all at once. It checks that no transition was lost or taken
// twice: every accepted (from, status, to) is an edge of the machine, and
// all of them chain into one history from the initial state whose replay
// through Machine.Next ends in the guard's final State. Every refusal has
// its own Index, and Fired counts every status.
func guardConcurrent[S ~uint8](t *testing.T, m *fsm.Machine[S], statuses []S, last S) {
	const workers, perWorker = 8, 2000
	g := fsm.NewGuard(m)
	var (
		wg      sync.WaitGroup
		midway  sync.WaitGroup
		start   = make(chan struct{})
		moves   [workers][]guardMove[S]
		refused [workers][]int
		errs    [workers]error
	)
	midway.Add(workers)
	for w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			<-start
			for i := range perWorker {
				s := last
				if i < perWorker-1 {
					s = statuses[rng.IntN(len(statuses))]
				} else {
					// All fire last at once, when all are done.
					midway.Done()
					midway.Wait()
				}
				from, to, err := g.Move(s)
				if err != nil {
					var e *fsm.Error
					if !errors.As(err, &e) || from != to || e.From != m.String(from) {
						errs[w] = fmt.Errorf("refusal of %s: from %s, to %s, err %v", m.String(s), m.String(from), m.String(to), err)
						return
					}
					refused[w] = append(refused[w], e.Index)
					continue
				}
				moves[w] = append(moves[w], guardMove[S]{from, s, to})
			}
		})
	}
	close(start)
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		t.Fatal(err)
	}

	var all []guardMove[S]
	seen, nRefused := map[int]bool{}, 0
	for w := range workers {
		all = append(all, moves[w]...)
		nRefused += len(refused[w])
		for _, i := range refused[w] {
			if seen[i] || i < 0 || i >= workers*perWorker {
				t.Errorf("refusal Index %d out of range or given twice", i)
				break
			}
			seen[i] = true
		}
	}
	if got, want := g.Fired(), workers*perWorker; got != want {
		t.Errorf("Fired() = %d, want %d", got, want)
	}
	if len(all)+nRefused != workers*perWorker {
		t.Errorf("%d accepted + %d refused, want %d in all", len(all), nRefused, workers*perWorker)
	}
	for _, mv := range all {
		if to, ok := m.Next(mv.From, mv.Status); !ok || to != mv.To {
			t.Fatalf("accepted %s --%s--> %s is no edge of the machine", m.String(mv.From), m.String(mv.Status), m.String(mv.To))
		}
	}
	history := guardEulerTrail(m.Initial(), all)
	if len(history) != len(all) {
		t.Fatalf("the %d accepted transitions do not chain from %s: a trail uses only %d of them", len(all), m.String(m.Initial()), len(history))
	}
	st := m.Initial()
	for i, mv := range history {
		next, ok := m.Next(st, mv.Status)
		if mv.From != st || !ok || next != mv.To {
			t.Fatalf("history breaks at %d: in %s, %s --%s--> %s", i, m.String(st), m.String(mv.From), m.String(mv.Status), m.String(mv.To))
		}
		st = next
	}
	if got := g.State(); got != st {
		t.Errorf("State() = %s, but the history of accepted transitions ends in %s", m.String(got), m.String(st))
	}
	t.Logf("%d statuses: %d accepted, %d refused; final state %s", workers*perWorker, len(all), nRefused, m.String(st))
}

// guardEulerTrail orders moves into a trail from start that uses every move
// once, if there is one (Hierholzer's algorithm); otherwise the result is
// shorter than moves or does not chain, which the caller checks.
func guardEulerTrail[S ~uint8](start S, moves []guardMove[S]) []guardMove[S] {
	out := map[S][]int{}
	for i, mv := range moves {
		out[mv.From] = append(out[mv.From], i)
	}
	next := map[S]int{}
	type frame struct {
		at   S
		edge int
	}
	stack := []frame{{start, -1}}
	var trail []guardMove[S]
	for len(stack) > 0 {
		top := stack[len(stack)-1]
		if es := out[top.at]; next[top.at] < len(es) {
			e := es[next[top.at]]
			next[top.at]++
			stack = append(stack, frame{moves[e].To, e})
			continue
		}
		stack = stack[:len(stack)-1]
		if top.edge >= 0 {
			trail = append(trail, moves[top.edge])
		}
	}
	for i, j := 0, len(trail)-1; i < j; i, j = i+1, j-1 {
		trail[i], trail[j] = trail[j], trail[i]
	}
	return trail
}

func TestGuardConcurrent(t *testing.T) {
	t.Run("call.Machine: ESTABLISHED <-> HOLD, illegal RING, then FINISH", func(t *testing.T) {
		guardConcurrent(t, call.Machine, []call.State{call.Established, call.Established, call.Hold, call.Hold, call.Ring}, call.Finish)
	})
	t.Run("connection.Registration: REGISTERED <-> UNREGISTERED, refreshes", func(t *testing.T) {
		guardConcurrent(t, connection.Registration, []connection.RegistrationState{connection.Registered, connection.Unregistered}, connection.Registered)
	})
	t.Run("stream.Machine: PLAYING <-> PAUSED, notices that keep the state, then STOPPED", func(t *testing.T) {
		guardConcurrent(t, stream.Machine, []stream.State{stream.Playing, stream.Paused, stream.Resize, stream.NotEnoughBandwidth, stream.PlaybackProblem}, stream.Stopped)
	})
}

func TestGuardAllocs(t *testing.T) {
	g := fsm.NewGuard(call.Machine)
	if _, err := g.Fire(call.Established); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		why string
		f   func()
	}{
		{"Fire, accepted", func() { g.Fire(call.Hold); g.Fire(call.Established) }},
		{"Move, accepted", func() { g.Move(call.Hold); g.Move(call.Established) }},
		{"FireName, accepted", func() { g.FireName("HOLD"); g.FireName("ESTABLISHED") }},
		{"Can", func() { g.Can(call.Hold) }},
		{"State", func() { g.State() }},
		{"Restore, valid", func() { g.Restore(call.Established) }},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			if n := testing.AllocsPerRun(1000, tt.f); n != 0 {
				t.Errorf("%s: %v allocs per run, want 0", tt.why, n)
			}
		})
	}
	if g.State() != call.Established {
		t.Fatalf("State() = %v: the cycle did not run", g.State())
	}
}

// BenchmarkGuardFire fires the cycle ESTABLISHED -> HOLD -> ESTABLISHED on
// call.Machine: the success path, one status per op.
func BenchmarkGuardFire(b *testing.B) {
	g := fsm.NewGuard(call.Machine)
	g.Fire(call.Established)
	cycle := [2]call.State{call.Hold, call.Established}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := g.Fire(cycle[i&1]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkGuardFireName is BenchmarkGuardFire with the statuses by name.
func BenchmarkGuardFireName(b *testing.B) {
	g := fsm.NewGuard(call.Machine)
	g.Fire(call.Established)
	cycle := [2]string{"HOLD", "ESTABLISHED"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := g.FireName(cycle[i&1]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkGuardFireRefused fires an illegal status: the cost of building
// the *Error.
func BenchmarkGuardFireRefused(b *testing.B) {
	g := fsm.NewGuard(call.Machine)
	g.Fire(call.Established)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.Fire(call.Ring); err == nil {
			b.Fatal("RING accepted after ESTABLISHED")
		}
	}
}

// BenchmarkGuardFireParallel fires from every P at once: "own" gives each
// goroutine its own guard (the usual case: one guard per call), "shared"
// makes them all fire ESTABLISHED (a self-loop, always accepted) at one
// guard, so that every compare-and-swap contends.
func BenchmarkGuardFireParallel(b *testing.B) {
	b.Run("own", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			g := fsm.NewGuard(call.Machine)
			g.Fire(call.Established)
			cycle := [2]call.State{call.Hold, call.Established}
			i := 0
			for pb.Next() {
				if _, err := g.Fire(cycle[i&1]); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
	})
	b.Run("shared", func(b *testing.B) {
		g := fsm.NewGuard(call.Machine)
		g.Fire(call.Established)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := g.Fire(call.Established); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkLooplabEvent is BenchmarkGuardFire on the looplab FSM of the
// same machine, through the Bridge and through FSM.Event itself.
func BenchmarkLooplabEvent(b *testing.B) {
	cycle := [2]string{"HOLD", "ESTABLISHED"}
	b.Run("Bridge.Fire", func(b *testing.B) {
		br := call.Machine.Looplab(nil)
		if err := br.Fire(context.Background(), "ESTABLISHED"); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if err := br.Fire(context.Background(), cycle[i&1]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("FSM.Event", func(b *testing.B) {
		f := call.Machine.Looplab(nil).FSM
		ctx := context.Background()
		if err := f.Event(ctx, "ESTABLISHED"); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if err := f.Event(ctx, cycle[i&1]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}
