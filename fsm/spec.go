package fsm

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Symbol is the untyped form of a machine's states and statuses; see
// [Machine.Untyped].
type Symbol uint8

// String returns the symbol's number; the name needs its machine.
func (s Symbol) String() string { return fmt.Sprintf("Symbol(%d)", uint8(s)) }

// MaxNames is the largest number of names a Spec may declare. The value 255
// is kept to mean "no transition" in the machine's lookup table.
const MaxNames = 255

// Spec declares a machine, once, as data. It is the one source of truth: the
// lookup table, the sequence validator, the guard, the looplab bridge, the
// diagrams and the generators of fsmtest are all built from it.
//
// S is a small typed enum (a uint8) whose values index Names. Every value is
// a state (the initial state, or a state that a rule leads to), a status (the
// Status of a rule), or both.
type Spec[S ~uint8] struct {
	Name     string    // the machine's name, e.g. "CallStatusEvent"
	Names    []string  // Names[s] is the name of s; unique and non-empty
	Initial  S         // the state before anything is received
	Rules    []Rule[S] // which status may follow which states, and why
	Terminal []S       // states that nothing may follow
	Final    []S       // states where a sequence may end without being left open
}

// Rule says that Status may be received in each state of From. Unless Keep is
// set, the machine then moves to the state named like the status; with Keep
// (a notice) it stays where it was.
type Rule[S ~uint8] struct {
	Status S
	From   []S
	Keep   bool   // a notice: the state does not change
	Why    string // why the edges exist, in a sentence
	Source string // where that is grounded: an RFC, an SDK function, a document
}

// Transition is one edge of a built machine: Status received in From leads
// to To. Why and Source come from the rule that declared it.
type Transition[S ~uint8] struct {
	From, Status, To S
	Why, Source      string
}

// none marks a missing transition in the lookup table.
const none = 0xFF

// table is the untyped, verified body of a machine; every Machine[S] built
// from the same Spec shares one.
type table struct {
	name     string
	pkg      string
	names    []string
	byName   map[string]uint8
	initial  uint8
	n        int
	next     []uint8 // next[from*n+status], none if illegal
	state    []bool  // is a state
	status   []bool  // is a status
	terminal []bool
	final    []bool
	allowed  [][]uint8 // per state, sorted by name
	byAlpha  []uint8   // every symbol, sorted by name
	trans    []Transition[uint8]
	rules    []Rule[uint8]
}

// Build verifies spec and returns the machine it declares. It reports every
// problem it finds at once, as an [ErrorList] of [*Error] whose causes are
// ErrBadName, ErrUnknownState, ErrUnknownStatus, ErrUnreachable, ErrDeadEnd,
// ErrDuplicate, ErrFromTerminal, ErrTerminalNotFinal and ErrUnused. Build
// never panics, whatever the spec.
//
// A self-loop (a repeated status, a notice) counts as a way out of its state:
// a state left only by repeating itself, such as a heartbeat's, is no dead
// end.
func Build[S ~uint8](spec Spec[S]) (*Machine[S], error) {
	t, errs := build(spec.Name, pkgOf[S](), untypedSpec(spec))
	if len(errs) > 0 {
		return nil, errs
	}
	return newMachine[S](t), nil
}

// MustBuild is Build for package-level machines: it panics, listing every
// problem, when the spec is wrong, so that a bad table fails loudly at
// start-up and in every test.
func MustBuild[S ~uint8](spec Spec[S]) *Machine[S] {
	m, err := Build(spec)
	if err != nil {
		panic("fsm: bad spec " + spec.Name + ":\n" + err.Error())
	}
	return m
}

func pkgOf[S any]() string {
	p := reflect.TypeFor[S]().PkgPath()
	return p[strings.LastIndexByte(p, '/')+1:]
}

func untypedSpec[S ~uint8](s Spec[S]) Spec[uint8] {
	u := Spec[uint8]{
		Name:     s.Name,
		Names:    s.Names,
		Initial:  uint8(s.Initial),
		Terminal: conv[S, uint8](s.Terminal),
		Final:    conv[S, uint8](s.Final),
		Rules:    make([]Rule[uint8], len(s.Rules)),
	}
	for i, r := range s.Rules {
		u.Rules[i] = Rule[uint8]{Status: uint8(r.Status), From: conv[S, uint8](r.From), Keep: r.Keep, Why: r.Why, Source: r.Source}
	}
	return u
}

func conv[S, T ~uint8](in []S) []T {
	if in == nil {
		return nil
	}
	out := make([]T, len(in))
	for i, s := range in {
		out[i] = T(s)
	}
	return out
}

