package docs_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wcsfsm/wcsfsm/eventlog"
	"github.com/wcsfsm/wcsfsm/tracker"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// sampleLog is the log whose coverage testing.md shows.
const sampleLog = "../testdata/sample.jsonl"

// TestTestingPage compares the generated part of testing.md (the coverage
// of the shipped sample log: a table and a Mermaid diagram per family, as
// "wcsfsm coverage" draws them) with what the sample gives now, or
// rewrites it under -update. It uses the markers of the family pages.
func TestTestingPage(t *testing.T) {
	const page = "testing.md"
	src, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(src), "\r\n", "\n")
	head, got, tail, err := split(text)
	if err != nil {
		t.Fatalf("%s: %v", page, err)
	}
	want, err := sampleCoverage(sampleLog)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if got != want {
			if err := os.WriteFile(page, []byte(head+want+tail), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s: the coverage of %s differs; run go test ./docs -update (-want +got):\n%s", page, sampleLog, d)
	}
}

// sampleCoverage returns the generated part of testing.md for the log at
// path.
func sampleCoverage(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	tr := tracker.New(tracker.Options{})
	v := &eventlog.Validator{Tracker: tr}
	if err := v.ReadJSONL(path, f); err != nil {
		return "", err
	}
	cov, st := tr.Coverage(), tr.Stats()
	var b strings.Builder
	b.WriteString("\n| event | events | transitions taken | never taken |\n|---|---|---|---|\n")
	for _, fam := range wcs.Families() {
		m := fam.Machine()
		var never []string
		for i, e := range m.Transitions() {
			if cov[fam][i] == 0 {
				never = append(never, fmt.Sprintf("%s→%s", m.String(e.From), m.String(e.Status)))
			}
		}
		fmt.Fprintf(&b, "| %s | %d | %d of %d | %s |\n", fam, st.Families[fam], cov.Taken(fam), len(cov[fam]), cell(list(never)))
	}
	for _, fam := range wcs.Families() {
		m := fam.Machine()
		fmt.Fprintf(&b, "\n### %s\n\n```mermaid\n%s```\n", fam, m.MermaidCounts(cov.Ints(fam)))
	}
	b.WriteString("\n")
	return b.String(), nil
}
