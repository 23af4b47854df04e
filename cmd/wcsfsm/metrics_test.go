package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	dto "github.com/prometheus/client_model/go"
)

// TestServeMetricsFamilies: /metrics, parsed by expfmt, has every family
// of serve with its type (the names, labels and meanings of before
// client_golang, and the new ones), the Go runtime's and the process's,
// and the histogram of hook handling time counts the hooks answered 200.
func TestServeMetricsFamilies(t *testing.T) {
	s := startServe(t, serveConfig{MaxEntities: 5000, MaxBody: 1024, Partial: true})
	const hooks = 25
	for i := range hooks {
		if code, err := post(s.url, streamPath, illegal(i)); err != nil || code != 200 {
			t.Fatalf("hook %d: %d %v", i, code, err)
		}
	}
	// Answered but not 200: not in the histogram.
	if code, _ := post(s.url, streamPath, `{"pad":"`+strings.Repeat("x", 2000)+`"}`); code != http.StatusRequestEntityTooLarge {
		t.Fatalf("a body over -max-body: %d", code)
	}
	mfs := scrape(t, s.url)

	types := familyTypes(mfs, "wcsfsm_")
	want := map[string]string{
		"wcsfsm_events_total":                "COUNTER",
		"wcsfsm_hooks_total":                 "COUNTER",
		"wcsfsm_findings_total":              "COUNTER",
		"wcsfsm_findings_dropped_total":      "COUNTER",
		"wcsfsm_findings_queued":             "GAUGE",
		"wcsfsm_findings_write_errors_total": "COUNTER",
		"wcsfsm_entities_open":               "GAUGE",
		"wcsfsm_entities_tracked":            "GAUGE",
		"wcsfsm_entities_limit":              "GAUGE",
		"wcsfsm_sessions_tracked":            "GAUGE",
		"wcsfsm_requests_in_flight":          "GAUGE",
		"wcsfsm_requests_total":              "COUNTER",
		"wcsfsm_output_failing":              "GAUGE",
		"wcsfsm_hook_duration_seconds":       "HISTOGRAM",
	}
	if diff := cmp.Diff(want, types); diff != "" {
		t.Errorf("serve's families and their types (-want +got):\n%s", diff)
	}
	for name, typ := range map[string]dto.MetricType{
		"go_goroutines":                 dto.MetricType_GAUGE,
		"go_memstats_heap_alloc_bytes":  dto.MetricType_GAUGE,
		"go_gc_duration_seconds":        dto.MetricType_SUMMARY,
		"process_resident_memory_bytes": dto.MetricType_GAUGE,
		"process_cpu_seconds_total":     dto.MetricType_COUNTER,
		"process_open_fds":              dto.MetricType_GAUGE,
		"process_max_fds":               dto.MetricType_GAUGE,
	} {
		mf, ok := mfs[name]
		switch {
		case !ok:
			t.Errorf("no %s", name)
		case mf.GetType() != typ:
			t.Errorf("%s is a %v, want a %v", name, mf.GetType(), typ)
		}
	}
	if rss := mfs["process_resident_memory_bytes"].GetMetric(); len(rss) != 1 || rss[0].GetGauge().GetValue() <= 0 {
		t.Errorf("process_resident_memory_bytes: %v", rss)
	}

	hist := mfs["wcsfsm_hook_duration_seconds"].GetMetric()[0].GetHistogram()
	if hist.GetSampleCount() != hooks {
		t.Errorf("wcsfsm_hook_duration_seconds_count %d, want the %d hooks answered 200", hist.GetSampleCount(), hooks)
	}
	if hist.GetSampleSum() <= 0 {
		t.Errorf("wcsfsm_hook_duration_seconds_sum %v, want above 0", hist.GetSampleSum())
	}
	var bounds []float64
	var last uint64
	for _, b := range hist.GetBucket() {
		bounds = append(bounds, b.GetUpperBound())
		if b.GetCumulativeCount() < last {
			t.Errorf("bucket %v: %d after %d", b.GetUpperBound(), b.GetCumulativeCount(), last)
		}
		last = b.GetCumulativeCount()
	}
	if diff := cmp.Diff(append(slices.Clone(hookBuckets), math.Inf(1)), bounds); diff != "" {
		t.Errorf("buckets (-want +got):\n%s", diff)
	}

	m := metrics(t, s.url)
	for k, v := range map[string]int64{
		"wcsfsm_entities_limit":                          5000,
		`wcsfsm_output_failing{output="findings"}`:       0,
		`wcsfsm_hooks_total{kind="status"}`:              hooks,
		`wcsfsm_requests_total{code="200"}`:              hooks + 1, // and the first scrape
		`wcsfsm_requests_total{code="413"}`:              1,
		"wcsfsm_hook_duration_seconds_count":             hooks,
		`wcsfsm_events_total{event="StreamStatusEvent"}`: hooks,
	} {
		if got, ok := m[k]; !ok || got != v {
			t.Errorf("%s = %d (present %v), want %d", k, got, ok, v)
		}
	}
}

