// Package spectest reads the project's specification, testdata/spec/machines.md,
// as an oracle that owes nothing to the family packages, and checks the
// declared machines and the doc comments of their state constants against
// it; it reads testdata/spec/hooks.md too (ParseHooks), the oracle of the
// hook catalogue. Only tests import it.
//
// The parser knows exactly the shapes machines.md uses, and fails loudly on
// anything else inside a family section, so that an edit of the spec that
// the oracle would misread breaks the tests instead of weakening them:
//
//   - a section heading: ## CallStatusEvent (package `call`, key `callId`)
//   - a table with the header | status | may follow | why |
//   - the sentences "Terminal: …", "Final: …", "Terminal and final: …" and
//     "Final also: …", whose lists are names, "none" or "every state"
//   - the notices paragraph: "Notices that do not change the state, legal
//     only while PLAYING: RESIZE, …; while PUBLISHING or PLAYING: …"
package spectest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Initial is the state every machine starts in (machines.md, "Notation").
const Initial = "NEW"

// Row is one row of a family's table: Status may follow each state of From.
type Row struct {
	Status string
	From   []string // as written in the table
	Why    string   // the why column, with markdown code spans unwrapped
}

// Notice is a status that does not change the state, legal in From.
type Notice struct {
	Status string
	From   []string
}

// Table is one family section of machines.md.
type Table struct {
	Event    string // the section's event name, e.g. "CallStatusEvent"
	Package  string // e.g. "call"
	Key      string // e.g. "callId"
	Rows     []Row
	Notices  []Notice
	Terminal []string // sorted
	Final    []string // sorted
}

// Edge is one transition: Status received in From leads to To.
type Edge struct {
	From, Status, To string
}

// States returns every state, sorted: the initial state and the status of
// every row.
func (t Table) States() []string {
	out := []string{Initial}
	for _, r := range t.Rows {
		out = append(out, r.Status)
	}
	return sortedSet(out)
}

// Statuses returns every status a machine of the table may receive, rows and
// notices, sorted.
func (t Table) Statuses() []string {
	var out []string
	for _, r := range t.Rows {
		out = append(out, r.Status)
	}
	for _, n := range t.Notices {
		out = append(out, n.Status)
	}
	return sortedSet(out)
}

// Edges returns every transition of the table, sorted by From, then Status.
func (t Table) Edges() []Edge {
	var out []Edge
	for _, r := range t.Rows {
		for _, f := range r.From {
			out = append(out, Edge{From: f, Status: r.Status, To: r.Status})
		}
	}
	for _, n := range t.Notices {
		for _, f := range n.From {
			out = append(out, Edge{From: f, Status: n.Status, To: f})
		}
	}
	slices.SortFunc(out, func(a, b Edge) int {
		if c := strings.Compare(a.From, b.From); c != 0 {
			return c
		}
		return strings.Compare(a.Status, b.Status)
	})
	return out
}

// Next returns where status leads from state from, and whether it may.
func (t Table) Next(from, status string) (string, bool) {
	for _, e := range t.Edges() {
		if e.From == from && e.Status == status {
			return e.To, true
		}
	}
	return from, false
}

// Allowed returns the statuses that may follow state from, sorted; never nil.
func (t Table) Allowed(from string) []string {
	out := []string{}
	for _, e := range t.Edges() {
		if e.From == from {
			out = append(out, e.Status)
		}
	}
	return out
}

// PathTo returns a shortest sequence of statuses that leads from the
// initial state to state, and whether there is one.
func (t Table) PathTo(state string) ([]string, bool) {
	prev := map[string]Edge{}
	seen := map[string]bool{Initial: true}
	queue := []string{Initial}
	edges := t.Edges()
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		if x == state {
			var path []string
			for x != Initial {
				e := prev[x]
				path = append(path, e.Status)
				x = e.From
			}
			slices.Reverse(path)
			return path, true
		}
		for _, e := range edges {
			if e.From == x && !seen[e.To] {
				seen[e.To] = true
				prev[e.To] = e
				queue = append(queue, e.To)
			}
		}
	}
	return nil, false
}

func sortedSet(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}

var (
	headingRE  = regexp.MustCompile("^## (\\w+) \\(package `(\\w+)`, key `(\\w+)`\\)$")
	nameRE     = regexp.MustCompile(`^[A-Z][A-Z_]*$`)
	sentenceRE = regexp.MustCompile(`(?:^|\. )(Terminal and final|Terminal|Final also|Final): ([^.(]*)`)
	noticeRE   = regexp.MustCompile(`while ([A-Z_]+(?:(?:, | or )[A-Z_]+)*): ([A-Z_]+(?:, [A-Z_]+)*)`)
)

const (
	tableHeader = "| status | may follow | why |"
	noticesLead = "Notices that do not change the state"
)

