package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// TestCoverageGolden: the coverage of the shipped sample log in every
// format, and the command line's mistakes.
func TestCoverageGolden(t *testing.T) {
	t.Chdir("../..")
	rows := []struct {
		why, golden string
		args        []string
	}{
		{"the sample as a table per family", "sample-text", []string{"coverage", "testdata/sample.jsonl"}},
		{"the sample as JSON", "sample-json", []string{"coverage", "-format", "json", "testdata/sample.jsonl"}},
		{"the sample as Mermaid: edges labelled with counts", "sample-mermaid", []string{"coverage", "-format", "mermaid", "testdata/sample.jsonl"}},
		{"the sample as DOT: edges weighted, never taken grey", "sample-dot", []string{"coverage", "-format", "dot", "testdata/sample.jsonl"}},
		{"some families only, in the order named", "sample-two", []string{"coverage", "-event", "StreamStatusEvent,CallStatusEvent", "testdata/sample.jsonl"}},
		{"a file without a hook: exit 2, saying what it holds, not 0 transitions taken", "no-hook", []string{"coverage", "testdata/nohook/pretty.json"}},
		{"an unknown event: exit 2", "unknown-event", []string{"coverage", "-event", "CallEvent", "testdata/sample.jsonl"}},
		{"an unknown format: exit 2", "unknown-format", []string{"coverage", "-format", "svg"}},
		{"a missing file: exit 2, nothing written", "missing-file", []string{"coverage", "testdata/no-such.jsonl"}},
		{"-h: the usage, exit 0", "help", []string{"coverage", "-h"}},
	}
	for _, row := range rows {
		t.Run(row.golden, func(t *testing.T) {
			_, got := invoke(row.args, strings.NewReader(""))
			golden(t, "cmd/wcsfsm/testdata/coverage/"+row.golden+".golden", got)
		})
	}
}

// TestCoverageOfGen: a long generated log takes every transition of every
// machine (gen walks the whole tables), and standard input works.
func TestCoverageOfGen(t *testing.T) {
	var log bytes.Buffer
	if code := run([]string{"gen", "-events", "50000", "-sessions", "20"}, nil, &log, &bytes.Buffer{}); code != 0 {
		t.Fatalf("gen: exit %d", code)
	}
	var out, stderr bytes.Buffer
	if code := run([]string{"coverage", "-format", "json"}, &log, &out, &stderr); code != 0 {
		t.Fatalf("coverage: exit %d: %s", code, stderr.String())
	}
	var report []coverageFamily
	if err := json.Unmarshal(out.Bytes(), &report); err != nil {
		t.Fatal(err)
	}
	if len(report) != 8 {
		t.Fatalf("%d families, want 8", len(report))
	}
	var never []coverageEdge
	for _, f := range report {
		hookOnly := hookOnlyEdges(t, f.Event)
		for _, e := range f.Edges {
			if e.Count == 0 && !hookOnly[e] {
				never = append(never, e)
			}
		}
	}
	if diff := cmp.Diff([]coverageEdge(nil), never); diff != "" {
		t.Errorf("transitions a long gen log never took:\n%s", diff)
	}
}

// hookOnlyEdges returns the edges of a family's machine that no status event
// takes (gen writes status events only).
func hookOnlyEdges(t *testing.T, event string) map[coverageEdge]bool {
	t.Helper()
	fam, ok := wcs.ParseFamily(event)
	if !ok {
		t.Fatalf("no family %q", event)
	}
	m := fam.Machine()
	out := map[coverageEdge]bool{}
	for _, tr := range m.Transitions() {
		if !wcs.StatusEventTakes(fam, tr) {
			out[coverageEdge{From: m.String(tr.From), Status: m.String(tr.Status), To: m.String(tr.To)}] = true
		}
	}
	return out
}