// familyTypes returns the type of each family whose name has one of the
// prefixes.
func familyTypes(mfs map[string]*dto.MetricFamily, prefixes ...string) map[string]string {
	out := map[string]string{}
	for name, mf := range mfs {
		for _, p := range prefixes {
			if strings.HasPrefix(name, p) {
				out[name] = mf.GetType().String()
			}
		}
	}
	return out
}

// syncBuffer is a bytes.Buffer for a logger and a test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// jsonLines parses every line of s as a JSON object, checking that each is
// one and has slog's time, level and msg.
func jsonLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if l == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("a line that is not JSON: %q: %v", l, err)
		}
		for _, k := range []string{"time", "level", "msg"} {
			if _, ok := rec[k].(string); !ok {
				t.Errorf("no %s in %q", k, l)
			}
		}
		out = append(out, rec)
	}
	return out
}

// TestServeOutputFailingLogged: while the findings output fails, the log
// has one warning, however many writes fail, and one line when it
// recovers; wcsfsm_output_failing follows.
func TestServeOutputFailingLogged(t *testing.T) {
	var logs syncBuffer
	w := &flakyWriter{broken: true}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := serve(ctx, ln, serveConfig{Log: slog.New(slog.NewJSONHandler(&logs, nil))}, w)
		done <- err
	}()
	url := "http://" + ln.Addr().String()
	failing := func() int64 { return metrics(t, url)[`wcsfsm_output_failing{output="findings"}`] }
	for i := range 5 {
		if code, err := post(url, streamPath, illegal(i)); err != nil || code != 200 {
			t.Fatalf("hook %d while the output fails: %d %v", i, code, err)
		}
	}
	waitFor(t, "the warning", func() bool { return strings.Contains(logs.String(), `"level":"WARN"`) })
	waitFor(t, "a few writes failed", func() bool { return metrics(t, url)["wcsfsm_findings_write_errors_total"] >= 3 })
	if got := failing(); got != 1 {
		t.Errorf("wcsfsm_output_failing while it fails: %d, want 1", got)
	}
	w.set(false)
	waitFor(t, "the recovery logged", func() bool { return strings.Contains(logs.String(), "recovered") })
	if got := failing(); got != 0 {
		t.Errorf("wcsfsm_output_failing once it works: %d, want 0", got)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not return 30 s after the signal")
	}
	var got []string
	for _, rec := range jsonLines(t, logs.String()) {
		out, ok := rec["output"].(string)
		if !ok {
			if rec["addr"] != ln.Addr().String() {
				t.Errorf("a line about no output, not the listening one: %v", rec)
			}
			continue
		}
		got = append(got, rec["level"].(string)+" "+out)
		if rec["level"] == "WARN" && !strings.Contains(rec["err"].(string), "no space left on device") {
			t.Errorf("the warning does not say why: %v", rec)
		}
	}
	if diff := cmp.Diff([]string{"WARN findings", "INFO findings"}, got); diff != "" {
		t.Errorf("log lines (-want +got):\n%s", diff)
	}
	if n := strings.Count(w.String(), "\n"); n != 5 {
		t.Errorf("%d findings written once the output recovered, want 5", n)
	}
}

