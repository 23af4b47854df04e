// The family pages of docs/ are partly generated from the declared
// machines, and hooks.md from the catalogue of the REST hooks
// (wcs.Methods): this test is their generator and their drift check. Each
// page holds a hand-written introduction, then a generated part between
//
//	<!-- BEGIN GENERATED (go test ./docs -update) -->
//	<!-- END GENERATED -->
//
// "go test ./docs" fails with a diff where a generated part differs from
// the machines or the catalogue; "go test ./docs -update" rewrites the
// generated parts, and nothing else.
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

// hooksPage is the page of the hook catalogue.
const hooksPage = "hooks.md"

// genPage is a page with a generated part.
type genPage struct {
	page string // the file, e.g. "call.md"
	what string // what generates it, for the diff's message
	want string // its generated part, as generated now
}

// generated lists every generated page: the family pages, from their
// machines, and hooksPage, from the catalogue.
func generated() []genPage {
	var out []genPage
	for _, f := range wcs.Families() {
		if page, ok := pages[f.String()]; ok { // else reported by TestPagesCoverFamilies
			out = append(out, genPage{page, "the machine " + f.String(), generate(f.Machine())})
		}
	}
	return append(out, genPage{hooksPage, "the catalogue wcs.Methods()", generateHooks()})
}

// TestGenerated compares the generated part of every generated page with
// what generates it now, or rewrites it under -update.
func TestGenerated(t *testing.T) {
	for _, g := range generated() {
		t.Run(g.page, func(t *testing.T) {
			src, err := os.ReadFile(g.page)
			if err != nil {
				t.Fatal(err)
			}
			text := strings.ReplaceAll(string(src), "\r\n", "\n")
			head, got, tail, err := split(text)
			if err != nil {
				t.Fatalf("%s: %v", g.page, err)
			}
			if *update {
				if got != g.want {
					if err := os.WriteFile(g.page, []byte(head+g.want+tail), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				return
			}
			if d := cmp.Diff(g.want, got); d != "" {
				t.Errorf("%s: the generated part differs from %s; run go test ./docs -update (-want +got):\n%s", g.page, g.what, d)
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

// generateHooks returns the generated part of hooksPage: the catalogue,
// section by section of hooks.md, each in the catalogue's order.
func generateHooks() string {
	var b strings.Builder
	by := map[wcs.MethodKind][]wcs.Method{}
	for _, m := range wcs.Methods() {
		by[m.Kind] = append(by[m.Kind], m)
	}
	fmt.Fprintf(&b, "\n%d hooks: %d status events, %d invocations, %d commands, %d other hooks.\n",
		wcs.NumMethods, len(by[wcs.MethodKindStatus]), len(by[wcs.MethodKindInvocation]), len(by[wcs.MethodKindCommand]), len(by[wcs.MethodKindOther]))

	b.WriteString("\n## Status events\n\n")
	b.WriteString("Each is checked by its family's machine.\n\n")
	b.WriteString("| hook | key | page |\n|---|---|---|\n")
	for _, m := range by[wcs.MethodKindStatus] {
		fmt.Fprintf(&b, "| `%s` | `%s` | [%[3]s](%[3]s) |\n", m.Name, m.Key(), pages[m.Name])
	}

	b.WriteString("\n## Invocations\n\n")
	b.WriteString("Each starts an entity: it moves the machine as a status event of its family would, with the status delivered, " +
		"whatever its body says. *Event too*: the family's own status event may carry that status as well; " +
		"where it may not, only invocations deliver it.\n\n")
	b.WriteString("| hook | machine | key | status delivered | event too | direction |\n|---|---|---|---|---|---|\n")
	for _, m := range by[wcs.MethodKindInvocation] {
		fmt.Fprintf(&b, "| `%s` | %s | `%s` | %s | %s | %s |\n", m.Name, familyLink(m.Family), m.Key(),
			m.Family.Machine().String(m.Status), yesNo(m.EventCarries), direction(m.Published))
	}

	b.WriteString("\n## Commands\n\n")
	b.WriteString("Each acts on an entity that exists and moves no machine; what it changes arrives as a status event. " +
		"Checked for the key, and for a session that has been ESTABLISHED (a command while it is NEW or PENDING is no-session; after it ended, none is).\n\n")
	b.WriteString("| hook | key | family it acts on |\n|---|---|---|\n")
	for _, m := range by[wcs.MethodKindCommand] {
		fmt.Fprintf(&b, "| `%s` | `%s` | %s |\n", m.Name, m.Key(), familyLink(m.Family))
	}

	b.WriteString("\n## Other hooks\n\n")
	b.WriteString("Known, counted, not checked: ")
	for i, m := range by[wcs.MethodKindOther] {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "`%s`", m.Name)
	}
	b.WriteString(".\n\n")
	return b.String()
}

// familyLink links family f to its page.
func familyLink(f wcs.Family) string {
	return fmt.Sprintf("[%s](%s)", f, pages[f.String()])
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}

// direction says what an invocation's Published fixes (rule 5).
func direction(b wcs.Bool) string {
	switch b {
	case wcs.BoolTrue:
		return "published"
	case wcs.BoolFalse:
		return "played"
	}
	return "—"
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

// TestIndexLinks: the index links every family page, the rules page and
// the hooks page, and every relative link of the docs leads to a file that exists.
func TestIndexLinks(t *testing.T) {
	src, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	linked := map[string]bool{}
	for _, m := range linkRE.FindAllStringSubmatch(string(src), -1) {
		linked[m[1]] = true
	}
	want := []string{"rules.md", hooksPage}
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
