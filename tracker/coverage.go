package tracker

import (
	"github.com/wcsfsm/wcsfsm/fsm"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// Coverage counts, per family, how often a log took each transition of the
// family's machine: Coverage[f][i] belongs to f.Machine().Transitions()[i],
// the order that [fsm.Machine.MermaidCounts] and [fsm.Machine.DOTCounts]
// expect. Only transitions the machine allowed count (a refused status takes
// none); an allowed one counts even when a rule across families objected,
// because the entity still moved.
type Coverage [wcs.NumFamilies][]int64

// Taken returns how many transitions of f were taken at least once.
func (c Coverage) Taken(f wcs.Family) int {
	n := 0
	for _, x := range c[f] {
		if x > 0 {
			n++
		}
	}
	return n
}

// Ints returns the counts of f as ints, for [fsm.Machine.MermaidCounts] and
// [fsm.Machine.DOTCounts].
func (c Coverage) Ints(f wcs.Family) []int {
	out := make([]int, len(c[f]))
	for i, x := range c[f] {
		out[i] = int(x)
	}
	return out
}

// transIndex[f][from*n+status] is the index in f.Machine().Transitions() of
// the edge taken by status in state from (n is the machine's Len), or -1:
// so that counting a transition costs one increment.
var transIndex = func() (out [wcs.NumFamilies][]int16) {
	for _, f := range wcs.Families() {
		m := f.Machine()
		n := m.Len()
		out[f] = make([]int16, n*n)
		for i := range out[f] {
			out[f][i] = -1
		}
		for i, tr := range m.Transitions() {
			out[f][int(tr.From)*n+int(tr.Status)] = int16(i)
		}
	}
	return
}()

// Add adds the counts of o to c: the coverage of trackers that shared an
// input sums to that of one tracker.
func (c *Coverage) Add(o Coverage) {
	for f := range o {
		if c[f] == nil && o[f] != nil {
			c[f] = make([]int64, len(o[f]))
		}
		for i, x := range o[f] {
			c[f][i] += x
		}
	}
}

// newCoverage returns zero counts for every family.
func newCoverage() (c Coverage) {
	for _, f := range wcs.Families() {
		c[f] = make([]int64, len(f.Machine().Transitions()))
	}
	return c
}

// cover counts the transition taken by status st in state from of family
// fam, which the machine allows.
func (c *Coverage) cover(fam wcs.Family, from, st fsm.Symbol) {
	if i := transIndex[fam][int(from)*fam.Machine().Len()+int(st)]; i >= 0 {
		c[fam][i]++
	}
}

// Coverage returns a copy of the transitions counted so far: how often each
// transition of each family's machine was taken by the events taken.
func (t *Tracker) Coverage() Coverage {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lazyInit()
	var out Coverage
	for f := range t.cov {
		out[f] = append([]int64(nil), t.cov[f]...)
	}
	return out
}