// TestServeMetricsAddr runs the command with -metrics-addr and -log-format
// json: every line on standard error is a JSON object, the first two give
// the addresses; /metrics and /healthz answer on both, the second takes no
// hook; a real SIGTERM stops both listeners.
func TestServeMetricsAddr(t *testing.T) {
	file := filepath.Join(t.TempDir(), "findings.jsonl")
	lines, exit := runAside([]string{"serve", "-addr", "127.0.0.1:0", "-metrics-addr", "127.0.0.1:0", "-log-format", "json", "-findings", file}, io.Discard)
	next := func() map[string]any {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("standard error ended before the addresses")
			}
			return jsonLines(t, l)[0]
		case <-time.After(30 * time.Second):
			t.Fatal("no line on standard error in 30 s")
		}
		return nil
	}
	first, second := next(), next()
	addr, _ := first["addr"].(string)
	opsAddr, _ := second["metrics_addr"].(string)
	if addr == "" || opsAddr == "" || first["msg"] != "listening on http://"+addr {
		t.Fatalf("the first lines: %v, %v; want addr and metrics_addr", first, second)
	}
	main, ops := "http://"+addr, "http://"+opsAddr
	if code, err := post(main, streamPath, illegal(0)); err != nil || code != 200 {
		t.Fatalf("a hook: %d %v", code, err)
	}
	get := func(method, url string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, url, strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, base := range []string{main, ops} {
		if code, body := get("GET", base+"/healthz"); code != 200 || body != "ok\n" {
			t.Errorf("GET %s/healthz: %d %q", base, code, body)
		}
		if got := metrics(t, base)[`wcsfsm_events_total{event="StreamStatusEvent"}`]; got != 1 {
			t.Errorf("%s/metrics: %d stream events, want 1", base, got)
		}
	}
	if code, _ := get("POST", ops+streamPath); code != http.StatusMethodNotAllowed {
		t.Errorf("a hook posted to -metrics-addr: %d, want 405", code)
	}
	if code, _ := get("GET", ops+"/status"); code != http.StatusNotFound {
		t.Errorf("another path on -metrics-addr: %d, want 404", code)
	}
	if got := metrics(t, main)[`wcsfsm_events_total{event="StreamStatusEvent"}`]; got != 1 {
		t.Errorf("after the POST to -metrics-addr: %d stream events, want 1", got)
	}

	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-exit:
		if code != 0 {
			t.Errorf("exit %d, want 0", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not exit 30 s after SIGTERM")
	}
	var rest []string
	for l := range lines {
		rest = append(rest, l)
	}
	recs := jsonLines(t, strings.Join(rest, "\n"))
	if len(recs) != 1 || recs[0]["msg"] != "stopped; 1 event, 1 error, 0 warnings" || recs[0]["events"] != 1.0 || recs[0]["errors"] != 1.0 {
		t.Errorf("after the signal: %v, want the stopped line with its counts", recs)
	}
	for _, a := range []string{addr, opsAddr} {
		if c, err := net.DialTimeout("tcp", a, time.Second); err == nil {
			c.Close()
			t.Errorf("%s still takes connections after serve exited", a)
		}
	}
}

// TestLogFormats: the text format's lines are the command's of old; a
// warning says so; the json format's are JSON; another format is refused.
func TestLogFormats(t *testing.T) {
	var text, js bytes.Buffer
	for _, c := range []struct {
		w      *bytes.Buffer
		format string
	}{{&text, "text"}, {&js, "json"}} {
		log, err := newLogger(c.w, c.format)
		if err != nil {
			t.Fatal(err)
		}
		log.Info("listening on http://127.0.0.1:8081", "addr", "127.0.0.1:8081")
		log.With("x", 1).Warn("findings output failing: disk full", "output", "findings")
		log.Error("open f: no such file")
	}
	want := "wcsfsm serve: listening on http://127.0.0.1:8081\n" +
		"wcsfsm serve: warning: findings output failing: disk full\n" +
		"wcsfsm serve: open f: no such file\n"
	if diff := cmp.Diff(want, text.String()); diff != "" {
		t.Errorf("text (-want +got):\n%s", diff)
	}
	var got []string
	for _, rec := range jsonLines(t, js.String()) {
		got = append(got, rec["level"].(string)+" "+rec["msg"].(string))
	}
	wantJSON := []string{"INFO listening on http://127.0.0.1:8081", "WARN findings output failing: disk full", "ERROR open f: no such file"}
	if diff := cmp.Diff(wantJSON, got); diff != "" {
		t.Errorf("json (-want +got):\n%s", diff)
	}
	if _, err := newLogger(io.Discard, "yaml"); err == nil {
		t.Error("-log-format yaml taken")
	}
}

// TestServeMetricsState: with -state, the journal's and the checkpoints'
// families, and wcsfsm_output_failing for each of the three outputs.
func TestServeMetricsState(t *testing.T) {
	s := startServe(t, serveConfig{State: t.TempDir(), CheckpointEvery: 2})
	for i := range 5 {
		if code, err := post(s.url, streamPath, illegal(i)); err != nil || code != 200 {
			t.Fatalf("hook %d: %d %v", i, code, err)
		}
	}
	waitFor(t, "a checkpoint", func() bool { return metrics(t, s.url)["wcsfsm_checkpoints_total"] > 0 })
	mfs := scrape(t, s.url)
	types := familyTypes(mfs, "wcsfsm_journal_", "wcsfsm_checkpoint")
	want := map[string]string{
		"wcsfsm_journal_bytes":              "GAUGE",
		"wcsfsm_journal_files":              "GAUGE",
		"wcsfsm_journal_queued":             "GAUGE",
		"wcsfsm_journal_write_errors_total": "COUNTER",
		"wcsfsm_journal_dropped_total":      "COUNTER",
		"wcsfsm_checkpoints_total":          "COUNTER",
		"wcsfsm_checkpoint_errors_total":    "COUNTER",
		"wcsfsm_checkpoint_age_seconds":     "GAUGE",
		"wcsfsm_checkpoint_bytes":           "GAUGE",
	}
	if diff := cmp.Diff(want, types); diff != "" {
		t.Errorf("-state's families and their types (-want +got):\n%s", diff)
	}
	if age := mfs["wcsfsm_checkpoint_age_seconds"].GetMetric()[0].GetGauge().GetValue(); age < 0 {
		t.Errorf("wcsfsm_checkpoint_age_seconds %v after a checkpoint", age)
	}
	if b := mfs["wcsfsm_journal_bytes"].GetMetric()[0].GetGauge().GetValue(); b <= 0 {
		t.Errorf("wcsfsm_journal_bytes %v after 5 hooks", b)
	}
	failing := map[string]float64{}
	for _, m := range mfs["wcsfsm_output_failing"].GetMetric() {
		failing[m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
	}
	if diff := cmp.Diff(map[string]float64{"findings": 0, "journal": 0, "checkpoint": 0}, failing); diff != "" {
		t.Errorf("wcsfsm_output_failing (-want +got):\n%s", diff)
	}
}
