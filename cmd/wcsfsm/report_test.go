package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportGolden: report's mistakes and usage, as validate's are.
func TestReportGolden(t *testing.T) {
	t.Chdir("../..")
	for _, row := range []struct {
		why, golden string
		args        []string
	}{
		{"-h: the usage, validate's flags and the page's, exit 0", "help", []string{"report", "-h"}},
		{"a file without a hook: exit 2, saying what it holds", "no-hook", []string{"report", "testdata/nohook/pretty.json"}},
		{"a missing file: exit 2, nothing written", "missing-file", []string{"report", "testdata/no-such.jsonl"}},
		{"a bound that is not positive: exit 2", "bad-bound", []string{"report", "-timelines", "0", "testdata/sample.jsonl"}},
		{"validate's flags are checked as validate checks them", "bad-input", []string{"report", "-input", "csv", "testdata/sample.jsonl"}},
	} {
		t.Run(row.golden, func(t *testing.T) {
			_, got := invoke(row.args, strings.NewReader(""))
			golden(t, "cmd/wcsfsm/testdata/report/"+row.golden+".golden", got)
		})
	}
}

// TestReportSample: the sample's page, written with -o: exit 1 (its
// errors), validate's summary on standard error, a page with a timeline
// per session with findings; a failed write leaves no page behind.
func TestReportSample(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "report.html")
	var stdout, stderr bytes.Buffer
	code := run([]string{"report", "-o", out, "../../testdata/sample.jsonl"}, nil, &stdout, &stderr)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (the sample has errors): %s", code, stderr.String())
	}
	if stdout.Len() != 0 {
		t.Errorf("with -o, %d bytes on standard output", stdout.Len())
	}
	if !strings.Contains(stderr.String(), "7 errors") {
		t.Errorf("standard error: %q, want validate's summary", stderr.String())
	}
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<!DOCTYPE html>`, `id="t1"`, `id="t2"`, `id="t3"`, `class="box status finding error"`, `data-ready`} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("the page has no %s", want)
		}
	}
	for _, never := range []string{`src="http`, `href="http`, `@import`, `url(http`} {
		if bytes.Contains(page, []byte(never)) {
			t.Errorf("the page loads from the network: %s", never)
		}
	}
	// To standard output, the same page.
	stdout.Reset()
	if code := run([]string{"report", "../../testdata/sample.jsonl"}, nil, &stdout, &bytes.Buffer{}); code != 1 || !bytes.Equal(stdout.Bytes(), page) {
		t.Errorf("to standard output: exit %d, the same page %v", code, bytes.Equal(stdout.Bytes(), page))
	}
	if code := run([]string{"report", "-o", filepath.Join(dir, "no-such-dir", "r.html"), "../../testdata/sample.jsonl"}, nil, &stdout, &stderr); code != 2 {
		t.Errorf("into a missing directory: exit %d, want 2", code)
	}
}
