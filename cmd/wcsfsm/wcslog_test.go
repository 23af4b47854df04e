package main

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/wcsfsm/wcsfsm/tracker"
)

// TestWCSLogGolden validates and converts the server logs under
// testdata/wcslog/ and compares the whole outcome with the golden files.
func TestWCSLogGolden(t *testing.T) {
	t.Chdir("../..")
	const (
		valid = "testdata/wcslog/flashphoner.log"
		old   = "testdata/wcslog/broken.log.1"
		cur   = "testdata/wcslog/broken.log"
	)
	tests := []struct {
		why    string
		args   []string
		golden string
	}{
		{"a valid server log, told apart by auto: no finding, the hooks that are no event skipped", []string{"validate", valid}, "testdata/wcslog/flashphoner.golden"},
		{"the same with -input wcslog", []string{"validate", "-input", "wcslog", "-strict", valid}, "testdata/wcslog/flashphoner.wcslog.golden"},
		{"rotated logs, oldest first: illegal transitions, an object cut at the end of the older file, bad entries in the newer",
			[]string{"validate", old, cur}, "testdata/wcslog/broken.golden"},
		{"the same as JSON findings", []string{"validate", "-format", "json", old, cur}, "testdata/wcslog/broken.json.golden"},
		{"a tiny entry limit: every event entry is too long, the hooks that are no event are not findings",
			[]string{"validate", "-max-line", "300", valid}, "testdata/wcslog/max-line.golden"},
		{"convert: one compact event a line, event first", []string{"convert", valid}, "testdata/wcslog/flashphoner.convert.golden"},
		{"convert: bad entries on standard error, skipped, exit 1", []string{"convert", old, cur}, "testdata/wcslog/broken.convert.golden"},
	}
	for _, tt := range tests {
		t.Run(strings.TrimPrefix(tt.golden, "testdata/"), func(t *testing.T) {
			_, got := invoke(tt.args, strings.NewReader(""))
			golden(t, tt.golden, got)
		})
	}
}

func TestWCSLogCommandLine(t *testing.T) {
	t.Chdir("../..")
	log, err := os.ReadFile("testdata/wcslog/flashphoner.log")
	if err != nil {
		t.Fatal(err)
	}
	runCLI(t, []cliCase{
		{"auto on standard input: a server log", []string{"validate"}, string(log), 0, "", "1095 lines, 36 hooks (23 status events, 6 invocations, 6 commands, 1 other), 11 entities: 0 errors, 0 warnings; input wcslog\n"},
		{"auto decides file by file", []string{"validate", "testdata/wcslog/flashphoner.log", "testdata/valid/debug.jsonl"}, "", 0, "",
			"input wcslog (1 file) and jsonl (1 file)\n"},
		{"auto on JSON Lines says which it chose", []string{"validate", "testdata/valid/debug.jsonl"}, "", 0, "", "0 warnings; input jsonl\n"},
		{"a named -input is not repeated", []string{"validate", "-input", "jsonl", "testdata/valid/debug.jsonl"}, "", 0, "", "0 warnings\n"},
		{"-input jsonl on a server log: every line is malformed, and not one hook: exit 2, saying what it is", []string{"validate", "-input", "jsonl", "testdata/wcslog/flashphoner.log"}, "", 2,
			"", "flashphoner.log: not one JSON object (read as jsonl): its lines are those of a WCS server log (flashphoner.log), not JSON Lines: read it with -input wcslog (or auto)"},
		{"-input wcslog on JSON Lines: not one hook: exit 2, saying what it is", []string{"validate", "-input", "wcslog", "testdata/valid/debug.jsonl"}, "", 2, "",
			"debug.jsonl: not one SEND REST OBJECT entry (read as wcslog): its lines are JSON objects, one a line: JSON Lines, not a server log; read it with -input jsonl (or auto)"},
		{"-input names the formats", []string{"validate", "-input", "csv"}, "", 2, "", "-input must be auto, jsonl or wcslog"},
		{"validate's usage tells the order of rotated logs, compressed or not", []string{"validate", "-h"}, "", 0, "", "flashphoner.log.2.gz flashphoner.log.1 flashphoner.log"},
		{"convert on standard input", []string{"convert"}, string(log), 0, `{"event":"ConnectionStatusEvent","nodeId":`, "36 hooks written, 0 bad entries"},
		{"convert of a file that cannot be opened: exit 2, no output", []string{"convert", "testdata/wcslog/flashphoner.log", "testdata/wcslog/no-such.log"}, "", 2, "", "no-such.log"},
		{"convert: an unknown flag", []string{"convert", "-bogus"}, "", 2, "", "flag provided but not defined"},
		{"convert: a limit that is not positive", []string{"convert", "-max-line", "0"}, "", 2, "", "-max-line must be positive"},
		{"convert -h", []string{"convert", "-h"}, "", 0, "", "usage: wcsfsm convert"},
		{"convert of an empty input", []string{"convert"}, "", 0, "", "0 hooks written"},
		{"convert of JSON Lines: not one entry, exit 2", []string{"convert", "testdata/valid/debug.jsonl"}, "", 2, "", "debug.jsonl: not one SEND REST OBJECT entry"},
		{"the command list names convert", []string{"help"}, "", 0, "", "convert"},
	})
}

