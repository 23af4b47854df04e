package report

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/wcsfsm/wcsfsm/fsm"
	"github.com/wcsfsm/wcsfsm/tracker"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// Machine is the coverage of one family's machine: its states in layers
// (by their distance from the initial state, left to right), its
// transitions as edges, each taken one with its count.
type Machine struct {
	ID          string
	Name        string
	Events      int64
	Taken       int
	Transitions int
	Width       int
	Height      int
	Nodes       []Node
	Edges       []Edge
	Mermaid     string // the same counts as Mermaid text (fsm.MermaidCounts)
}

// Node is one state.
type Node struct {
	X, Y, W, H int
	Name       string
	Class      string // "state", with "initial", "final", "terminal"
}

// Edge is the transitions from one state to another (the statuses that
// keep a state, notices, are one loop).
type Edge struct {
	D      string // the SVG path
	Class  string // "edge taken" or "edge never"
	LX, LY int    // its label
	Label  string // the count, and the statuses of a loop
	Title  string
}

// Geometry of a diagram.
const (
	nodeW   = 150
	nodeH   = 30
	colW    = 230
	rowGap  = 64
	margin  = 30
	loopTop = 22
)

func machines(cov tracker.Coverage, st tracker.Stats) []Machine {
	var out []Machine
	for _, f := range wcs.Families() {
		out = append(out, machine(f, cov[f], st.Families[f]))
	}
	return out
}

type edgeKey struct{ from, to fsm.Symbol }

func machine(f wcs.Family, counts []int64, events int64) Machine {
	m := f.Machine()
	trs := m.Transitions()
	if len(counts) != len(trs) {
		counts = make([]int64, len(trs))
	}
	mc := Machine{ID: "m-" + famNames[f], Name: f.String(), Events: events, Transitions: len(trs)}
	ints := make([]int, len(counts))
	for i, c := range counts {
		ints[i] = int(c)
		if c > 0 {
			mc.Taken++
		}
	}
	mc.Mermaid = m.MermaidCounts(ints)

	// Layers: the longest path from the initial state, the edges that
	// run back (to a state on the way, in a depth-first walk in declared
	// order) left out; states out of reach last.
	layer := layers(m, trs)
	states := m.States()
	cols := map[int][]fsm.Symbol{}
	for _, s := range states {
		cols[layer[s]] = append(cols[layer[s]], s)
	}
	// Each column in the order of its states' predecessors in the one
	// before (one barycentre pass), for fewer crossings.
	rank := map[fsm.Symbol]float64{}
	for l := 0; l < len(cols); l++ {
		c := cols[l]
		for i, s := range c {
			sum, n := 0.0, 0
			for _, tr := range trs {
				if tr.To == s && layer[tr.From] < l {
					sum += rank[tr.From]
					n++
				}
			}
			if n > 0 {
				rank[s] = sum / float64(n)
			} else {
				rank[s] = float64(i)
			}
		}
		sort.SliceStable(c, func(i, j int) bool { return rank[c[i]] < rank[c[j]] })
		for i, s := range c {
			rank[s] = float64(i)
		}
	}
	tallest := 0
	for _, c := range cols {
		tallest = max(tallest, len(c))
	}
	pos := map[fsm.Symbol][2]float64{} // centres
	for l, c := range cols {
		top := float64(margin+loopTop) + float64(tallest-len(c))*float64(nodeH+rowGap)/2
		for i, s := range c {
			x := float64(margin + l*colW + nodeW/2)
			y := top + float64(i*(nodeH+rowGap)) + nodeH/2
			pos[s] = [2]float64{x, y}
		}
	}
	ncols := len(cols)
	mc.Width = margin*2 + (ncols-1)*colW + nodeW
	mc.Height = margin*2 + loopTop + tallest*(nodeH+rowGap) - rowGap
	// Long edges bow far: make room above and below for them.
	top, bottom := 0.0, float64(mc.Height)
	for _, tr := range trs {
		if tr.From != tr.To {
			p0, p1 := pos[tr.From], pos[tr.To]
			_, cy := control(p0, p1, layer[tr.From] == layer[tr.To])
			mid := 0.25*p0[1] + 0.5*cy + 0.25*p1[1]
			top, bottom = math.Min(top, mid-margin), math.Max(bottom, mid+margin)
		}
	}
	for s, c := range pos {
		pos[s] = [2]float64{c[0], c[1] - top}
	}
	mc.Height = int(bottom - top)
	for _, s := range states {
		c := pos[s]
		class := "state"
		if s == m.Initial() {
			class += " initial"
		}
		if m.Terminal(s) {
			class += " terminal"
		} else if m.Final(s) {
			class += " final"
		}
		mc.Nodes = append(mc.Nodes, Node{X: int(c[0]) - nodeW/2, Y: int(c[1]) - nodeH/2, W: nodeW, H: nodeH, Name: m.String(s), Class: class})
	}

	// Edges: one per (from, to), the counts summed.
	type agg struct {
		n            int64
		parts, taken []string
	}
	edges := map[edgeKey]*agg{}
	var keys []edgeKey
	for i, tr := range trs {
		k := edgeKey{tr.From, tr.To}
		a := edges[k]
		if a == nil {
			a = &agg{}
			edges[k] = a
			keys = append(keys, k)
		}
		a.n += counts[i]
		name := m.String(tr.Status) + " " + strconv.FormatInt(counts[i], 10)
		a.parts = append(a.parts, name)
		if counts[i] > 0 {
			a.taken = append(a.taken, name)
		}
	}
	// Never-taken edges under the taken ones.
	sort.SliceStable(keys, func(i, j int) bool { return edges[keys[i]].n == 0 && edges[keys[j]].n > 0 })
	for _, k := range keys {
		a := edges[k]
		e := Edge{Class: "edge never", Title: m.String(k.from) + " → " + m.String(k.to) + ": " + strings.Join(a.parts, ", ")}
		if a.n > 0 {
			e.Class = "edge taken"
			e.Label = strconv.FormatInt(a.n, 10)
		}
		p0, p1 := pos[k.from], pos[k.to]
		if k.from == k.to {
			// A loop over the top of the box.
			x, y := p0[0], p0[1]-nodeH/2
			e.D = fmt.Sprintf("M%.0f,%.0f C%.0f,%.0f %.0f,%.0f %.0f,%.0f", x-18, y, x-30, y-loopTop-6, x+30, y-loopTop-6, x+18, y)
			e.LX, e.LY = int(x), int(y-loopTop+2)
			if a.n > 0 && len(a.parts) > 1 {
				e.Label = strings.Join(a.taken, ", ")
			}
		} else {
			cx, cy := control(p0, p1, layer[k.from] == layer[k.to])
			s := clip(p0, [2]float64{cx, cy})
			t := clip(p1, [2]float64{cx, cy})
			e.D = fmt.Sprintf("M%.0f,%.0f Q%.0f,%.0f %.0f,%.0f", s[0], s[1], cx, cy, t[0], t[1])
			e.LX, e.LY = int(0.25*s[0]+0.5*cx+0.25*t[0]), int(0.25*s[1]+0.5*cy+0.25*t[1])+4
		}
		mc.Edges = append(mc.Edges, e)
	}
	return mc
}

