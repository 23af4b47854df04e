package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/wcsfsm/wcsfsm/tracker"
)

// testServer is serve running in-process on an ephemeral loopback port.
type testServer struct {
	url    string
	cancel context.CancelFunc
	done   chan struct{}
	out    bytes.Buffer // the findings; read it after wait
	stats  tracker.Stats
	err    error
}

func startServe(t *testing.T, cfg serveConfig) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &testServer{url: "http://" + ln.Addr().String(), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		s.stats, s.err = serve(ctx, ln, cfg, &s.out)
	}()
	t.Cleanup(func() { s.wait(t) })
	return s
}

// wait stops the server (the signal) and waits until serve returned.
func (s *testServer) wait(t *testing.T) {
	t.Helper()
	s.cancel()
	<-s.done
	if s.err != nil {
		t.Errorf("serve: %v", s.err)
	}
}

// findings parses the findings written, checking that each is one JSON line.
func (s *testServer) findings(t *testing.T) []tracker.Finding {
	t.Helper()
	var out []tracker.Finding
	for _, l := range strings.SplitAfter(s.out.String(), "\n") {
		if l == "" {
			continue
		}
		if !strings.HasSuffix(l, "\n") {
			t.Fatalf("a finding without its newline: %q", l)
		}
		var f tracker.Finding
		if err := f.UnmarshalJSON([]byte(l)); err != nil {
			t.Fatalf("finding %q: %v", l, err)
		}
		out = append(out, f)
	}
	return out
}

var client = &http.Client{Timeout: 30 * time.Second}

// post sends a hook and checks the answer of a request taken: 200, the body
// echoed, JSON. It returns an error when the request failed (the server is
// stopping).
func post(url, path, body string) (int, error) {
	resp, err := client.Post(url+path, "application/json", strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode == http.StatusOK && (string(got) != body || resp.Header.Get("Content-Type") != "application/json") {
		return resp.StatusCode, fmt.Errorf("answered %q (%s), want the body %q echoed as application/json", got, resp.Header.Get("Content-Type"), body)
	}
	return resp.StatusCode, nil
}

// metrics fetches /metrics and parses it with expfmt's text parser (which
// refuses a sample without its family's TYPE, or one twice): the value of
// each sample of serve's own counters and gauges (wcsfsm_*) whose value is
// a whole number, by name and labels, sorted by name as client_golang
// writes them; a histogram's count as NAME_count.
func metrics(t *testing.T, url string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for name, mf := range scrape(t, url) {
		if !strings.HasPrefix(name, "wcsfsm_") {
			continue
		}
		for _, m := range mf.GetMetric() {
			key := name
			if len(m.GetLabel()) > 0 {
				var ls []string
				for _, l := range m.GetLabel() {
					ls = append(ls, l.GetName()+"="+strconv.Quote(l.GetValue()))
				}
				key += "{" + strings.Join(ls, ",") + "}"
			}
			var v float64
			switch mf.GetType() {
			case dto.MetricType_COUNTER:
				v = m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				v = m.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				key, v = name+"_count", float64(m.GetHistogram().GetSampleCount())
			default:
				t.Fatalf("metrics: %s is a %v", name, mf.GetType())
			}
			if _, dup := out[key]; dup {
				t.Errorf("metrics: %s twice", key)
			}
			if v != float64(int64(v)) {
				continue // seconds (wcsfsm_checkpoint_age_seconds): scrape has them
			}
			out[key] = int64(v)
		}
	}
	return out
}

// scrape fetches /metrics as the text format and parses it.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := client.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s/metrics: %s", url, resp.Status)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("metrics Content-Type %q", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("metrics: %v", err)
	}
	return mfs
}

// hookBody is a WCS-style body (no "event": the path names the family).
func hookBody(kv ...string) string {
	var b strings.Builder
	b.WriteString(`{"appKey":"defaultApp"`)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i] == "published" {
			fmt.Fprintf(&b, `,"published":%s`, kv[i+1])
			continue
		}
		fmt.Fprintf(&b, `,%q:%q`, kv[i], kv[i+1])
	}
	return b.String() + "}"
}

