package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/wcsfsm/wcsfsm/tracker"
)

// fileServe is serve -state run in-process with its findings in a file.
type fileServe struct {
	url    string
	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

func startFileServe(t *testing.T, cfg serveConfig, findings string) *fileServe {
	t.Helper()
	f, err := os.OpenFile(findings, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &fileServe{url: "http://" + ln.Addr().String(), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		defer f.Close()
		_, s.err = serve(ctx, ln, cfg, f)
	}()
	t.Cleanup(s.stop)
	return s
}

func (s *fileServe) stop() {
	s.cancel()
	<-s.done
}

type rawReq struct{ path, body string }

func postRaw(t *testing.T, url string, reqs []rawReq) {
	t.Helper()
	for _, r := range reqs {
		resp, err := http.Post(url+r.path, "application/json", bytes.NewReader([]byte(r.body)))
		if err != nil {
			t.Fatal(err)
		}
		echo, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 && string(echo) != r.body {
			t.Errorf("%s %q: echo %q", r.path, r.body, echo)
		}
	}
}

// liveReplayValidate posts reqs to serve -state, then judges the journal
// again from nothing (no checkpoint, an empty findings file), and returns
// the findings of each way, and validate's on the journal.
func liveReplayValidate(t *testing.T, cfg serveConfig, reqs []rawReq) (live, replayed, validated []string) {
	t.Helper()
	dir := t.TempDir()
	cfg.State = filepath.Join(dir, "state")
	findings := filepath.Join(dir, "findings.jsonl")
	s := startFileServe(t, cfg, findings)
	postRaw(t, s.url, reqs)
	s.stop()
	if s.err != nil {
		t.Fatalf("serve: %v", s.err)
	}
	b, _ := os.ReadFile(findings)
	live = comparable(t, b, false)
	// As after a crash before any checkpoint, with no finding written.
	os.Remove(filepath.Join(cfg.State, "checkpoint"))
	os.WriteFile(findings, nil, 0o644)
	s = startFileServe(t, cfg, findings)
	s.stop()
	if s.err != nil {
		t.Fatalf("serve: %v", s.err)
	}
	b, _ = os.ReadFile(findings)
	replayed = comparable(t, b, false)
	all := filepath.Join(dir, "all.jsonl")
	os.WriteFile(all, concatJournal(t, cfg.State), 0o644)
	var vout bytes.Buffer
	run([]string{"validate", "-format", "json", "-input", "jsonl", all}, nil, &vout, io.Discard)
	validated = comparable(t, vout.Bytes(), true)
	return
}

// TestServeStateReplayAsLive: a start that judges the journal again (a
// crash before the checkpoint, no finding written) gives the findings the
// requests got when they were taken, whatever their body or path: odd
// bodies, bodies that are no JSON object (with bytes that are not UTF-8),
// paths naming no hook (with a segment that is not UTF-8). And validate on
// the journal agrees on every request that carried a hook.
func TestServeStateReplayAsLive(t *testing.T) {
	conn := `{"appKey":"defaultApp","sessionId":"s1","status":"ESTABLISHED"}`
	const cp = "/apps/EchoApp/ConnectionStatusEvent"
	reqs := []rawReq{
		{cp, conn},
		{cp, "\ufeff" + conn},
		{cp, `{"a":"` + "\xff\xff" + `" x}`},
		{cp, "\xff{"},
		{cp, `{}`},
		{cp, ` { } `},
		{cp, "{\n\"sessionId\":\"s2\",\n\"status\":\"DISCONNECTED\"\n}\n"},
		{cp, `{"event":"StreamStatusEvent","sessionId":"s3","status":"ESTABLISHED"}`},
		{cp, `{"event":"ConnectionStatusEvent","event":"StreamStatusEvent","sessionId":"s3b","status":"ESTABLISHED"}`},
		{"/apps/EchoApp/nohook", `{"sessionId":"s4","status":"ESTABLISHED"}`},
		{"/apps/EchoApp/%FFx", `{"sessionId":"s4","status":"ESTABLISHED"}`},
		{"/apps/EchoApp/", `{"sessionId":"s4","status":"ESTABLISHED"}`},
		{"/", `{"sessionId":"s4","status":"ESTABLISHED"}`},
		{cp, `{"event":5,"sessionId":"s5","status":"ESTABLISHED"}`},
		{"/apps/EchoApp/nohook", `{"event":null,"sessionId":"s6","status":"ESTABLISHED"}`},
		{cp, ``},
		{cp, `[1]`},
		{cp, `"str"`},
		{cp, `null`},
		{cp, `{"sessionId":"s7","status":"ESTABLISHED"}{"x":1}`},
	}
	live, replayed, validated := liveReplayValidate(t, serveConfig{}, reqs)
	if d := cmp.Diff(live, replayed); d != "" {
		t.Errorf("judged again from the journal, the findings differ from those the requests got (-live +replay):\n%s", d)
	}
	notMalformed := func(fs []string) (out []string) {
		for _, f := range fs {
			if !strings.Contains(f, " malformed ") {
				out = append(out, f)
			}
		}
		return out
	}
	if d := cmp.Diff(notMalformed(live), notMalformed(validated)); d != "" {
		t.Errorf("validate on the journal differs from serve (-serve +validate):\n%s", d)
	}
}

// TestServeStateFindingsWriteOnly: serve -state with its findings on a
// standard output redirected to a file (`>> findings.jsonl`, systemd's
// append:), which is open for writing only. A start must not be refused
// for it, and must still write no finding twice.
func TestServeStateFindingsWriteOnly(t *testing.T) {
	dir := t.TempDir()
	cfg := serveConfig{State: filepath.Join(dir, "state")}
	name := filepath.Join(dir, "findings.jsonl")
	reqs := []rawReq{{"/apps/EchoApp/StreamStatusEvent", illegal(1)}, {"/apps/EchoApp/StreamStatusEvent", illegal(2)}}
	for i := range 2 {
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { _, err := serve(ctx, ln, cfg, f); done <- err }()
		if i == 0 {
			postRaw(t, "http://"+ln.Addr().String(), reqs)
		}
		time.Sleep(100 * time.Millisecond)
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("start %d with the findings on a write-only file: %v", i+1, err)
		}
		f.Close()
		if i == 0 {
			// As after a crash before the checkpoint: all judged again.
			os.Remove(filepath.Join(cfg.State, "checkpoint"))
		}
	}
	b, _ := os.ReadFile(name)
	if got := comparable(t, b, false); len(got) != 2 {
		t.Errorf("findings over the run: %q, want 2, once each", got)
	}
}

// TestJournalCloseStalled: a journal whose write does not return (a hung
// mount) is closed within its bound all the same, as the findings output
// is, not held forever by the write: a SIGTERM must end serve.
func TestJournalCloseStalled(t *testing.T) {
	j, err := openJournal(t.TempDir(), 1, 0, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	w := &blockedWriter{release: make(chan struct{})}
	defer close(w.release)
	j.out.wmu.Lock()
	j.out.setFile(w)
	j.out.wmu.Unlock()
	j.add([]byte("{}\n"))
	waitFor(t, "the journal's write stalled", func() bool { return j.out.failing() != nil })
	done := make(chan error, 1)
	go func() { done <- j.close(100 * time.Millisecond) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "has not returned") {
			t.Errorf("close of a stalled journal: %v, want the lines lost and why", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("close of a journal whose write does not return: still waiting after 5 s")
	}
}

// TestServeStateNumbersGoOnPastFindings: when the findings file holds
// findings of requests the journal lacks (its disk failed, the findings
// went on, then a crash before the disk came back), a start numbers on
// after them: no request number is given twice, the findings' numbers only
// grow over the run.
func TestServeStateNumbersGoOnPastFindings(t *testing.T) {
	dir := t.TempDir()
	cfg := serveConfig{State: filepath.Join(dir, "state")}
	findings := filepath.Join(dir, "findings.jsonl")
	s := startFileServe(t, cfg, findings)
	postRaw(t, s.url, []rawReq{{streamPath, illegal(1)}, {streamPath, illegal(2)}, {streamPath, illegal(3)}})
	s.stop()
	// What the crash leaves: the journal has request 1 only, no checkpoint.
	os.Remove(filepath.Join(cfg.State, "checkpoint"))
	jf := filepath.Join(cfg.State, journalName(1))
	b, err := os.ReadFile(jf)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(jf, b[:bytes.IndexByte(b, '\n')+1], 0o644)
	s = startFileServe(t, cfg, findings)
	postRaw(t, s.url, []rawReq{{streamPath, illegal(4)}})
	s.stop()
	if s.err != nil {
		t.Fatal(s.err)
	}
	out, _ := os.ReadFile(findings)
	var lines []int
	for _, l := range bytes.Split(bytes.TrimSpace(out), []byte{'\n'}) {
		var f tracker.Finding
		if err := f.UnmarshalJSON(l); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, f.Line)
	}
	for i := 1; i < len(lines); i++ {
		if lines[i] <= lines[i-1] {
			t.Errorf("findings numbered %v over the run: request %d given twice", lines, lines[i])
			break
		}
	}
}

// validateJournalArgs is how docs/embedding.md says to validate a state
// directory's journal.
var validateJournalArgs = []string{"validate", "-format", "json", "-input", "jsonl", "-max-line", strconv.Itoa(8 * defaultMaxBody)}

// TestValidateJournalAsServed: `wcsfsm validate DIR/journal*`, as the docs
// give it, gives the findings serve gave, for the requests that carried a
// hook, whatever came before them in the journal and however large their
// body was (up to -max-body).
func TestValidateJournalAsServed(t *testing.T) {
	for _, tc := range []struct {
		why  string
		reqs []rawReq
	}{
		{"a first request whose body is no JSON object but names a REST object, as a server log's line does", []rawReq{
			{streamPath, "SEND REST OBJECT ==> not json"}, {streamPath, illegal(1)}, {streamPath, illegal(2)}}},
		{"a body of -max-body bytes", []rawReq{
			{streamPath, `{"pad":"` + strings.Repeat("x", defaultMaxBody-len(illegal(1))-9) + `",` + illegal(1)[1:]}}},
	} {
		t.Run(tc.why, func(t *testing.T) {
			if n := len(tc.reqs[len(tc.reqs)-1].body); n > defaultMaxBody {
				t.Fatalf("body of %d bytes", n)
			}
			dir := t.TempDir()
			cfg := serveConfig{State: filepath.Join(dir, "state")}
			findings := filepath.Join(dir, "findings.jsonl")
			s := startFileServe(t, cfg, findings)
			postRaw(t, s.url, tc.reqs)
			s.stop()
			b, _ := os.ReadFile(findings)
			files, _ := filepath.Glob(filepath.Join(cfg.State, "journal*"))
			var vout bytes.Buffer
			run(append(append([]string{}, validateJournalArgs...), files...), nil, &vout, io.Discard)
			notMalformed := func(fs []string) (out []string) {
				for _, f := range fs {
					if !strings.Contains(f, " malformed ") {
						out = append(out, f)
					}
				}
				return out
			}
			served, validated := notMalformed(comparable(t, b, false)), notMalformed(comparable(t, vout.Bytes(), true))
			if len(served) == 0 {
				t.Fatal("no finding served")
			}
			if d := cmp.Diff(served, validated); d != "" {
				t.Errorf("validate %q differs from serve (-serve +validate):\n%s", validateJournalArgs, d)
			}
		})
	}
}

// TestServeStateNewRunNumbersFrom1: a new state directory begins a run
// numbered from 1, even with a findings file of an earlier run, as
// validate on its journal numbers it.
func TestServeStateNewRunNumbersFrom1(t *testing.T) {
	dir := t.TempDir()
	findings := filepath.Join(dir, "findings.jsonl")
	s := startFileServe(t, serveConfig{State: filepath.Join(dir, "old")}, findings)
	postRaw(t, s.url, []rawReq{{streamPath, illegal(1)}, {streamPath, illegal(2)}, {streamPath, illegal(3)}})
	s.stop()
	s = startFileServe(t, serveConfig{State: filepath.Join(dir, "new")}, findings)
	postRaw(t, s.url, []rawReq{{streamPath, illegal(4)}})
	s.stop()
	b, _ := os.ReadFile(findings)
	got := comparable(t, b, false)
	if len(got) != 4 || !strings.HasPrefix(got[3], "1 ") {
		t.Errorf("findings %q: want the new run's numbered from 1", got)
	}
}

// TestServeStateFindingsCutAnywhere: a crash may leave the findings file
// cut at any byte (and the checkpoint older): a start writes exactly the
// findings the file lacks, whatever the cut.
func TestServeStateFindingsCutAnywhere(t *testing.T) {
	dir := t.TempDir()
	cfg := serveConfig{State: filepath.Join(dir, "state"), MaxBody: 256}
	findings := filepath.Join(dir, "findings.jsonl")
	var reqs []rawReq
	for i := range 12 {
		switch i % 4 {
		case 0:
			reqs = append(reqs, rawReq{streamPath, illegal(i)})
		case 1:
			reqs = append(reqs, rawReq{"/apps/EchoApp/nohook", `{"x":` + strconv.Itoa(i) + `}`})
		case 2:
			reqs = append(reqs, rawReq{streamPath, strings.Repeat("y", 300)})
		case 3:
			reqs = append(reqs, rawReq{connPath, `{"sessionId":"s` + strconv.Itoa(i) + `","status":"ESTABLISHED"}`})
		}
	}
	s := startFileServe(t, cfg, findings)
	postRaw(t, s.url, reqs)
	s.stop()
	full, _ := os.ReadFile(findings)
	want := comparable(t, full, false)
	journal, _ := os.ReadFile(filepath.Join(cfg.State, journalName(1)))
	for cut := 0; cut <= len(full); cut += 7 {
		os.Remove(filepath.Join(cfg.State, "checkpoint"))
		os.WriteFile(filepath.Join(cfg.State, journalName(1)), journal, 0o644)
		for _, f := range mustGlob(t, filepath.Join(cfg.State, "journal-*")) {
			if filepath.Base(f) != journalName(1) {
				os.Remove(f)
			}
		}
		os.WriteFile(findings, full[:cut], 0o644)
		s := startFileServe(t, cfg, findings)
		s.stop()
		if s.err != nil {
			t.Fatal(s.err)
		}
		b, _ := os.ReadFile(findings)
		if d := cmp.Diff(want, comparable(t, b, false)); d != "" {
			t.Fatalf("findings cut at byte %d of %d, then a start (-want +got):\n%s", cut, len(full), d)
		}
	}
}

func mustGlob(t *testing.T, pat string) []string {
	t.Helper()
	m, err := filepath.Glob(pat)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestServeStateCheckpointOnce: -checkpoint-every N takes one checkpoint
// per N requests, not a second one at once for the requests taken while
// the first was under way (each a snapshot of the tracker under its lock).
func TestServeStateCheckpointOnce(t *testing.T) {
	dir := t.TempDir()
	s := startFileServe(t, serveConfig{State: filepath.Join(dir, "state"), CheckpointEvery: 100}, filepath.Join(dir, "findings.jsonl"))
	var reqs []rawReq
	for i := range 150 {
		reqs = append(reqs, rawReq{"/apps/EchoApp/nohook", `{"n":` + strconv.Itoa(i) + `}`})
	}
	postRaw(t, s.url, reqs)
	time.Sleep(300 * time.Millisecond)
	resp, err := http.Get(s.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(b, []byte("\nwcsfsm_checkpoints_total 1\n")) {
		t.Errorf("after 150 requests with -checkpoint-every 100: %s, want 1", regexp.MustCompile(`(?m)^wcsfsm_checkpoints_total .*$`).Find(b))
	}
}
