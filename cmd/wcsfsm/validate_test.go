package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wcsfsm/wcsfsm/tracker"
)

func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files under testdata/")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// invoke runs the command in-process and returns its exit status and
// output in the layout of the golden files.
func invoke(args []string, stdin io.Reader) (int, string) {
	var stdout, stderr bytes.Buffer
	code := run(args, stdin, &stdout, &stderr)
	return code, fmt.Sprintf("# wcsfsm %s\nexit %d\n-- stdout --\n%s-- stderr --\n%s", strings.Join(args, " "), code, stdout.String(), stderr.String())
}

// golden compares got with the file at path (relative to the repository
// root), or rewrites it with -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if updating() {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/wcsfsm -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got; go test ./cmd/wcsfsm -update rewrites it):\n%s", path, diff)
	}
}

// TestValidateGolden validates every log under testdata/ (the sample, the
// valid logs per family, the logs per rule) and compares the whole outcome
// with the golden file beside the log.
func TestValidateGolden(t *testing.T) {
	t.Chdir("../..")
	type tc struct {
		why    string
		args   []string
		golden string
	}
	cases := []tc{
		{"the quick start's sample: all eight families, a few real mistakes", []string{"validate", "testdata/sample.jsonl"}, "testdata/sample.golden"},
		{"the sample as JSON findings", []string{"validate", "-format", "json", "testdata/sample.jsonl"}, "testdata/sample.json.golden"},
		{"with -strict, warnings count: the same exit, warnings now make it 1 on their own", []string{"validate", "-strict", "testdata/valid/call.jsonl"}, "testdata/valid/call.strict.golden"},
		{"rule 6: the partial log again, with -partial", []string{"validate", "-partial", "testdata/rules/6-partial.jsonl"}, "testdata/rules/6-partial.partial.golden"},
		{"several files are one log, in the order given: valid together", []string{"validate", "testdata/split/part1.jsonl", "testdata/split/part2.jsonl"}, "testdata/split/both.golden"},
		{"the second part alone breaks rule 1 and its machine", []string{"validate", "testdata/split/part2.jsonl"}, "testdata/split/part2.golden"},
		{"a tiny line limit: every line is too long, and reading goes on", []string{"validate", "-max-line", "40", "testdata/valid/debug.jsonl"}, "testdata/rules/max-line.golden"},
		{"rule 7: a log that begins late, with -tail: each entity's first status taken as it comes, the rest checked", []string{"validate", "-tail", "testdata/rules/7-tail.jsonl"}, "testdata/rules/7-tail.tail.golden"},
		{"rule 6 with hooks: connect is no other side, invocation-only entities do not dangle", []string{"validate", "-partial", "testdata/rules/8-hooks.jsonl"}, "testdata/rules/8-hooks.partial.golden"},
		{"exit 2: a server log without SEND REST OBJECT entries", []string{"validate", "testdata/nohook/rest-logging-off.log"}, "testdata/nohook/rest-logging-off.golden"},
		{"exit 2: a docs page's excerpt, indented, with ... lines", []string{"validate", "testdata/nohook/docs-excerpt.log"}, "testdata/nohook/docs-excerpt.golden"},
		{"exit 2: a pretty-printed object is not JSON Lines", []string{"validate", "testdata/nohook/pretty.json"}, "testdata/nohook/pretty.golden"},
		{"exit 2: JSON Lines read as a server log", []string{"validate", "-input", "wcslog", "testdata/valid/debug.jsonl"}, "testdata/nohook/jsonl-as-wcslog.golden"},
		{"exit 2: a server log read as JSON Lines: not a finding a line, one error", []string{"validate", "-input", "jsonl", "testdata/wcslog/flashphoner.log"}, "testdata/nohook/wcslog-as-jsonl.golden"},
		{"exit 2 for one file of several: the others are validated all the same", []string{"validate", "testdata/split/part1.jsonl", "testdata/nohook/pretty.json", "testdata/split/part2.jsonl"}, "testdata/nohook/mixed.golden"},
	}
	for _, dir := range []string{"testdata/valid", "testdata/rules"} {
		logs, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
		for _, l := range logs {
			why := "a valid log of one family: no finding"
			if dir == "testdata/rules" {
				why = "a log that breaks one rule (or the format): exactly its findings"
			}
			cases = append(cases, tc{why, []string{"validate", l}, strings.TrimSuffix(l, ".jsonl") + ".golden"})
		}
	}
	for _, c := range cases {
		t.Run(strings.TrimPrefix(c.golden, "testdata/"), func(t *testing.T) {
			_, got := invoke(c.args, strings.NewReader(""))
			golden(t, c.golden, got)
		})
	}
}

// TestValidateValidLogs: the valid logs give no finding at all, even with
// -strict (a golden file could be rewritten wrong; this cannot).
func TestValidateValidLogs(t *testing.T) {
	t.Chdir("../..")
	logs, _ := filepath.Glob("testdata/valid/*.jsonl")
	if len(logs) < 8 {
		t.Fatalf("want a valid log per family, found %d", len(logs))
	}
	for _, l := range logs {
		var stdout, stderr bytes.Buffer
		if code := run([]string{"validate", "-strict", l}, nil, &stdout, &stderr); code != 0 || stdout.Len() != 0 {
			t.Errorf("%s: exit %d, findings:\n%s", l, code, stdout.String())
		}
	}
}