// clip returns where the line from the centre c of a state's box towards
// p leaves the box.
func clip(c, p [2]float64) [2]float64 {
	dx, dy := p[0]-c[0], p[1]-c[1]
	if dx == 0 && dy == 0 {
		return c
	}
	t := math.Inf(1)
	if dx != 0 {
		t = math.Min(t, float64(nodeW/2+2)/math.Abs(dx))
	}
	if dy != 0 {
		t = math.Min(t, float64(nodeH/2+2)/math.Abs(dy))
	}
	return [2]float64{c[0] + dx*t, c[1] + dy*t}
}

// layers places each state of m in a column: the longest path to it from
// the initial state over the edges that do not run back.
func layers(m *fsm.Machine[fsm.Symbol], trs []fsm.Transition[fsm.Symbol]) map[fsm.Symbol]int {
	const (
		unseen = iota
		onPath
		done
	)
	mark := map[fsm.Symbol]int{}
	back := map[edgeKey]bool{}
	var post []fsm.Symbol
	var walk func(s fsm.Symbol)
	walk = func(s fsm.Symbol) {
		mark[s] = onPath
		for _, tr := range trs {
			if tr.From != s || tr.To == s {
				continue
			}
			switch mark[tr.To] {
			case unseen:
				walk(tr.To)
			case onPath:
				back[edgeKey{tr.From, tr.To}] = true
			}
		}
		mark[s] = done
		post = append(post, s)
	}
	walk(m.Initial())
	layer := map[fsm.Symbol]int{}
	for i := len(post) - 1; i >= 0; i-- { // a topological order
		s := post[i]
		for _, tr := range trs {
			if tr.From == s && tr.To != s && !back[edgeKey{tr.From, tr.To}] {
				layer[tr.To] = max(layer[tr.To], layer[s]+1)
			}
		}
	}
	deepest := 0
	for _, l := range layer {
		deepest = max(deepest, l)
	}
	for _, s := range m.States() {
		if mark[s] == unseen {
			layer[s] = deepest + 1
		}
	}
	return layer
}

// control returns the control point of the curve from p0 to p1: bowed to
// the left of its direction (A→B and B→A part; forward edges bow down,
// edges that run back up), the more the longer it is.
func control(p0, p1 [2]float64, sameLayer bool) (float64, float64) {
	dx, dy := p1[0]-p0[0], p1[1]-p0[1]
	d := math.Hypot(dx, dy)
	bow := 20 + 0.14*d
	if sameLayer {
		bow = 60
	}
	return (p0[0]+p1[0])/2 - dy/d*bow, (p0[1]+p1[1])/2 + dx/d*bow
}
