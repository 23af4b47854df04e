package report_test

import (
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wcsfsm/wcsfsm/eventlog"
	"github.com/wcsfsm/wcsfsm/report"
	"github.com/wcsfsm/wcsfsm/tracker"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// run validates the log at path with a Recorder fed along, as wcsfsm
// report does, and returns the page and the findings.
func run(t testing.TB, path string, opts report.Options) ([]byte, []tracker.Finding) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return runReader(t, path, f, opts)
}

func runReader(t testing.TB, name string, r io.Reader, opts report.Options) ([]byte, []tracker.Finding) {
	t.Helper()
	rec := report.NewRecorder(opts)
	var fs []tracker.Finding
	v := &eventlog.Validator{Observe: rec.Event}
	v.Report = func(f tracker.Finding) {
		fs = append(fs, f)
		rec.Finding(f)
	}
	if err := v.ReadJSONL(name, r); err != nil {
		t.Fatal(err)
	}
	v.End()
	var buf bytes.Buffer
	if err := rec.Page(report.Input{Files: []string{name}, Lines: v.Lines.Load(), Stats: v.Stats(), Coverage: v.Coverage()}).WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), fs
}

// node is an element of the page, parsed.
type node struct {
	name  string
	attr  map[string]string
	text  string
	kids  []*node
	above *node
}

func (n *node) class(c string) bool {
	for _, f := range strings.Fields(n.attr["class"]) {
		if f == c {
			return true
		}
	}
	return false
}

// all returns the elements under n for which keep says so, in order.
func (n *node) all(keep func(*node) bool) []*node {
	var out []*node
	for _, k := range n.kids {
		if keep(k) {
			out = append(out, k)
		}
		out = append(out, k.all(keep)...)
	}
	return out
}

// parse reads the page (its script and style hold no "<" or "&": it reads
// as XML with HTML's void elements and entities).
func parse(t testing.TB, page []byte) *node {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(page))
	d.Strict, d.AutoClose, d.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	root := &node{name: "#root"}
	cur := root
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the page does not parse: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{name: tok.Name.Local, attr: map[string]string{}, above: cur}
			for _, a := range tok.Attr {
				n.attr[a.Name.Local] = a.Value
			}
			cur.kids = append(cur.kids, n)
			cur = n
		case xml.EndElement:
			if cur.above != nil {
				cur = cur.above
			}
		case xml.CharData:
			cur.text += string(tok)
		}
	}
	return root
}

// textOf is the text of n and what is under it.
func textOf(n *node) string {
	s := n.text
	for _, k := range n.kids {
		s += " " + textOf(k)
	}
	return strings.TrimSpace(s)
}

// top is where an element of a timeline starts down the page: its rect's,
// or its leader's (a mark).
func top(g *node) float64 {
	for _, k := range g.kids {
		if k.name == "rect" || k.name == "line" {
			y := k.attr["y"]
			if k.name == "line" {
				y = k.attr["y1"]
			}
			v, _ := strconv.ParseFloat(y, 64)
			return v
		}
	}
	return 0
}