func build(name, pkg string, s Spec[uint8]) (*table, ErrorList) {
	var errs ErrorList
	fail := func(idx int, from, status string, cause error) {
		errs = append(errs, &Error{Machine: name, Index: idx, From: from, Status: status, Err: cause})
	}
	n := len(s.Names)
	if n == 0 || n > MaxNames {
		fail(-1, "", fmt.Sprintf("%d names", n), ErrBadName)
		return nil, errs
	}
	t := &table{
		name: name, pkg: pkg, names: append([]string(nil), s.Names...), n: n,
		byName: make(map[string]uint8, n), initial: s.Initial,
		next:  make([]uint8, n*n),
		state: make([]bool, n), status: make([]bool, n),
		terminal: make([]bool, n), final: make([]bool, n),
		allowed: make([][]uint8, n),
	}
	for i := range t.next {
		t.next[i] = none
	}
	for i, nm := range s.Names {
		switch _, dup := t.byName[nm]; {
		case nm == "":
			fail(-1, "", fmt.Sprintf("name %d is empty", i), ErrBadName)
		case dup:
			fail(-1, "", fmt.Sprintf("%s declared twice", nm), ErrBadName)
		default:
			t.byName[nm] = uint8(i)
		}
	}
	in := func(x uint8) bool { return int(x) < n }
	nameOf := func(x uint8) string {
		if in(x) {
			return s.Names[x]
		}
		return fmt.Sprintf("#%d", x)
	}
	if !in(s.Initial) {
		fail(-1, nameOf(s.Initial), "", ErrUnknownState)
		return nil, errs
	}
	// States: the initial state and every state a rule leads to.
	t.state[s.Initial] = true
	for i, r := range s.Rules {
		if !in(r.Status) {
			fail(i, "", nameOf(r.Status), ErrUnknownStatus)
			continue
		}
		t.status[r.Status] = true
		if !r.Keep {
			t.state[r.Status] = true
		}
		if len(r.From) == 0 {
			fail(i, "", nameOf(r.Status), ErrUnreachable)
		}
	}
	mark := func(list []uint8, set []bool) {
		for _, x := range list {
			if !in(x) || !t.state[x] {
				fail(-1, nameOf(x), "", ErrUnknownState)
				continue
			}
			set[x] = true
		}
	}
	mark(s.Terminal, t.terminal)
	mark(s.Final, t.final)
	for i, r := range s.Rules {
		if !in(r.Status) {
			continue
		}
		for _, f := range r.From {
			switch {
			case !in(f) || !t.state[f]:
				fail(i, nameOf(f), nameOf(r.Status), ErrUnknownState)
				continue
			case t.terminal[f]:
				fail(i, nameOf(f), nameOf(r.Status), ErrFromTerminal)
				continue
			case t.next[int(f)*n+int(r.Status)] != none:
				fail(i, nameOf(f), nameOf(r.Status), ErrDuplicate)
				continue
			}
			to := r.Status
			if r.Keep {
				to = f
			}
			t.next[int(f)*n+int(r.Status)] = to
			t.trans = append(t.trans, Transition[uint8]{From: f, Status: r.Status, To: to, Why: r.Why, Source: r.Source})
		}
		t.rules = append(t.rules, Rule[uint8]{Status: r.Status, From: append([]uint8(nil), r.From...), Keep: r.Keep, Why: r.Why, Source: r.Source})
	}
	// Reachability from the initial state.
	seen := make([]bool, n)
	seen[s.Initial] = true
	queue := []uint8{s.Initial}
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		for st := 0; st < n; st++ {
			if to := t.next[int(x)*n+st]; to != none && !seen[to] {
				seen[to] = true
				queue = append(queue, to)
			}
		}
	}
	for x := 0; x < n; x++ {
		nm := s.Names[x]
		switch {
		case !t.state[x] && !t.status[x]:
			fail(-1, "", nm, ErrUnused)
		case !t.state[x]:
		case !seen[x]:
			fail(-1, nm, "", ErrUnreachable)
		}
		if t.state[x] && !t.terminal[x] && !hasOut(t, uint8(x)) {
			fail(-1, nm, "", ErrDeadEnd)
		}
		if t.terminal[x] && !t.final[x] {
			fail(-1, nm, "", ErrTerminalNotFinal)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	// Name-sorted views.
	t.byAlpha = make([]uint8, n)
	for i := range t.byAlpha {
		t.byAlpha[i] = uint8(i)
	}
	sort.Slice(t.byAlpha, func(i, j int) bool { return t.names[t.byAlpha[i]] < t.names[t.byAlpha[j]] })
	for x := 0; x < n; x++ {
		for _, st := range t.byAlpha {
			if t.next[x*n+int(st)] != none {
				t.allowed[x] = append(t.allowed[x], st)
			}
		}
	}
	sort.SliceStable(t.trans, func(i, j int) bool {
		a, b := t.trans[i], t.trans[j]
		if a.From != b.From {
			return t.names[a.From] < t.names[b.From]
		}
		return t.names[a.Status] < t.names[b.Status]
	})
	return t, nil
}

func hasOut(t *table, x uint8) bool {
	for _, to := range t.next[int(x)*t.n : int(x+1)*t.n] {
		if to != none {
			return true
		}
	}
	return false
}

// NameOf returns names[s], or "S(n)" (the type and number) when s is out of
// range: the String method of a family's enum in one line.
func NameOf[S ~uint8](names []string, s S) string {
	if int(s) < len(names) {
		return names[s]
	}
	return fmt.Sprintf("%s(%d)", reflect.TypeFor[S]().Name(), uint8(s))
}
