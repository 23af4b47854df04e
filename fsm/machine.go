package fsm

// Machine is a verified, immutable state machine built from a [Spec]. It is
// safe for concurrent use. The zero value is not usable: get one from
// [Build] or [MustBuild].
//
// Lists that a Machine returns (states, statuses, allowed statuses) are
// sorted by name and are fresh copies the caller may keep.
type Machine[S ~uint8] struct {
	t       *table
	untyped *Machine[Symbol]
}

func newMachine[S ~uint8](t *table) *Machine[S] {
	m := &Machine[S]{t: t}
	m.untyped = &Machine[Symbol]{t: t}
	m.untyped.untyped = m.untyped
	return m
}

// Untyped returns the same machine with its states and statuses as plain
// [Symbol] values, so that machines of different families can sit in one
// slice. It shares m's table: Name and Package are m's. It does not
// allocate.
func (m *Machine[S]) Untyped() *Machine[Symbol] { return m.untyped }

// Name returns the machine's name, as declared in its Spec.
func (m *Machine[S]) Name() string { return m.t.name }

// Package returns the last element of the import path of the package that
// declares the machine's enum, e.g. "call": for a machine from
// [Machine.Untyped], the enum of the typed one; "" for a predeclared type
// such as uint8.
func (m *Machine[S]) Package() string { return m.t.pkg }

// Initial returns the state before anything is received.
func (m *Machine[S]) Initial() S { return S(m.t.initial) }

// Len returns the number of names (states and statuses); every valid S is
// less than it.
func (m *Machine[S]) Len() int { return m.t.n }

// String returns the name of s, or "" if s is out of range.
func (m *Machine[S]) String(s S) string {
	if int(s) >= m.t.n {
		return ""
	}
	return m.t.names[s]
}

// Lookup returns the value named name, whether a state or a status.
func (m *Machine[S]) Lookup(name string) (S, bool) {
	s, ok := m.t.byName[name]
	return S(s), ok
}

// ParseStatus returns the status named name; a name that is only a state
// (such as the initial state) is not a status.
func (m *Machine[S]) ParseStatus(name string) (S, bool) {
	s, ok := m.t.byName[name]
	if !ok || !m.t.status[s] {
		return 0, false
	}
	return S(s), true
}

// ParseState returns the state named name; a name that is only a status (a
// notice) is not a state.
func (m *Machine[S]) ParseState(name string) (S, bool) {
	s, ok := m.t.byName[name]
	if !ok || !m.t.state[s] {
		return 0, false
	}
	return S(s), true
}

// IsState reports whether s is a state of the machine.
func (m *Machine[S]) IsState(s S) bool { return int(s) < m.t.n && m.t.state[s] }

// IsStatus reports whether s may be received by the machine in some state.
func (m *Machine[S]) IsStatus(s S) bool { return int(s) < m.t.n && m.t.status[s] }

// Terminal reports whether s is a terminal state: nothing may follow it.
func (m *Machine[S]) Terminal(s S) bool { return int(s) < m.t.n && m.t.terminal[s] }

// Final reports whether a sequence may end in s without leaving it open.
func (m *Machine[S]) Final(s S) bool { return int(s) < m.t.n && m.t.final[s] }

// Next returns the state that status leads to from state from, and whether
// the machine allows it. It never allocates.
func (m *Machine[S]) Next(from, status S) (S, bool) {
	n := m.t.n
	if int(from) >= n || int(status) >= n {
		return from, false
	}
	to := m.t.next[int(from)*n+int(status)]
	if to == none {
		return from, false
	}
	return S(to), true
}

// Can reports whether status may follow state from.
func (m *Machine[S]) Can(from, status S) bool {
	_, ok := m.Next(from, status)
	return ok
}

// Allowed returns the statuses that may follow state from, sorted by name.
func (m *Machine[S]) Allowed(from S) []S {
	if int(from) >= m.t.n {
		return nil
	}
	return conv[uint8, S](m.t.allowed[from])
}