// outline is the page's structure as text: the summary's counts, the
// findings listed, and each timeline's lanes, boxes and marks.
func outline(root *node) string {
	var b strings.Builder
	for _, card := range root.all(func(n *node) bool { return n.class("card") }) {
		fmt.Fprintf(&b, "card: %s\n", strings.Join(strings.Fields(textOf(card)), " "))
	}
	for _, tr := range root.all(func(n *node) bool { return n.name == "tr" && n.attr["data-n"] != "" }) {
		fmt.Fprintf(&b, "finding %s: line %s %s session %q\n", tr.attr["data-n"], tr.attr["data-line"], tr.attr["data-kind"], tr.attr["data-session"])
	}
	for _, svg := range root.all(func(n *node) bool { return n.name == "svg" && n.class("timeline") }) {
		fmt.Fprintf(&b, "timeline %s: %s\n", svg.attr["id"], svg.attr["aria-label"])
		gs := svg.all(func(n *node) bool { return n.name == "g" && (n.class("box") || n.class("mark") || n.class("gap")) })
		sort.SliceStable(gs, func(i, j int) bool { return top(gs[i]) < top(gs[j]) })
		for _, g := range gs {
			switch {
			case g.class("gap"):
				fmt.Fprintf(&b, "  %s\n", strings.TrimSpace(textOf(g.kids[1])))
			case g.class("box"):
				fmt.Fprintf(&b, "  %4s %-40s %-18s %s\n", g.attr["data-line"], g.attr["data-lane"], textOf(g.kids[2]), g.attr["class"])
			default:
				fmt.Fprintf(&b, "       mark %s at %s on %s: %s\n", g.attr["id"], g.attr["data-line"], g.attr["data-lane"], g.attr["data-kind"])
			}
		}
	}
	for _, m := range root.all(func(n *node) bool { return n.name == "article" && n.class("machine") }) {
		fmt.Fprintf(&b, "machine %s: %d edges taken\n", m.attr["id"], len(m.all(func(n *node) bool { return n.class("taken") })))
	}
	return b.String()
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(string(want), got); d != "" {
		t.Errorf("%s differs; go test ./report -update rewrites it (-want +got):\n%s", path, d)
	}
}

// TestSampleOutline: the page of the sample log, as an outline: golden.
func TestSampleOutline(t *testing.T) {
	page, _ := run(t, "../testdata/sample.jsonl", report.Options{})
	golden(t, "testdata/sample.outline.golden", outline(parse(t, page)))
}

// TestEveryFindingPlaced: on the sample's page, every session with a
// finding has its timeline, and every finding about an entity its mark at
// its line (a dangling one at its entity's last event) on its entity's
// lane, on a box in the finding's colour; the table lists every finding.
func TestEveryFindingPlaced(t *testing.T) {
	page, fs := run(t, "../testdata/sample.jsonl", report.Options{})
	root := parse(t, page)
	rows := root.all(func(n *node) bool { return n.name == "tr" && n.attr["data-n"] != "" })
	if len(rows) != len(fs) {
		t.Errorf("%d findings listed, want %d", len(rows), len(fs))
	}
	sessions := map[string]*node{}
	for _, a := range root.all(func(n *node) bool { return n.name == "article" && n.class("timeline") }) {
		sessions[a.attr["data-session"]] = a
	}
	placed := 0
	for i, f := range fs {
		if f.Entity == "" {
			continue // a malformed line: no entity, no session
		}
		sess := rows[i].attr["data-session"]
		tl := sessions[sess]
		if tl == nil {
			t.Errorf("%v: its session %q has no timeline", f, sess)
			continue
		}
		line := f.Line
		if f.Kind == tracker.KindDangling {
			line = f.Last
		}
		lane := f.Event + " " + f.Entity
		at := func(n *node) bool { return n.attr["data-line"] == fmt.Sprint(line) && n.attr["data-lane"] == lane }
		marks := tl.all(func(n *node) bool { return n.class("mark") && at(n) && n.attr["data-kind"] == f.Kind.String() })
		boxes := tl.all(func(n *node) bool { return n.class("box") && at(n) })
		if len(marks) != 1 || len(boxes) != 1 {
			t.Errorf("%v: %d marks and %d boxes at line %d on %s, want one each", f, len(marks), len(boxes), line, lane)
			continue
		}
		if !boxes[0].class("finding") {
			t.Errorf("%v: its box is %q, not a finding's", f, boxes[0].attr["class"])
		}
		if f.Severity == tracker.SeverityError && !boxes[0].class("error") {
			t.Errorf("%v: its box is %q, not red", f, boxes[0].attr["class"])
		}
		placed++
	}
	if placed != 8 {
		t.Errorf("%d findings placed, want the sample's 8 about an entity", placed)
	}
}