func TestValidateCommandLine(t *testing.T) {
	t.Chdir("../..")
	sample, err := os.ReadFile("testdata/sample.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	runCLI(t, []cliCase{
		{"no file: standard input, named -", []string{"validate"}, string(sample), 1, "-:22: error illegal-transition", "1 file"},
		{"- is standard input too", []string{"validate", "-"}, string(sample), 1, "-:22: error illegal-transition", ""},
		{"a valid log on standard input", []string{"validate"}, `{"event":"ConnectionStatusEvent","sessionId":"s","status":"ESTABLISHED"}` + "\n" +
			`{"event":"ConnectionStatusEvent","sessionId":"s","status":"DISCONNECTED"}`, 0, "", "0 errors, 0 warnings"},
		{"a warning alone exits 0", []string{"validate"}, `{"event":"ConnectionStatusEvent","sessionId":"s","status":"ESTABLISHED"}`, 0, "warning dangling", "1 warning"},
		{"a warning alone exits 1 with -strict", []string{"validate", "-strict"}, `{"event":"ConnectionStatusEvent","sessionId":"s","status":"ESTABLISHED"}`, 1, "warning dangling", ""},
		{"a file that cannot be opened: exit 2, the reason, no findings", []string{"validate", "testdata/sample.jsonl", "testdata/no-such.jsonl"}, "", 2, "", "no-such.jsonl"},
		{"an unknown flag: exit 2", []string{"validate", "-bogus"}, "", 2, "", "flag provided but not defined"},
		{"an unknown format: exit 2", []string{"validate", "-format", "xml"}, "", 2, "", "-format must be"},
		{"an unknown input: exit 2", []string{"validate", "-input", "csv"}, "", 2, "", "-input must be"},
		{"-h: usage, exit 0", []string{"validate", "-h"}, "", 0, "", "usage: wcsfsm validate"},
		{"an empty log: no error", []string{"validate"}, "", 0, "", "0 hooks"},
		{"flags after the file names, as people type them", []string{"validate", "testdata/rules/format.jsonl", "-format", "json"}, "", 1, `{"file":"testdata/rules/format.jsonl"`, "15 errors"},
		{"-- ends the flags: what follows is a file name", []string{"validate", "--", "-no-such-file"}, "", 2, "", "open -no-such-file"},
		{"wcsfsm help COMMAND is the command's help", []string{"help", "validate"}, "", 0, "", "usage: wcsfsm validate"},
		{"wcsfsm help of no command", []string{"help", "frobnicate"}, "", 2, "", "usage: wcsfsm COMMAND"},
		{"wcsfsm -version names the build", []string{"-version"}, "", 0, "wcsfsm ", ""},
		{"an absurd bound is refused, not taken", []string{"validate", "-max-marks", "10000000000", "testdata/sample.jsonl"}, "", 2, "", "-max-entities and -max-marks take at most 1073741824"},
	})
}

// cliCase is a run of the command in-process and what it must give.
type cliCase struct {
	why      string
	args     []string
	stdin    string
	code     int    // the exit status
	inStdout string // a substring of standard output
	inStderr string // a substring of standard error
}

// runCLI runs each case as a subtest. A run that exits 2 (it could not do
// its job) must write nothing on standard output.
func runCLI(t *testing.T, cases []cliCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.why, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, strings.NewReader(tt.stdin), &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.inStdout) {
				t.Errorf("stdout lacks %q:\n%.2000s", tt.inStdout, stdout.String())
			}
			if !strings.Contains(stderr.String(), tt.inStderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.inStderr, stderr.String())
			}
			if tt.code == 2 && stdout.Len() != 0 {
				t.Errorf("exit 2 wrote output:\n%s", stdout.String())
			}
		})
	}
}

// TestValidateJSONFields: every finding of -format json has every field of
// log-format.md, allowed is a sorted list, and it decodes into a Finding
// equal to the text output's.
func TestValidateJSONFields(t *testing.T) {
	t.Chdir("../..")
	var stdout, stderr bytes.Buffer
	run([]string{"validate", "-format", "json", "testdata/sample.jsonl"}, nil, &stdout, &stderr)
	var text bytes.Buffer
	run([]string{"validate", "testdata/sample.jsonl"}, nil, &text, io.Discard)
	textLines := strings.Split(strings.TrimSpace(text.String()), "\n")
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != len(textLines) {
		t.Fatalf("%d JSON findings, %d text findings", len(lines), len(textLines))
	}
	for i, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		for _, k := range []string{"file", "line", "severity", "kind", "event", "entity", "from", "status", "allowed", "message"} {
			if _, ok := m[k]; !ok {
				t.Errorf("line %d lacks %q: %s", i+1, k, l)
			}
		}
		if _, ok := m["allowed"].([]any); !ok {
			t.Errorf("line %d: allowed is not a list: %s", i+1, l)
		}
		var f tracker.Finding
		if err := json.Unmarshal([]byte(l), &f); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(textLines[i], f.String()); diff != "" {
			t.Errorf("finding %d: JSON and text differ (-text +json):\n%s", i+1, diff)
		}
	}
}