const (
	connPath   = "/apps/EchoApp/ConnectionStatusEvent"
	streamPath = "/apps/EchoApp/StreamStatusEvent"
)

// sessionScript is the hooks of one WCS session, about events of them: the
// connection, streams published and unpublished, every tenth one published
// again after its end (illegal: UNPUBLISHED is terminal), and the end of
// the connection. It returns the requests and the entities of the illegal
// ones.
func sessionScript(sid string, events int) (reqs [][2]string, illegal []string) {
	reqs = append(reqs, [2]string{connPath, hookBody("sessionId", sid, "status", "ESTABLISHED")})
	for i := 0; len(reqs) < events-4; i++ {
		m := fmt.Sprintf("%s-m%d", sid, i)
		reqs = append(reqs, [2]string{streamPath, hookBody("sessionId", sid, "mediaSessionId", m, "published", "true", "status", "PUBLISHING")})
		reqs = append(reqs, [2]string{streamPath, hookBody("sessionId", sid, "mediaSessionId", m, "published", "true", "status", "UNPUBLISHED")})
		if i%10 == 9 {
			reqs = append(reqs, [2]string{streamPath, hookBody("sessionId", sid, "mediaSessionId", m, "status", "PUBLISHING")})
			illegal = append(illegal, m)
		}
	}
	reqs = append(reqs, [2]string{connPath, hookBody("sessionId", sid, "status", "DISCONNECTED")})
	return reqs, illegal
}