// lineNumbers are the line numbers in findings' messages ("last event at
// line 34"): they differ between a server log and its conversion.
var lineNumbers = regexp.MustCompile(`line \d+`)

// findingsOf validates args and returns the findings, without their file
// and line, and the malformed ones apart, as text.
func findingsOf(t *testing.T, args []string, stdin []byte) (judged []tracker.Finding, bad []string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"validate", "-format", "json"}, args...), bytes.NewReader(stdin), &stdout, &stderr)
	if code > 1 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	dec := json.NewDecoder(&stdout)
	for dec.More() {
		var f tracker.Finding
		if err := dec.Decode(&f); err != nil {
			t.Fatal(err)
		}
		if f.Kind == tracker.KindMalformed || f.Kind == tracker.KindLineTooLong {
			bad = append(bad, f.String())
			continue
		}
		f.File, f.Line, f.Last = "", 0, 0 // the lines differ (as the messages' do)
		f.Message = lineNumbers.ReplaceAllString(f.Message, "line N")
		judged = append(judged, f)
	}
	return judged, bad
}

// TestConvertThenValidate: validating the conversion of a server log finds
// what validating the server log finds, but for the line numbers; the
// entries that could not be read are convert's findings on standard error,
// the same as validate's.
func TestConvertThenValidate(t *testing.T) {
	t.Chdir("../..")
	tests := []struct {
		why   string
		files []string
	}{
		{"the valid log", []string{"testdata/wcslog/flashphoner.log"}},
		{"the rotated logs with mistakes", []string{"testdata/wcslog/broken.log.1", "testdata/wcslog/broken.log"}},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			var converted, stderr bytes.Buffer
			run(append([]string{"convert"}, tt.files...), nil, &converted, &stderr)
			direct, directBad := findingsOf(t, tt.files, nil)
			viaJSONL, viaBad := findingsOf(t, nil, converted.Bytes())
			if diff := cmp.Diff(direct, viaJSONL); diff != "" {
				t.Errorf("findings differ (-server log +converted):\n%s", diff)
			}
			if len(viaBad) != 0 {
				t.Errorf("the conversion has bad lines: %v", viaBad)
			}
			convertBad := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			convertBad = convertBad[:len(convertBad)-1] // the summary
			if diff := cmp.Diff(directBad, convertBad, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("bad entries differ (-validate +convert):\n%s", diff)
			}
			if len(direct) == 0 && tt.why != "the valid log" {
				t.Error("no finding: the test proves nothing")
			}
		})
	}
}
