package main

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// flakyWriter fails every write while broken is set (as a full disk does),
// and keeps what it is given otherwise.
type flakyWriter struct {
	mu     sync.Mutex
	broken bool
	buf    bytes.Buffer
}

var errDiskFull = errors.New("write findings.jsonl: no space left on device")

func (w *flakyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.broken {
		return 0, errDiskFull
	}
	return w.buf.Write(p)
}

func (w *flakyWriter) set(broken bool) {
	w.mu.Lock()
	w.broken = broken
	w.mu.Unlock()
}

func (w *flakyWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// request sends one request to h in-process and returns the answer.
func request(h http.Handler, method, path, body string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
	return rec
}

// illegal is the body of a stream hook that is a finding each time (a
// STOPPED from NEW, the media session numbered i).
func illegal(i int) string { return `{"mediaSessionId":"m` + strconv.Itoa(i) + `","status":"STOPPED"}` }

// waitFor polls cond every few milliseconds for at most 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after 10 s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestServeOutputFails: while the findings output fails (a full disk) every
// hook is still answered 200 with its echo, /healthz says 503 and why, and
// the findings wait; once writes succeed again, /healthz is 200 and every
// finding is written, whole lines, in the order of the requests.
func TestServeOutputFails(t *testing.T) {
	w := &flakyWriter{}
	h := newHookServer(serveConfig{}, w)
	if rec := request(h, "POST", streamPath, illegal(0)); rec.Code != 200 {
		t.Fatalf("a hook before the failure: %d", rec.Code)
	}
	w.set(true)
	for i := 1; i <= 50; i++ {
		rec := request(h, "POST", streamPath, illegal(i))
		if rec.Code != 200 || rec.Body.String() != illegal(i) {
			t.Fatalf("hook %d while the output fails: %d %q, want 200 and its echo", i, rec.Code, rec.Body.String())
		}
	}
	rec := request(h, "GET", "/healthz", "")
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), "no space left on device") {
		t.Errorf("/healthz while the output fails: %d %q, want 503 and the error", rec.Code, rec.Body.String())
	}
	m := string(request(h, "GET", "/metrics", "").Body.String())
	if !strings.Contains(m, "wcsfsm_findings_queued 50\n") || strings.Contains(m, "wcsfsm_findings_write_errors_total 0\n") {
		t.Errorf("metrics while the output fails, want 50 queued and write errors:\n%s", grepLines(m, "wcsfsm_findings_"))
	}
	w.set(false)
	waitFor(t, "/healthz back to 200 once writes succeed", func() bool { return request(h, "GET", "/healthz", "").Code == 200 })
	if err := h.close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	lines := strings.SplitAfter(w.String(), "\n")
	if lines[len(lines)-1] != "" {
		t.Fatalf("a torn line at the end: %q", lines[len(lines)-1])
	}
	lines = lines[:len(lines)-1]
	if len(lines) != 51 {
		t.Fatalf("%d findings written, want 51", len(lines))
	}
	for i, l := range lines {
		if want := `"line":` + strconv.Itoa(i+1) + `,`; !strings.Contains(l, want) || !strings.Contains(l, `"entity":"m`+strconv.Itoa(i)+`"`) {
			t.Fatalf("finding %d out of order: %s", i, l)
		}
	}
}

// TestServeOutputQueueFull: when the output fails for longer than the queue
// holds, the findings past it are dropped and counted, every hook is still
// answered 200, and the end of serve says how many were lost.
func TestServeOutputQueueFull(t *testing.T) {
	w := &flakyWriter{broken: true}
	h := newHookServer(serveConfig{MaxQueue: 2000}, w)
	for i := range 100 {
		if rec := request(h, "POST", streamPath, illegal(i)); rec.Code != 200 {
			t.Fatalf("hook %d: %d", i, rec.Code)
		}
	}
	m := request(h, "GET", "/metrics", "").Body.String()
	if strings.Contains(m, "wcsfsm_findings_dropped_total 0\n") || !strings.Contains(m, "wcsfsm_findings_dropped_total ") {
		t.Errorf("metrics: want findings dropped:\n%s", grepLines(m, "wcsfsm_findings_"))
	}
	start := time.Now()
	err := h.out.close(50 * time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "100 findings could not be written") || !strings.Contains(err.Error(), "no space left") {
		t.Errorf("close: %v, want the 100 findings lost and why", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("close took %v with a dead output", took)
	}
}

// TestServeDevFull: the real file system's answer, /dev/full, to serve's
// findings: hooks answered 200, /healthz 503.
func TestServeDevFull(t *testing.T) {
	f, err := os.OpenFile("/dev/full", os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Skip("no /dev/full here:", err)
	}
	defer f.Close()
	h := newHookServer(serveConfig{}, f)
	for i := range 5 {
		if rec := request(h, "POST", streamPath, illegal(i)); rec.Code != 200 {
			t.Fatalf("hook %d on /dev/full: %d", i, rec.Code)
		}
	}
	waitFor(t, "/healthz 503 on /dev/full", func() bool { return request(h, "GET", "/healthz", "").Code == 503 })
	if err := h.out.close(10 * time.Millisecond); err == nil {
		t.Error("close on /dev/full: no error, want the findings lost")
	}
}

// TestServeUnreadableBody: a body that does not arrive within -body-timeout
// is answered 400 and counted, never an empty 200, and is not judged.
func TestServeUnreadableBody(t *testing.T) {
	s := startServe(t, serveConfig{BodyTimeout: 100 * time.Millisecond})
	pr, pw := io.Pipe()
	defer pw.Close()
	go io.WriteString(pw, `{"mediaSessionId":"slow"`) // and nothing more
	resp, err := client.Post(s.url+streamPath, "application/json", pr)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), "request body could not be read") {
		t.Errorf("a body that never ends: %d %q, want 400", resp.StatusCode, body)
	}
	if n := metrics(t, s.url)[`wcsfsm_requests_total{code="400"}`]; n != 1 {
		t.Errorf("400s counted: %d, want 1", n)
	}
	s.wait(t)
	if n := len(s.findings(t)); n != 0 {
		t.Errorf("%d findings for a body never read, want none", n)
	}
}