// TestServeConcurrentSessions: 20 clients post 200 hooks each, their own
// session each, at once. Every request is answered 200 with its body; every
// illegal hook gets exactly one finding and the legal ones none; the
// request numbers in the findings only grow; the metrics count it all.
func TestServeConcurrentSessions(t *testing.T) {
	const clients, events = 20, 200
	s := startServe(t, serveConfig{})
	var wantIllegal []string
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	var streamEvents, total int64
	for c := range clients {
		reqs, illegal := sessionScript("s"+strconv.Itoa(c), events)
		wantIllegal = append(wantIllegal, illegal...)
		streamEvents += int64(len(reqs) - 2)
		total += int64(len(reqs))
		wg.Go(func() {
			for _, r := range reqs {
				if code, err := post(s.url, r[0], r[1]); err != nil || code != http.StatusOK {
					errs <- fmt.Errorf("%s %s: %d %v", r[0], r[1], code, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	m := metrics(t, s.url)
	s.wait(t)

	var gotIllegal []string
	last := 0
	for _, f := range s.findings(t) {
		if f.Kind != tracker.KindIllegalTransition || f.File != streamPath || f.Status != "PUBLISHING" || f.From != "UNPUBLISHED" {
			t.Errorf("unexpected finding %v", f)
		}
		if f.Line <= last || int64(f.Line) > total {
			t.Errorf("finding at request %d after one at %d (of %d requests)", f.Line, last, total)
		}
		last = f.Line
		gotIllegal = append(gotIllegal, f.Entity)
	}
	sort.Strings(wantIllegal)
	sort.Strings(gotIllegal)
	if diff := cmp.Diff(wantIllegal, gotIllegal); diff != "" {
		t.Errorf("findings of illegal hooks (-want +got):\n%s", diff)
	}
	want := map[string]int64{
		`wcsfsm_events_total{event="ConnectionStatusEvent"}`:                2 * clients,
		`wcsfsm_events_total{event="StreamStatusEvent"}`:                    streamEvents,
		`wcsfsm_events_total{event="CallStatusEvent"}`:                      0,
		`wcsfsm_events_total{event=""}`:                                     0,
		`wcsfsm_findings_total{kind="illegal-transition",severity="error"}`: int64(len(wantIllegal)),
		`wcsfsm_findings_total{kind="dangling",severity="warning"}`:         0,
		`wcsfsm_findings_total{kind="no-session",severity="error"}`:         0,
		`wcsfsm_entities_open`:                                              0,
		`wcsfsm_requests_total{code="200"}`:                                 total,
		`wcsfsm_requests_total{code="405"}`:                                 0,
		`wcsfsm_requests_in_flight`:                                         0,
	}
	for k, v := range want {
		if got, ok := m[k]; !ok || got != v {
			t.Errorf("metrics: %s = %d (present %v), want %d", k, got, ok, v)
		}
	}
	if s.stats.Events != total {
		t.Errorf("serve took %d events, want %d", s.stats.Events, total)
	}
}

// TestServeShutdownUnderLoad: the signal comes while clients are posting.
// serve returns without an error, and every illegal hook answered 200 has
// its finding written: nothing taken is lost. No legal hook has one.
func TestServeShutdownUnderLoad(t *testing.T) {
	const clients = 16
	s := startServe(t, serveConfig{MaxInflight: 8})
	var posted atomic.Int64
	var mu sync.Mutex
	acked := map[string]bool{} // illegal hooks answered 200
	sent := map[string]bool{}  // illegal hooks sent, answered or not
	var wg sync.WaitGroup
	for c := range clients {
		reqs, _ := sessionScript("load"+strconv.Itoa(c), 10_000)
		wg.Go(func() {
			for _, r := range reqs {
				m := ""
				if r[0] == streamPath && !strings.Contains(r[1], "published") {
					m = r[1]
					mu.Lock()
					sent[m] = true
					mu.Unlock()
				}
				code, err := post(s.url, r[0], r[1])
				if err != nil {
					return // the server stopped taking requests
				}
				if code != http.StatusOK {
					t.Errorf("answered %d", code)
					return
				}
				if m != "" {
					mu.Lock()
					acked[m] = true
					mu.Unlock()
				}
				posted.Add(1)
			}
		})
	}
	for deadline := time.Now().Add(time.Minute); posted.Load() < 500; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			s.cancel()
			wg.Wait()
			t.Fatalf("only %d hooks answered in a minute; want 500 before the SIGTERM", posted.Load())
		}
	}
	atCancel, t0 := posted.Load(), time.Now()
	s.cancel() // SIGTERM
	wg.Wait()
	s.wait(t)

	written := map[string]bool{}
	for _, f := range s.findings(t) {
		body := hookBody("sessionId", strings.SplitN(f.Entity, "-", 2)[0], "mediaSessionId", f.Entity, "status", "PUBLISHING")
		if f.Kind != tracker.KindIllegalTransition || !sent[body] {
			t.Errorf("finding for a hook that is not illegal: %v", f)
		}
		if written[body] {
			t.Errorf("two findings for %s", f.Entity)
		}
		written[body] = true
	}
	lost := 0
	for m := range acked {
		if !written[m] {
			lost++
		}
	}
	if lost > 0 || len(acked) == 0 {
		t.Errorf("%d of %d illegal hooks answered 200 have no finding written", lost, len(acked))
	}
	t.Logf("%d hooks answered when the signal came, %d in all (%v later); %d illegal ones answered, %d findings written", atCancel, posted.Load(), time.Since(t0), len(acked), len(written))
}

// TestServeRequests: what each kind of request is answered, what finding
// it gets, and how the metrics count it.
func TestServeRequests(t *testing.T) {
	type tc struct {
		why     string
		method  string
		path    string
		body    string
		code    int
		echo    bool   // the body comes back
		finding string // the kind of the one finding, or ""
	}
	big := `{"sessionId":"s1","status":"ESTABLISHED","pad":"` + strings.Repeat("x", 2000) + `"}`
	cases := []tc{
		{"a WCS hook: the path names the family", "POST", connPath, hookBody("sessionId", "s1", "status", "ESTABLISHED"), 200, true, ""},
		{"a hook at the root names its family in the body", "POST", "/", `{"event":"ConnectionStatusEvent","sessionId":"s1","status":"ESTABLISHED"}`, 200, true, ""},
		{"a query string does not hide the family", "POST", "/ConnectionStatusEvent?app=x", hookBody("sessionId", "s1", "status", "ESTABLISHED"), 200, true, ""},
		{"the path wins over the body's event", "POST", "/CallStatusEvent", `{"event":"ConnectionStatusEvent","sessionId":"s1","status":"ESTABLISHED"}`, 200, true, "missing-field"},
		{"an illegal status is answered 200 all the same", "POST", streamPath, hookBody("mediaSessionId", "m1", "status", "STOPPED"), 200, true, "illegal-transition"},
		{"a body that is not JSON: 200, a malformed finding (WCS would retry an error)", "POST", connPath, "status=ESTABLISHED", 200, true, "malformed"},
		{"an empty body", "POST", connPath, "", 200, true, "malformed"},
		{"a JSON array", "POST", connPath, `[1,2]`, 200, true, "malformed"},
		{"a path that names no hook, and no event in the body: the path names it, an unknown one", "POST", "/hooks", hookBody("sessionId", "s1", "status", "ESTABLISHED"), 200, true, "unknown-event"},
		{"no path to name it, no event in the body", "POST", "/", hookBody("sessionId", "s1", "status", "ESTABLISHED"), 200, true, "missing-field"},
		{"an invocation by its path", "POST", "/apps/EchoApp/connect", hookBody("sessionId", "s9"), 200, false, ""},
		{"another hook by its path: counted, not checked", "POST", "/apps/EchoApp/StreamsStatEvent", `{"x":[1]}`, 200, false, ""},
		{"an unknown family", "POST", "/hooks", `{"event":"FooStatusEvent","status":"X"}`, 200, true, "unknown-event"},
		{"a body over -max-body: 413, and a finding, since the hook was lost", "POST", connPath, big, 413, false, "line-too-long"},
		{"PUT is not a hook", "PUT", connPath, "{}", 405, false, ""},
		{"DELETE neither", "DELETE", "/healthz", "", 405, false, ""},
		{"an unknown path", "GET", "/status", "", 404, false, ""},
		{"health", "GET", "/healthz", "", 200, false, ""},
		{"health, HEAD", "HEAD", "/healthz", "", 200, false, ""},
	}
	for _, c := range cases {
		t.Run(c.why, func(t *testing.T) {
			s := startServe(t, serveConfig{MaxBody: 1024, Partial: true})
			req, err := http.NewRequest(c.method, s.url+c.path, strings.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("%s: %v", c.why, err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.code {
				t.Errorf("%s: answered %d, want %d", c.why, resp.StatusCode, c.code)
			}
			if c.echo && (string(got) != c.body || resp.Header.Get("Content-Type") != "application/json") {
				t.Errorf("%s: answered %q (%s), want the body echoed as JSON", c.why, got, resp.Header.Get("Content-Type"))
			}
			if c.code == 405 && resp.Header.Get("Allow") == "" {
				t.Errorf("%s: a 405 without Allow", c.why)
			}
			if c.path == "/healthz" && c.method == "GET" && string(got) != "ok\n" {
				t.Errorf("%s: %q", c.why, got)
			}
			m := metrics(t, s.url)
			if n := m[`wcsfsm_requests_total{code="`+strconv.Itoa(c.code)+`"}`]; n != 1 {
				t.Errorf("%s: requests_total{code=%d} = %d, want 1", c.why, c.code, n)
			}
			s.wait(t)
			var kinds []string
			for _, f := range s.findings(t) {
				kinds = append(kinds, f.Kind.String())
				if f.File != req.URL.Path || f.Line != 1 {
					t.Errorf("%s: finding at %s:%d, want %s:1", c.why, f.File, f.Line, req.URL.Path)
				}
			}
			var want []string
			if c.finding != "" {
				want = []string{c.finding}
			}
			if diff := cmp.Diff(want, kinds); diff != "" {
				t.Errorf("%s: findings (-want +got):\n%s", c.why, diff)
			}
			if c.finding != "" && m[`wcsfsm_findings_total{kind="`+c.finding+`",severity="error"}`] != 1 {
				t.Errorf("%s: the metrics do not count the %s finding", c.why, c.finding)
			}
		})
	}
}

// TestServeFlags: serve's command line, golden.
func TestServeFlags(t *testing.T) {
	type tc struct {
		why    string
		args   []string
		golden string
	}
	cases := []tc{
		{"help: the usage, exit 0", []string{"serve", "-h"}, "help"},
		{"a bound must be positive", []string{"serve", "-max-body", "0"}, "max-body"},
		{"serve takes no arguments", []string{"serve", "log.jsonl"}, "argument"},
		{"a findings file that cannot be opened", []string{"serve", "-findings", "/nonexistent/dir/f.jsonl"}, "findings"},
		{"a log format that is none", []string{"serve", "-log-format", "yaml"}, "log-format"},
	}
	for _, c := range cases {
		_, got := invoke(c.args, strings.NewReader(""))
		golden(t, filepath.Join("testdata", "serve", c.golden+".golden"), got)
	}
}

// runAside runs the command as main does, with args, in the background:
// its standard error's lines as they come (closed once it exited), and its
// exit status.
func runAside(args []string, stdout io.Writer) (<-chan string, <-chan int) {
	pr, pw := io.Pipe()
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	exit := make(chan int, 1)
	go func() {
		exit <- run(args, nil, stdout, pw)
		pw.Close()
	}()
	return lines, exit
}

// TestServeSignal runs the command as main does, on an ephemeral port with
// a findings file, and stops it with a real SIGTERM: exit 0, the findings
// of the hooks taken in the file.
func TestServeSignal(t *testing.T) {
	file := filepath.Join(t.TempDir(), "findings.jsonl")
	var stdout bytes.Buffer
	lines, exit := runAside([]string{"serve", "-addr", "127.0.0.1:0", "-findings", file}, &stdout)
	first := <-lines
	url, ok := strings.CutPrefix(first, "wcsfsm serve: listening on ")
	if !ok {
		t.Fatalf("first line on stderr: %q", first)
	}
	if _, err := post(url, streamPath, hookBody("sessionId", "s1", "mediaSessionId", "m1", "status", "STOPPED")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := <-exit; code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	var rest []string
	for l := range lines {
		rest = append(rest, l)
	}
	if diff := cmp.Diff([]string{"wcsfsm serve: stopped; 1 event, 2 errors, 0 warnings"}, rest); diff != "" {
		t.Errorf("stderr after the signal (-want +got):\n%s", diff)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		var f tracker.Finding
		if err := f.UnmarshalJSON([]byte(l)); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		kinds = append(kinds, fmt.Sprintf("%s:%d %s", f.File, f.Line, f.Kind))
	}
	want := []string{streamPath + ":1 illegal-transition", streamPath + ":1 no-session"}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("findings file (-want +got):\n%s", diff)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout: %q, want nothing (the findings go to the file)", stdout.String())
	}
}

// TestServeTail: serve -tail takes a receiver started while calls were up:
// each entity's first status as it comes, what follows checked as usual.
func TestServeTail(t *testing.T) {
	for _, tc := range []struct {
		why  string
		tail bool
		want int // findings
	}{
		{"without -tail: rule 1 for every line (no session seen), and the second FINISH", false, 5},
		{"with -tail: only the second FINISH", true, 1},
	} {
		var out bytes.Buffer
		h := newHookServer(serveConfig{Tail: tc.tail}, &out)
		for _, p := range []struct{ path, body string }{
			{"/apps/EchoApp/CallStatusEvent", `{"sessionId":"s1","callId":"c1","status":"ESTABLISHED"}`},
			{"/apps/EchoApp/hangup", `{"sessionId":"s1","callId":"c1"}`},
			{"/apps/EchoApp/CallStatusEvent", `{"sessionId":"s1","callId":"c1","status":"FINISH"}`},
			{"/apps/EchoApp/CallStatusEvent", `{"sessionId":"s1","callId":"c1","status":"FINISH"}`},
		} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("POST", p.path, strings.NewReader(p.body)))
			if rec.Code != 200 {
				t.Fatalf("%s: %s answered %d", tc.why, p.path, rec.Code)
			}
		}
		h.close()
		if got := strings.Count(out.String(), "\n"); got != tc.want {
			t.Errorf("%s: %d findings, want %d:\n%s", tc.why, got, tc.want, out.String())
		}
	}
}