// Parse reads machines.md and returns its family sections, in order.
func Parse(r io.Reader) ([]Table, error) {
	var (
		tables []Table
		cur    *Table
		para   []string
		paraAt int
		lineNo int
		errs   []error
	)
	failf := func(line int, format string, args ...any) {
		errs = append(errs, fmt.Errorf("machines.md:%d: "+format, append([]any{line}, args...)...))
	}
	flush := func() {
		if cur != nil && len(para) > 0 {
			parseParagraph(cur, strings.Join(para, " "), paraAt, failf)
		}
		para = nil
	}
	finish := func() {
		flush()
		if cur == nil {
			return
		}
		if len(cur.Rows) == 0 {
			failf(lineNo, "%s: no table rows", cur.Event)
		}
		if cur.Terminal == nil || cur.Final == nil {
			failf(lineNo, "%s: no Terminal or Final sentence", cur.Event)
		}
		cur.Terminal = sortedSet(cur.Terminal)
		cur.Final = sortedSet(cur.Final)
		tables = append(tables, *cur)
		cur = nil
	}
	sc := bufio.NewScanner(r)
	inTable := false
	for sc.Scan() {
		lineNo++
		line := strings.TrimRight(sc.Text(), " \t\r")
		switch {
		case strings.HasPrefix(line, "## "):
			finish()
			inTable = false
			if m := headingRE.FindStringSubmatch(line); m != nil {
				cur = &Table{Event: m[1], Package: m[2], Key: m[3]}
			}
		case cur == nil:
		case strings.HasPrefix(line, "|"):
			flush()
			switch {
			case line == tableHeader:
				inTable = true
			case strings.HasPrefix(line, "|---"):
				if !inTable {
					failf(lineNo, "table separator without the header %q", tableHeader)
				}
			case !inTable:
				failf(lineNo, "table without the header %q", tableHeader)
			default:
				parseRow(cur, line, lineNo, failf)
			}
		case line == "":
			flush()
			inTable = false
		default:
			inTable = false
			if len(para) == 0 {
				paraAt = lineNo
			}
			para = append(para, strings.TrimSpace(line))
		}
	}
	finish()
	if err := sc.Err(); err != nil {
		errs = append(errs, err)
	}
	if len(tables) == 0 {
		errs = append(errs, errors.New("machines.md: no family section"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return tables, nil
}

func parseRow(t *Table, line string, at int, failf func(int, string, ...any)) {
	cells := strings.Split(strings.Trim(line, "|"), "|")
	if len(cells) != 3 {
		failf(at, "%d cells, want 3 (status | may follow | why)", len(cells))
		return
	}
	for i := range cells {
		cells[i] = strings.TrimSpace(cells[i])
	}
	status := cells[0]
	if !nameRE.MatchString(status) {
		failf(at, "bad status %q", status)
		return
	}
	from, ok := names(cells[1], ", ")
	if !ok {
		failf(at, "bad may-follow list %q", cells[1])
		return
	}
	if cells[2] == "" {
		failf(at, "%s: empty why", status)
	}
	for _, r := range t.Rows {
		if r.Status == status {
			failf(at, "%s: second row", status)
		}
	}
	t.Rows = append(t.Rows, Row{Status: status, From: from, Why: strings.ReplaceAll(cells[2], "`", "")})
}

// names splits a list of names by sep (", ", or " or " too); ok is false if
// an element is not a name.
func names(list string, seps ...string) ([]string, bool) {
	for _, sep := range seps[1:] {
		list = strings.ReplaceAll(list, sep, seps[0])
	}
	out := strings.Split(list, seps[0])
	for _, n := range out {
		if !nameRE.MatchString(n) {
			return nil, false
		}
	}
	return out, true
}

func parseParagraph(t *Table, p string, at int, failf func(int, string, ...any)) {
	if strings.HasPrefix(p, noticesLead) {
		ms := noticeRE.FindAllStringSubmatch(p, -1)
		if len(ms) == 0 {
			failf(at, "notices paragraph without a \"while STATE: NOTICE, …\" clause")
		}
		for _, m := range ms {
			from, _ := names(m[1], ", ", " or ")
			sts, _ := names(m[2], ", ")
			for _, s := range sts {
				t.Notices = append(t.Notices, Notice{Status: s, From: from})
			}
		}
		return
	}
	for _, m := range sentenceRE.FindAllStringSubmatch(p, -1) {
		kind, list := m[1], strings.TrimSpace(m[2])
		var set []string
		switch list {
		case "none":
			set = []string{}
		case "every state":
			set = t.States()
		default:
			var ok bool
			if set, ok = names(list, ", "); !ok {
				failf(at, "%s: bad list %q", kind, list)
				continue
			}
		}
		switch kind {
		case "Terminal":
			t.Terminal = append(nonNil(t.Terminal), set...)
		case "Final", "Final also":
			t.Final = append(nonNil(t.Final), set...)
		case "Terminal and final":
			t.Terminal = append(nonNil(t.Terminal), set...)
			t.Final = append(nonNil(t.Final), set...)
		}
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Path returns the path of testdata/spec/machines.md in the module that
// holds the working directory.
func Path() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "testdata", "spec", "machines.md"), nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", errors.New("spectest: no go.mod above the working directory")
		}
		dir = up
	}
}

// Load parses the module's machines.md, or fails the test.
func Load(tb testing.TB) []Table {
	tb.Helper()
	path, err := Path()
	if err != nil {
		tb.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	tables, err := Parse(f)
	if err != nil {
		tb.Fatal(err)
	}
	return tables
}

// Lookup returns the section of machines.md for event, or fails the test.
func Lookup(tb testing.TB, event string) Table {
	tb.Helper()
	for _, t := range Load(tb) {
		if t.Event == event {
			return t
		}
	}
	tb.Fatalf("machines.md has no section for %s", event)
	return Table{}
}
