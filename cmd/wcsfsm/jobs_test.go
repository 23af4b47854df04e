package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestValidateJobs: -j 4 prints exactly what -j 1 prints (findings, their
// order, the summary, the exit status) for every log under testdata/, in
// both output formats. (Not all of them as one log: they reuse ids such as
// m1 in different sessions, which WCS never does, and which -j documents
// as the case where shards may differ from one tracker.)
func TestValidateJobs(t *testing.T) {
	t.Chdir("../..")
	logs, _ := filepath.Glob("testdata/*.jsonl")
	more, _ := filepath.Glob("testdata/*/*.jsonl")
	logs = append(logs, more...)
	var runs [][]string
	runs = append(runs, []string{"testdata/split/part1.jsonl", "testdata/split/part2.jsonl"})
	for _, l := range logs {
		runs = append(runs, []string{l})
	}
	for _, files := range runs {
		for _, flags := range [][]string{{"-format", "text"}, {"-format", "json", "-partial"}} {
			args := append(append([]string{"validate"}, flags...), files...)
			name := strings.Join(append(flags, files[0]), " ")
			if len(files) > 1 {
				name += " and more"
			}
			t.Run(name, func(t *testing.T) {
				code1, want := invoke(append([]string{args[0], "-j", "1"}, args[1:]...), strings.NewReader(""))
				code4, got := invoke(append([]string{args[0], "-j", "4"}, args[1:]...), strings.NewReader(""))
				want = strings.Replace(want, " -j 1 ", " -j N ", 1)
				got = strings.Replace(got, " -j 4 ", " -j N ", 1)
				if diff := cmp.Diff(want, got); diff != "" || code1 != code4 {
					t.Errorf("-j 4 differs from -j 1 (exit %d, %d) (-j 1 +j 4):\n%s", code1, code4, diff)
				}
			})
		}
	}
}

func TestValidateJobsFlag(t *testing.T) {
	code, out := invoke([]string{"validate", "-j", "0"}, strings.NewReader(""))
	if code != 2 || !strings.Contains(out, "-j must be at least 1") {
		t.Errorf("-j 0: exit %d, output:\n%s", code, out)
	}
}
