// The family pages of docs/ are partly generated from the declared
// machines: this test is their generator and their drift check. Each page
// holds a hand-written introduction, then a generated part between
//
//	<!-- BEGIN GENERATED (go test ./docs -update) -->
//	<!-- END GENERATED -->
//
// "go test ./docs" fails with a diff where a generated part differs from
// the machines; "go test ./docs -update" rewrites the generated parts, and
// nothing else.
package docs_test

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wcsfsm/wcsfsm/fsm"
	"github.com/wcsfsm/wcsfsm/wcs"
)

var update = flag.Bool("update", false, "rewrite the generated parts of the pages")

const (
	begin = "<!-- BEGIN GENERATED (go test ./docs -update) -->"
	end   = "<!-- END GENERATED -->"
)

// pages names the page of each family. The families themselves come from
// wcs.Families(); TestPagesCoverFamilies keeps the two in step.
var pages = map[string]string{
	"ConnectionStatusEvent":   "connection.md",
	"RegistrationStatusEvent": "registration.md",
	"SessionDebugStatusEvent": "debug.md",
	"DataStatusEvent":         "data.md",
	"CallStatusEvent":         "call.md",
	"TransferStatusEvent":     "transfer.md",
	"StreamStatusEvent":       "stream.md",
	"StreamKeepAliveEvent":    "keepalive.md",
}

// TestPagesCoverFamilies: one page per family, and no page for a family
// that does not exist.
func TestPagesCoverFamilies(t *testing.T) {
	var families, paged []string
	for _, f := range wcs.Families() {
		families = append(families, f.String())
	}
	for ev := range pages {
		paged = append(paged, ev)
	}
	slices.Sort(families)
	slices.Sort(paged)
	if d := cmp.Diff(families, paged); d != "" {
		t.Errorf("families with a page (-wcs.Families +pages):\n%s", d)
	}
}

// TestGenerated compares the generated part of every family page with what
// the family's machine generates now, or rewrites it under -update.
func TestGenerated(t *testing.T) {
	for _, f := range wcs.Families() {
		page, ok := pages[f.String()]
		if !ok {
			continue // reported by TestPagesCoverFamilies
		}
		t.Run(page, func(t *testing.T) {
			src, err := os.ReadFile(page)
			if err != nil {
				t.Fatal(err)
			}
			text := strings.ReplaceAll(string(src), "\r\n", "\n")
			head, got, tail, err := split(text)
			if err != nil {
				t.Fatalf("%s: %v", page, err)
			}
			want := generate(f.Machine())
			if *update {
				if got != want {
					if err := os.WriteFile(page, []byte(head+want+tail), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				return
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("%s: the generated part differs from the machine %s; run go test ./docs -update (-want +got):\n%s", page, f, d)
			}
		})
	}
}

// split returns the page before the generated part (up to and including
// the BEGIN line), the generated part, and the rest (from the END line).
func split(text string) (head, body, tail string, err error) {
	if strings.Count(text, begin) != 1 || strings.Count(text, end) != 1 {
		return "", "", "", fmt.Errorf("want exactly one %q and one %q line", begin, end)
	}
	i := strings.Index(text, begin) + len(begin)
	j := strings.Index(text, end)
	if j < i || !strings.HasPrefix(text[i:], "\n") {
		return "", "", "", fmt.Errorf("%q must stand on its own line, before %q", begin, end)
	}
	i++
	return text[:i], text[i:j], text[j:], nil
}

// generate returns the generated part of a family page: the rules in
// declared order, the terminal and final states, and the Mermaid diagram.
func generate(m *fsm.Machine[fsm.Symbol]) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n## Rules\n\n")
	fmt.Fprintf(&b, "Machine `%s`, package `%s`, initial state %s. Rules in declared order; a notice keeps the state.\n\n",
		m.Name(), m.Package(), m.String(m.Initial()))
	b.WriteString("| status | may follow | why | source |\n|---|---|---|---|\n")
	for _, r := range m.Rules() {
		status := m.String(r.Status)
		if r.Keep {
			status += " (notice)"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", status, strings.Join(m.Names(r.From), ", "), cell(r.Why), cell(r.Source))
	}
	fmt.Fprintf(&b, "\n**Terminal** (nothing may follow): %s.  \n", list(m.Names(m.TerminalStates())))
	fmt.Fprintf(&b, "**Final** (the log may end here without a warning): %s.\n", list(m.Names(m.FinalStates())))
	b.WriteString("\n## Diagram\n\n")
	b.WriteString("Terminal states lead to [*]; final states have a thick border.\n\n")
	b.WriteString("```mermaid\n")
	b.WriteString(m.Mermaid())
	b.WriteString("```\n\n")
	return b.String()
}

func list(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// cell escapes text for a cell of a markdown table.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

var linkRE = regexp.MustCompile(`\]\(([^)#]+)(?:#[^)]*)?\)`)

// TestIndexLinks: the index links every family page and the rules page,
// and every relative link of the docs leads to a file that exists.
func TestIndexLinks(t *testing.T) {
	src, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	linked := map[string]bool{}
	for _, m := range linkRE.FindAllStringSubmatch(string(src), -1) {
		linked[m[1]] = true
	}
	want := []string{"rules.md"}
	for _, p := range pages {
		want = append(want, p)
	}
	for _, p := range want {
		if !linked[p] {
			t.Errorf("README.md does not link %s", p)
		}
	}
	files, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !strings.HasSuffix(f.Name(), ".md") {
			continue
		}
		src, err := os.ReadFile(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range linkRE.FindAllStringSubmatch(string(src), -1) {
			target := m[1]
			if strings.Contains(target, "://") {
				continue
			}
			if _, err := os.Stat(target); err != nil {
				t.Errorf("%s links %s: %v", f.Name(), target, err)
			}
		}
	}
}
