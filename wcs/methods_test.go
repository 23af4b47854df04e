package wcs_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// row is what hooks.md says of a method.
type row struct {
	Name, Kind, Family, Key, Status string
}

// specMethods reads the catalogue out of the copy of hooks.md: the names
// of section 1, the tables of sections 2 and 3, the list of section 4.
func specMethods(t *testing.T) []row {
	t.Helper()
	b, err := os.ReadFile("../testdata/spec/hooks.md")
	if err != nil {
		t.Fatal(err)
	}
	sections := regexp.MustCompile(`(?m)^## `).Split(string(b), -1)
	section := func(n string) string {
		for _, s := range sections {
			if strings.HasPrefix(s, n+". ") {
				return s
			}
		}
		t.Fatalf("hooks.md has no section %s", n)
		return ""
	}
	tick := regexp.MustCompile("`([A-Za-z]+)`")
	var out []row
	first := strings.SplitN(section("1"), "\n\n", 3)[1]
	for _, m := range tick.FindAllStringSubmatch(first, -1) {
		f, _ := wcs.ParseFamily(m[1])
		out = append(out, row{m[1], "status", m[1], f.Key().String(), ""})
	}
	inv := regexp.MustCompile("(?m)^\\| `(\\w+)` \\| (\\w+) \\(`(\\w+)`(?:, optional)?\\) \\| (\\w+) \\|")
	for _, m := range inv.FindAllStringSubmatch(section("2"), -1) {
		out = append(out, row{m[1], "invocation", m[2], m[3], m[4]})
	}
	cmdRow := regexp.MustCompile("(?m)^\\| (`.+`) \\| `(\\w+)` \\| (\\w+)(?: \\(`(\\w+)`: (\\w+)\\))? \\|$")
	for _, m := range cmdRow.FindAllStringSubmatch(section("3"), -1) {
		for _, n := range tick.FindAllStringSubmatch(m[1], -1) {
			fam := m[3]
			if n[1] == m[4] {
				fam = m[5]
			}
			out = append(out, row{n[1], "command", fam, m[2], ""})
		}
	}
	other := section("4")
	other = other[strings.Index(other, "not checked"):]
	other = other[:strings.Index(other, "\n\n")]
	for _, m := range tick.FindAllStringSubmatch(other, -1) {
		out = append(out, row{m[1], "other", "", "", ""})
	}
	return out
}

// TestMethodsAreTheSpec: the catalogue is hooks.md's, method for method:
// kind, family, key and the status an invocation delivers.
func TestMethodsAreTheSpec(t *testing.T) {
	want := specMethods(t)
	if len(want) < 40 {
		t.Fatalf("read only %d methods out of hooks.md: the parser lost its way", len(want))
	}
	var got []row
	for _, m := range wcs.Methods() {
		r := row{Name: m.Name, Kind: m.Kind.String()}
		if m.HasFamily {
			r.Family, r.Key = m.Family.String(), m.Key().String()
		}
		if m.Kind == wcs.MethodKindInvocation {
			r.Status = m.Family.Machine().String(m.Status)
		}
		got = append(got, r)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the catalogue differs from testdata/spec/hooks.md (-spec +catalogue):\n%s", diff)
	}
}

func TestLookupMethod(t *testing.T) {
	for _, r := range []struct {
		why, name, want string
		ok              bool
	}{
		{"a status event by its name", "CallStatusEvent", "CallStatusEvent", true},
		{"an invocation by a request path", "/rest/EchoApp/publishStream", "publishStream", true},
		{"a command by a URL with a query", "http://backend:8081/app/hangup?x=1", "hangup", true},
		{"another hook", "StreamsStatEvent", "StreamsStatEvent", true},
		{"names are case-sensitive", "/rest/PublishStream", "", false},
		{"an unknown name", "frobnicate", "", false},
	} {
		m, ok := wcs.LookupMethod(r.name)
		if ok != r.ok || m.Name != r.want {
			t.Errorf("%s: LookupMethod(%q) = %q, %v; want %q, %v", r.why, r.name, m.Name, ok, r.want, r.ok)
		}
	}
	for _, m := range wcs.Methods() {
		if got, ok := wcs.LookupMethod(m.Name); !ok || got != m {
			t.Errorf("LookupMethod(%q) = %+v, %v", m.Name, got, ok)
		}
	}
}