// TestServeLongPaths: the tracker keeps the hook's name, not the request
// path: 2,000 hooks posted to distinct 40 KB paths leave a tracker state of
// a few KB (it used to intern every path).
func TestServeLongPaths(t *testing.T) {
	h := newHookServer(serveConfig{Partial: true}, io.Discard)
	prefix := "/" + strings.Repeat("x", 40<<10)
	for i := range 2000 {
		body := `{"sessionId":"s` + strconv.Itoa(i) + `","mediaSessionId":"m` + strconv.Itoa(i) + `","status":"PUBLISHING"}`
		if rec := request(h, "POST", prefix+strconv.Itoa(i)+"/StreamStatusEvent", body); rec.Code != 200 {
			t.Fatalf("hook %d: %d", i, rec.Code)
		}
	}
	var snap bytes.Buffer
	if err := h.tracker.Snapshot(&snap); err != nil {
		t.Fatal(err)
	}
	if snap.Len() > 256<<10 {
		t.Errorf("the tracker's state after 2,000 long paths is %d bytes, want it to hold no path", snap.Len())
	}
	if strings.Contains(snap.String(), "xxxxxxxx") {
		t.Error("the tracker's state holds a request path")
	}
	h.close()
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// partialWriter stores half of its first write and fails it (as a stream
// that takes some bytes and breaks), then takes every write whole.
type partialWriter struct {
	mu   sync.Mutex
	cut  bool
	data bytes.Buffer
}

func (w *partialWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.cut {
		w.cut = true
		w.data.Write(p[:len(p)/2])
		return len(p) / 2, errDiskFull
	}
	return w.data.Write(p)
}

// TestServeOutputPartialWrite: a stream that takes part of a write and
// fails it gets the rest next time: every finding whole, once, in order.
func TestServeOutputPartialWrite(t *testing.T) {
	w := &partialWriter{}
	h := newHookServer(serveConfig{}, w)
	for i := range 20 {
		request(h, "POST", streamPath, illegal(i))
	}
	if err := h.close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	w.mu.Lock()
	out := w.data.String()
	w.mu.Unlock()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 20 || !strings.HasSuffix(out, "\n") {
		t.Fatalf("%d lines written, want 20 whole:\n%s", len(lines), out)
	}
	for i, l := range lines {
		if !strings.HasPrefix(l, "{") || !strings.HasSuffix(l, "}") || !strings.Contains(l, `"entity":"m`+strconv.Itoa(i)+`"`) {
			t.Fatalf("line %d: %q", i, l)
		}
	}
}

// blockedWriter does not return from a write until released, as an output
// on a hung mount or a full pipe.
type blockedWriter struct{ release chan struct{} }

func (w *blockedWriter) Write(p []byte) (int, error) {
	<-w.release
	return len(p), nil
}

// TestServeOutputStalls: a write that does not return makes /healthz 503
// after a second, hooks are still answered at once, and the end of serve
// does not wait for it past its bound.
func TestServeOutputStalls(t *testing.T) {
	w := &blockedWriter{release: make(chan struct{})}
	defer close(w.release)
	h := newHookServer(serveConfig{WriteWait: 50 * time.Millisecond}, w)
	request(h, "POST", streamPath, illegal(0))
	waitFor(t, "/healthz 503 once a write has not returned for a second", func() bool {
		return request(h, "GET", "/healthz", "").Code == 503
	})
	start := time.Now()
	if rec := request(h, "POST", streamPath, illegal(1)); rec.Code != 200 || time.Since(start) > 2*time.Second {
		t.Errorf("a hook while the output stalls: %d after %v", rec.Code, time.Since(start))
	}
	err := h.out.close(100 * time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "has not returned") {
		t.Errorf("close with a stalled output: %v, want the findings lost and why", err)
	}
}
