package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestGenGolden: a small log for a seed, whole, and the command line's
// mistakes.
func TestGenGolden(t *testing.T) {
	t.Chdir("../..")
	rows := []struct {
		why, golden string
		args        []string
	}{
		{"a small log: three sessions at once, every line of it", "seed1", []string{"gen", "-seed", "1", "-events", "40", "-sessions", "3"}},
		{"no events: exit 2", "no-events", []string{"gen", "-events", "0"}},
		{"no sessions: exit 2", "no-sessions", []string{"gen", "-sessions", "-1"}},
		{"an argument: exit 2", "argument", []string{"gen", "log.jsonl"}},
		{"-h: the usage, exit 0", "help", []string{"gen", "-h"}},
	}
	for _, row := range rows {
		t.Run(row.golden, func(t *testing.T) {
			_, got := invoke(row.args, strings.NewReader(""))
			golden(t, "cmd/wcsfsm/testdata/gen/"+row.golden+".golden", got)
		})
	}
}

// TestGenValidates: gen's output passes validate -strict with no finding,
// for several seeds and shapes.
func TestGenValidates(t *testing.T) {
	rows := []struct {
		why  string
		args []string
	}{
		{"the defaults", nil},
		{"one session at a time", []string{"-sessions", "1", "-events", "3000"}},
		{"many at once", []string{"-sessions", "300", "-events", "5000"}},
		{"a log of one event", []string{"-events", "1"}},
	}
	for _, row := range rows {
		for seed := 1; seed <= 5; seed++ {
			args := append([]string{"gen", "-seed", fmt.Sprint(seed)}, row.args...)
			var log, stderr bytes.Buffer
			if code := run(args, nil, &log, &stderr); code != 0 {
				t.Fatalf("%s: %v: exit %d: %s", row.why, args, code, stderr.String())
			}
			var out bytes.Buffer
			stderr.Reset()
			if code := run([]string{"validate", "-strict"}, &log, &out, &stderr); code != 0 || out.Len() != 0 {
				t.Errorf("%s: %v: validate -strict exit %d, findings:\n%s%s", row.why, args, code, out.String(), stderr.String())
			}
		}
	}
}

// TestGenDeterministic: a seed is a log.
func TestGenDeterministic(t *testing.T) {
	gen := func(seed string) string {
		var out bytes.Buffer
		run([]string{"gen", "-seed", seed, "-events", "500"}, nil, &out, &bytes.Buffer{})
		return out.String()
	}
	if diff := cmp.Diff(gen("42"), gen("42")); diff != "" {
		t.Errorf("seed 42 twice:\n%s", diff)
	}
	if gen("42") == gen("43") {
		t.Errorf("seeds 42 and 43 wrote the same log")
	}
}
