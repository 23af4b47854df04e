package main

import (
	"fmt"
	"os"
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

// TestValidateJobsAtTheCap: -max-entities is a bound of the whole log, not
// of each shard of -j: at the cap, -j 2 and -j 4 print exactly what -j 1
// prints (the same entity-limit errors on the same lines, the same summary)
// and exit with the same status; before, the same log could exit 1 at -j 1
// and 0 at -j 2.
func TestValidateJobsAtTheCap(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	conn := func(sid, status string) string {
		return `{"event":"ConnectionStatusEvent","sessionId":"` + sid + `","status":"` + status + `"}` + "\n"
	}
	var open, churn strings.Builder
	for i := range 15 {
		open.WriteString(conn(fmt.Sprint("s", i), "ESTABLISHED"))
	}
	for i := range 60 {
		churn.WriteString(conn(fmt.Sprint("c", i), "ESTABLISHED"))
		churn.WriteString(`{"event":"StreamStatusEvent","sessionId":"c` + fmt.Sprint(i) + `","mediaSessionId":"m` + fmt.Sprint(i) + `","published":true,"status":"PUBLISHING"}` + "\n")
		if i >= 4 {
			churn.WriteString(conn(fmt.Sprint("c", i-4), "DISCONNECTED"))
		}
	}
	// A server log of 15 sessions: read one entry at a time, outside the
	// pipeline, each event in its shard's tracker.
	var server strings.Builder
	for i := range 15 {
		fmt.Fprintf(&server, "13:39:39,893 INFO            RestClient - API-ASYNC-pool-13-thread-3 SEND REST OBJECT ==>\n"+
			"URL:http://localhost:8081/apps/EchoApp/ConnectionStatusEvent\nOBJECT:\n{\n  \"sessionId\" : \"w%d\",\n  \"status\" : \"ESTABLISHED\"\n}\n", i)
	}
	openLog, churnLog := write("open.jsonl", open.String()), write("churn.jsonl", churn.String())
	serverLog := write("flashphoner.log", server.String())
	tests := []struct {
		why  string
		args []string
	}{
		{"15 sessions open, a cap of 10: the last 5 meet it", []string{"-max-entities", "10", openLog}},
		{"sessions and streams that end and free room, a cap of 7", []string{"-max-entities", "7", churnLog}},
		{"as JSON, -strict", []string{"-format", "json", "-strict", "-max-entities", "7", churnLog}},
		{"two files as one log: the count goes on", []string{"-max-entities", "12", openLog, churnLog}},
		{"a server log alone (-j shards JSON Lines; a server log is one tracker's)", []string{"-max-entities", "10", serverLog}},
		{"JSON Lines then a server log, as one log", []string{"-max-entities", "20", openLog, serverLog}},
	}
	t.Chdir("../..")
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			code1, want := invoke(append([]string{"validate", "-j", "1"}, tt.args...), strings.NewReader(""))
			if code1 != 1 || !strings.Contains(want, "entity-limit") {
				t.Fatalf("-j 1 does not reach the cap (exit %d):\n%s", code1, want)
			}
			want = strings.Replace(want, " -j 1 ", " -j N ", 1)
			for _, jobs := range []string{"2", "4"} {
				code, got := invoke(append([]string{"validate", "-j", jobs}, tt.args...), strings.NewReader(""))
				got = strings.Replace(got, " -j "+jobs+" ", " -j N ", 1)
				if diff := cmp.Diff(want, got); diff != "" || code != code1 {
					t.Errorf("-j %s differs from -j 1 (exit %d, %d) (-j 1 +j %s):\n%s", jobs, code1, code, jobs, diff)
				}
			}
		})
	}
}
