package fsmtest

import (
	"fmt"

	"github.com/wcsfsm/wcsfsm/fsm"
	"pgregory.net/rapid"
)

// A plan draws walks of a machine without rejection. It knows, for every
// number of steps k and state s, whether a walk of exactly k statuses from s
// can still meet every demand: end in a final state (if asked), and pass
// through a state marked in mark (if asked, for a mutant's illegal status).
// Each step then samples only from the allowed statuses that keep the walk
// feasible, and the length is sampled only from feasible lengths.
type plan[S ~uint8] struct {
	m     *fsm.Machine[S]
	n     int
	mark  []bool // nil: no state needs to be visited
	start bool   // the demand on mark is met at the initial state
	lens  []int  // feasible lengths, ascending
	// ok[f][k*n+s]: a walk of k statuses from s meets the demands, given
	// that f (1: a marked state was seen, or none is needed).
	ok [2][]bool
}

func newPlan[S ~uint8](m *fsm.Machine[S], o Options, mark []bool) *plan[S] {
	lo, hi := o.bounds()
	n := m.Len()
	p := &plan[S]{m: m, n: n, mark: mark, start: true}
	if mark != nil {
		p.start = mark[m.Initial()]
	}
	states := m.States()
	for f := range p.ok {
		p.ok[f] = make([]bool, (hi+1)*n)
	}
	for _, s := range states {
		p.ok[1][int(s)] = !o.Final || m.Final(s)
	}
	for k := 1; k <= hi; k++ {
		for _, s := range states {
			for _, x := range m.Allowed(s) {
				to, _ := m.Next(s, x)
				for f := range p.ok {
					if p.ok[p.after(f == 1, to)][(k-1)*n+int(to)] {
						p.ok[f][k*n+int(s)] = true
					}
				}
			}
		}
	}
	for k := lo; k <= hi; k++ {
		if p.ok[b2i(p.start)][k*n+int(m.Initial())] {
			p.lens = append(p.lens, k)
		}
	}
	if len(p.lens) == 0 {
		what := "walk"
		if o.Final {
			what = "walk ending in a final state"
		}
		if mark != nil {
			what += " with a place for an illegal status"
		}
		panic(fmt.Sprintf("fsmtest: %s has no %s of %d to %d statuses", m.Name(), what, lo, hi))
	}
	return p
}

// after returns the layer of ok after arriving in to with flag f.
func (p *plan[S]) after(f bool, to S) int {
	return b2i(f || p.mark == nil || p.mark[to])
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// draw draws a walk, and the states it passes through: states[i] is the
// state before seq[i], states[len(seq)] the state it ends in.
func (p *plan[S]) draw(t *rapid.T) (seq, states []S) {
	k := rapid.SampledFrom(p.lens).Draw(t, "length")
	m := p.m
	st, f := m.Initial(), p.start
	seq = make([]S, 0, k)
	states = make([]S, 0, k+1)
	states = append(states, st)
	var cands []S
	for i := range k {
		rest := k - i - 1
		cands = cands[:0]
		for _, x := range m.Allowed(st) {
			to, _ := m.Next(st, x)
			if p.ok[p.after(f, to)][rest*p.n+int(to)] {
				cands = append(cands, x)
			}
		}
		x := rapid.SampledFrom(cands).Draw(t, "status")
		st, _ = m.Next(st, x)
		f = p.after(f, st) == 1
		seq = append(seq, x)
		states = append(states, st)
	}
	return seq, states
}
