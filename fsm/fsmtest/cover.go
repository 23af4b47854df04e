package fsmtest

import "github.com/wcsfsm/wcsfsm/fsm"

// A Path is a legal sequence of statuses from the initial state, and the
// state it leads to.
type Path[S ~uint8] struct {
	Seq []S
	To  S
}

// StatePaths returns a shortest path from the initial state to every state
// of m, in the order of [fsm.Machine.States] (name order). The path to the
// initial state is empty.
//
// The paths are found by breadth-first search that tries the statuses in
// name order, so they are the same on every call: among shortest paths, the
// first one in that order.
func StatePaths[S ~uint8](m *fsm.Machine[S]) []Path[S] {
	seqs := shortest(m)
	states := m.States()
	out := make([]Path[S], 0, len(states))
	for _, s := range states {
		if seqs[s] != nil {
			out = append(out, Path[S]{Seq: seqs[s], To: s})
		}
	}
	return out
}

// TransitionPaths returns, for every transition of m in the order of
// [fsm.Machine.Transitions], a shortest path that takes it last: the path
// of [StatePaths] to its From, then its Status. Together they cover every
// edge of m's diagram once.
func TransitionPaths[S ~uint8](m *fsm.Machine[S]) []Path[S] {
	seqs := shortest(m)
	trans := m.Transitions()
	out := make([]Path[S], 0, len(trans))
	for _, tr := range trans {
		if seqs[tr.From] == nil {
			continue
		}
		seq := make([]S, len(seqs[tr.From]), len(seqs[tr.From])+1)
		copy(seq, seqs[tr.From])
		out = append(out, Path[S]{Seq: append(seq, tr.Status), To: tr.To})
	}
	return out
}

// shortest returns, indexed by state, a shortest sequence that reaches it
// (nil if none does).
func shortest[S ~uint8](m *fsm.Machine[S]) [][]S {
	seqs := make([][]S, m.Len())
	seqs[m.Initial()] = []S{}
	queue := []S{m.Initial()}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, x := range m.Allowed(s) {
			to, _ := m.Next(s, x)
			if seqs[to] != nil {
				continue
			}
			seq := make([]S, len(seqs[s])+1)
			copy(seq, seqs[s])
			seq[len(seqs[s])] = x
			seqs[to] = seq
			queue = append(queue, to)
		}
	}
	return seqs
}