// AllowedNames returns the names of Allowed(from); never nil for a state.
func (m *Machine[S]) AllowedNames(from S) []string {
	if int(from) >= m.t.n {
		return nil
	}
	a := m.t.allowed[from]
	out := make([]string, len(a))
	for i, s := range a {
		out[i] = m.t.names[s]
	}
	return out
}

func (m *Machine[S]) filter(keep []bool) []S {
	var out []S
	for _, s := range m.t.byAlpha {
		if keep[s] {
			out = append(out, S(s))
		}
	}
	return out
}

// States returns every state, sorted by name.
func (m *Machine[S]) States() []S { return m.filter(m.t.state) }

// Statuses returns every status the machine may receive, sorted by name.
func (m *Machine[S]) Statuses() []S { return m.filter(m.t.status) }

// TerminalStates returns the terminal states, sorted by name.
func (m *Machine[S]) TerminalStates() []S { return m.filter(m.t.terminal) }

// FinalStates returns the final states, sorted by name.
func (m *Machine[S]) FinalStates() []S { return m.filter(m.t.final) }

// Names returns the names of ss, in order; like String, "" for a value out
// of range.
func (m *Machine[S]) Names(ss []S) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = m.String(s)
	}
	return out
}

// Transitions returns every edge, sorted by the names of From, then Status.
func (m *Machine[S]) Transitions() []Transition[S] {
	out := make([]Transition[S], len(m.t.trans))
	for i, tr := range m.t.trans {
		out[i] = Transition[S]{From: S(tr.From), Status: S(tr.Status), To: S(tr.To), Why: tr.Why, Source: tr.Source}
	}
	return out
}

// Rules returns the rules of the Spec, in their declared order.
func (m *Machine[S]) Rules() []Rule[S] {
	out := make([]Rule[S], len(m.t.rules))
	for i, r := range m.t.rules {
		out[i] = Rule[S]{Status: S(r.Status), From: conv[uint8, S](r.From), Keep: r.Keep, Why: r.Why, Source: r.Source}
	}
	return out
}

// Step checks one status against state from, as Validate does for each
// element of a sequence: it returns the next state, or from and an *Error
// (with Index i) when status may not follow.
func (m *Machine[S]) Step(i int, from, status S) (S, error) {
	if to, ok := m.Next(from, status); ok {
		return to, nil
	}
	return from, m.violation(i, from, status)
}

func (m *Machine[S]) violation(i int, from, status S) *Error {
	cause := ErrIllegal
	switch {
	case !m.IsStatus(status):
		cause = ErrUnknownStatus
	case m.Terminal(from):
		cause = ErrTerminal
	}
	name := m.String(status)
	if name == "" {
		name = NameOf[S](nil, status) // out of range: the type and number
	}
	return &Error{Machine: m.t.name, Index: i, From: m.String(from), Status: name, Allowed: m.AllowedNames(from), Err: cause}
}

// Validate runs seq from the initial state and returns every violation, as
// an [ErrorList] of [*Error], or nil. A refused status does not move the
// machine (as a guard would refuse it), so one bad status neither hides nor
// causes the violations after it. Where the sequence ends in a state that is
// not final, nothing is reported: see [Machine.Final].
func (m *Machine[S]) Validate(seq []S) error {
	var errs ErrorList
	st := S(m.t.initial)
	for i, s := range seq {
		to, ok := m.Next(st, s)
		if !ok {
			errs = append(errs, m.violation(i, st, s))
			continue
		}
		st = to
	}
	return errs.Err()
}

// ValidateNames is Validate for statuses given by name; a name the machine
// does not know is a violation with cause ErrUnknownStatus.
func (m *Machine[S]) ValidateNames(seq []string) error {
	var errs ErrorList
	st := S(m.t.initial)
	for i, nm := range seq {
		s, ok := m.ParseStatus(nm)
		if !ok {
			errs = append(errs, &Error{Machine: m.t.name, Index: i, From: m.String(st), Status: nm, Allowed: m.AllowedNames(st), Err: ErrUnknownStatus})
			continue
		}
		to, ok := m.Next(st, s)
		if !ok {
			errs = append(errs, m.violation(i, st, s))
			continue
		}
		st = to
	}
	return errs.Err()
}
