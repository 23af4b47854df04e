package eventlog_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wcsfsm/wcsfsm/eventlog"
	"github.com/wcsfsm/wcsfsm/synth"
	"github.com/wcsfsm/wcsfsm/tracker"
)

// TestJudgeIsTheReaders: Judge, one hook at a time, gives exactly what
// the JSON Lines reader gives for the same lines, at -j 1 and sharded: the
// readers judge through the same Hook.Decode, and so does serve. The log
// is a generated one with damage put in: lines that are not JSON, wrong
// types, unknown events and statuses, illegal moves.
func TestJudgeIsTheReaders(t *testing.T) {
	lines := strings.Split(strings.TrimSuffix(string(synth.Generate(synth.NewSource(7), synth.Options{Events: 3000, Sessions: 30}).Bytes()), "\n"), "\n")
	damage := []string{
		`not json`, `{"event":"CallStatusEvent","callId":5,"status":"RING"}`, `{"event":"NoSuchEvent","status":"X"}`,
		`{"event":"StreamStatusEvent","mediaSessionId":"m?","status":"LOST"}`, `[1,2]`, ``,
		`{"event":"ConnectionStatusEvent","sessionId":null,"status":"ESTABLISHED"}`,
	}
	for i := 0; i < len(lines); i += 97 {
		lines[i] = damage[(i/97)%len(damage)]
	}
	for i := 50; i < len(lines); i += 211 {
		lines[i], lines[i-1] = lines[i-1], lines[i] // out of order: illegal moves
	}
	var judged []string
	j := &eventlog.Judge{Tracker: tracker.New(tracker.Options{})}
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		for _, f := range j.Judge(eventlog.Hook{File: "log", Line: i + 1, Body: []byte(l)}) {
			judged = append(judged, f.String())
		}
	}
	for _, f := range j.Tracker.End() {
		judged = append(judged, f.String())
	}
	if len(judged) < 20 {
		t.Fatalf("only %d findings: the damage did not take", len(judged))
	}
	for _, jobs := range []int{1, 2} {
		var read []string
		v := &eventlog.Validator{Jobs: jobs, Report: func(f tracker.Finding) { read = append(read, f.String()) }}
		if err := v.ReadJSONL("log", bytes.NewReader([]byte(strings.Join(lines, "\n")))); err != nil {
			t.Fatal(err)
		}
		v.End()
		if diff := cmp.Diff(judged, read); diff != "" {
			t.Errorf("-j %d: ReadJSONL differs from Judge (-Judge +ReadJSONL):\n%s", jobs, diff)
		}
	}
}
