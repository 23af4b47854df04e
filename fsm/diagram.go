package fsm

import (
	"fmt"
	"strings"
)

// Mermaid returns the machine as a Mermaid stateDiagram-v2, generated from
// the table and deterministic: edges in the order of Transitions, one per
// edge, labelled with the status received. Terminal states lead to [*];
// final states carry the class "final".
func (m *Machine[S]) Mermaid() string { return m.mermaid(nil) }

// MermaidCounts is Mermaid with each edge labelled with how often it was
// taken: counts[i] belongs to Transitions()[i], and a missing count is 0.
// An edge never taken shows only by its ×0 label: a Mermaid state diagram
// cannot style single edges (linkStyle belongs to flowcharts; a state
// diagram reads it as the names of new states). A nil counts draws the
// plain diagram.
func (m *Machine[S]) MermaidCounts(counts []int) string { return m.mermaid(counts) }

// DOT returns the machine as a Graphviz digraph, generated from the table and
// deterministic. Terminal states are double circles, final states bold.
func (m *Machine[S]) DOT() string { return m.dot(nil) }

// DOTCounts is DOT with each edge labelled and weighted by how often it was
// taken; edges never taken are dashed and grey. counts[i] belongs to
// Transitions()[i], and a missing count is 0. A nil counts draws the plain
// diagram.
func (m *Machine[S]) DOTCounts(counts []int) string { return m.dot(counts) }

func count(counts []int, i int) int {
	if i < len(counts) {
		return counts[i]
	}
	return 0
}

func (m *Machine[S]) mermaid(counts []int) string {
	t := m.t
	var b strings.Builder
	b.WriteString("stateDiagram-v2\n")
	b.WriteString("    classDef final stroke-width:3px\n")
	fmt.Fprintf(&b, "    [*] --> %s\n", t.names[t.initial])
	for i, tr := range t.trans {
		label := t.names[tr.Status]
		if counts != nil {
			label = fmt.Sprintf("%s ×%d", label, count(counts, i))
		}
		fmt.Fprintf(&b, "    %s --> %s: %s\n", t.names[tr.From], t.names[tr.To], label)
	}
	var final []string
	for _, s := range t.byAlpha {
		if t.terminal[s] {
			fmt.Fprintf(&b, "    %s --> [*]\n", t.names[s])
		}
		if t.final[s] {
			final = append(final, t.names[s])
		}
	}
	if len(final) > 0 {
		fmt.Fprintf(&b, "    class %s final\n", strings.Join(final, ","))
	}
	return b.String()
}

func (m *Machine[S]) dot(counts []int) string {
	t := m.t
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %q {\n", t.name)
	b.WriteString("    rankdir=LR;\n")
	b.WriteString("    node [shape=ellipse];\n")
	b.WriteString("    \"\" [shape=point];\n")
	fmt.Fprintf(&b, "    \"\" -> %q;\n", t.names[t.initial])
	for _, s := range t.byAlpha {
		if !t.state[s] {
			continue
		}
		var attrs []string
		if t.terminal[s] {
			attrs = append(attrs, "shape=doublecircle")
		}
		if t.final[s] {
			attrs = append(attrs, "style=bold")
		}
		if len(attrs) > 0 {
			fmt.Fprintf(&b, "    %q [%s];\n", t.names[s], strings.Join(attrs, ", "))
		}
	}
	for i, tr := range t.trans {
		if counts == nil {
			fmt.Fprintf(&b, "    %q -> %q [label=%q];\n", t.names[tr.From], t.names[tr.To], t.names[tr.Status])
			continue
		}
		c := count(counts, i)
		style := fmt.Sprintf("penwidth=%d", 1+digits(c))
		if c == 0 {
			style = "style=dashed, color=gray, fontcolor=gray"
		}
		fmt.Fprintf(&b, "    %q -> %q [label=%q, %s];\n", t.names[tr.From], t.names[tr.To], fmt.Sprintf("%s ×%d", t.names[tr.Status], c), style)
	}
	b.WriteString("}\n")
	return b.String()
}

// digits is a log10 scale for edge widths.
func digits(c int) int {
	d := 0
	for c > 0 {
		d++
		c /= 10
	}
	return d
}
