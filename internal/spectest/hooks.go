package spectest

import (
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

// Hook is what testdata/spec/hooks.md says of one REST method WCS posts.
type Hook struct {
	Name   string // as WCS writes it, e.g. "publishStream"
	Kind   string // its section: "status", "invocation", "command" or "other"
	Family string // the machine it moves or acts on; "" for other
	Key    string // the field that keys its entity, e.g. "mediaSessionId"; "" for other
	Status string // the status an invocation delivers; "" otherwise
}

// Hooks is hooks.md read as an oracle, with the keys of the status events
// taken from the sections of machines.md.
type Hooks struct {
	List []Hook // in the order of hooks.md
	// HookOnly lists, by family, the statuses that only invocations
	// deliver: those the family's own status event may not carry.
	HookOnly map[string][]string
}

// EventCarries returns the statuses of tab that the family's own status
// event may carry, sorted: every status of the table but those that only
// invocations deliver. Never nil.
func (h Hooks) EventCarries(tab Table) []string {
	out := []string{}
	for _, s := range tab.Statuses() {
		if !slices.Contains(h.HookOnly[tab.Event], s) {
			out = append(out, s)
		}
	}
	return out
}

// Invocations returns the invocations that deliver a status to family,
// sorted by name. Never nil.
func (h Hooks) Invocations(family string) []Hook {
	out := []Hook{}
	for _, x := range h.List {
		if x.Kind == "invocation" && x.Family == family {
			out = append(out, x)
		}
	}
	slices.SortFunc(out, func(a, b Hook) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// The shapes of hooks.md the parser knows; a table row of sections 2 and 3
// in any other shape is an error.
var (
	hookSectionRE = regexp.MustCompile(`(?m)^## `)
	tickRE        = regexp.MustCompile("`([A-Za-z]+)`")
	invocationRE  = regexp.MustCompile("^\\| `(\\w+)` \\| (\\w+) \\(`(\\w+)`(?:, optional)?\\) \\| ([A-Z_]+) \\|")
	commandRE     = regexp.MustCompile("^\\| (`\\w+`(?:, `\\w+`)*) \\| `(\\w+)` \\| (\\w+)(?: \\(`(\\w+)`: (\\w+)\\))? \\|$")
	hookOnlyRE    = regexp.MustCompile("a ((?:\\w+, )*\\w+(?: or \\w+)?) whose own status is ([A-Z_]+) stays `unknown-status`")
	eventCarryRE  = regexp.MustCompile(`A (\w+) may carry ([A-Z_]+) itself`)
)

// ParseHooks reads hooks.md: the status events of section 1 (keyed as
// tables, the sections of machines.md, say), the invocations and commands
// of the tables of sections 2 and 3, the other hooks of section 4, and the
// sentences of section 2 that say which statuses only invocations deliver
// ("a X, Y or Z whose own status is S stays `unknown-status`") and which a
// status event may carry too ("A X may carry S itself"). Every invocation
// must be said to be one or the other; a family, key or status that
// machines.md does not know is an error.
func ParseHooks(r io.Reader, tables []Table) (Hooks, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return Hooks{}, err
	}
	var errs []error
	failf := func(format string, args ...any) { errs = append(errs, fmt.Errorf("hooks.md: "+format, args...)) }
	byEvent := map[string]Table{}
	for _, t := range tables {
		byEvent[t.Event] = t
	}
	sections := hookSectionRE.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), -1)
	section := func(n string) string {
		for _, s := range sections {
			if strings.HasPrefix(s, n+". ") {
				return s
			}
		}
		failf("no section %s", n)
		return ""
	}
	h := Hooks{HookOnly: map[string][]string{}}
	add := func(x Hook) {
		if x.Kind != "other" {
			tab, ok := byEvent[x.Family]
			switch {
			case !ok:
				failf("%s: family %q has no section in machines.md", x.Name, x.Family)
			case x.Key == "":
				x.Key = tab.Key
			case x.Key != tab.Key:
				failf("%s: key %s, machines.md keys %s by %s", x.Name, x.Key, x.Family, tab.Key)
			}
			if ok && x.Status != "" && !slices.Contains(tab.Statuses(), x.Status) {
				failf("%s: %s has no status %s in machines.md", x.Name, x.Family, x.Status)
			}
		}
		for _, y := range h.List {
			if y.Name == x.Name {
				failf("%s: listed twice", x.Name)
			}
		}
		h.List = append(h.List, x)
	}

	if parts := strings.SplitN(section("1"), "\n\n", 3); len(parts) < 2 {
		failf("section 1: no paragraph of names")
	} else {
		for _, m := range tickRE.FindAllStringSubmatch(parts[1], -1) {
			add(Hook{Name: m[1], Kind: "status", Family: m[1]})
		}
	}

	inv := section("2")
	for _, line := range tableRows(inv) {
		m := invocationRE.FindStringSubmatch(line)
		if m == nil {
			failf("section 2: a row not of the shape | `hook` | Family (`key`) | STATUS | why |: %s", line)
			continue
		}
		add(Hook{Name: m[1], Kind: "invocation", Family: m[2], Key: m[3], Status: m[4]})
	}
	flat := strings.Join(strings.Fields(inv), " ")
	carried := map[string][]string{}
	for _, m := range hookOnlyRE.FindAllStringSubmatch(flat, -1) {
		for _, f := range strings.Split(strings.ReplaceAll(m[1], " or ", ", "), ", ") {
			h.HookOnly[f] = append(h.HookOnly[f], m[2])
		}
	}
	for _, m := range eventCarryRE.FindAllStringSubmatch(flat, -1) {
		carried[m[1]] = append(carried[m[1]], m[2])
	}
	for _, x := range h.List {
		if x.Kind != "invocation" {
			continue
		}
		only, too := slices.Contains(h.HookOnly[x.Family], x.Status), slices.Contains(carried[x.Family], x.Status)
		if only == too {
			failf("%s: section 2 must say either that only invocations deliver %s to %s or that its status event may carry it", x.Name, x.Status, x.Family)
		}
	}

	for _, line := range tableRows(section("3")) {
		m := commandRE.FindStringSubmatch(line)
		if m == nil {
			failf("section 3: a row not of the shape | `hook`, … | `key` | Family (`hook`: Family) |: %s", line)
			continue
		}
		for _, n := range tickRE.FindAllStringSubmatch(m[1], -1) {
			fam := m[3]
			if n[1] == m[4] {
				fam = m[5]
			}
			add(Hook{Name: n[1], Kind: "command", Family: fam, Key: m[2]})
		}
	}

	other := section("4")
	if i := strings.Index(other, "not checked"); i < 0 {
		failf("section 4: no list after \"not checked\"")
	} else {
		other = other[i:]
		if j := strings.Index(other, "\n\n"); j >= 0 {
			other = other[:j]
		}
		for _, m := range tickRE.FindAllStringSubmatch(other, -1) {
			add(Hook{Name: m[1], Kind: "other"})
		}
	}

	kinds := map[string]int{}
	for _, x := range h.List {
		kinds[x.Kind]++
	}
	for _, k := range []string{"status", "invocation", "command", "other"} {
		if kinds[k] == 0 {
			failf("no hook of kind %s", k)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Hooks{}, err
	}
	return h, nil
}

// tableRows returns the body rows of the markdown tables in s: the lines
// that start with "|", but the header and separator rows.
func tableRows(s string) []string {
	var out []string
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		line = strings.TrimRight(line, " \t")
		if !strings.HasPrefix(line, "|") || strings.HasPrefix(line, "|---") {
			continue
		}
		if i+1 < len(lines) && strings.HasPrefix(lines[i+1], "|---") {
			continue // a header
		}
		out = append(out, line)
	}
	return out
}

// HooksPath returns the path of testdata/spec/hooks.md in the module that
// holds the working directory.
func HooksPath() (string, error) {
	p, err := Path()
	if err != nil {
		return "", err
	}
	return filepath.Join(filepath.Dir(p), "hooks.md"), nil
}

// LoadHooks parses the module's hooks.md, with its machines.md, or fails
// the test.
func LoadHooks(tb testing.TB) Hooks {
	tb.Helper()
	tables := Load(tb)
	path, err := HooksPath()
	if err != nil {
		tb.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	h, err := ParseHooks(f, tables)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}
