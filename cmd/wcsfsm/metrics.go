package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/wcsfsm/wcsfsm/tracker"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// serve's metrics, with github.com/prometheus/client_golang: a registry of
// its own (never the global one, so that tests may run many servers in one
// process), the Go runtime's and the process's collectors, the histogram of
// hook handling time, and serveCollector, which reads the tracker's
// statistics and the outputs' counters once per scrape: the hooks pay for
// no metric but the histogram.

// promMetrics is a hookServer's registry and what the hooks update.
type promMetrics struct {
	handler     http.Handler         // /metrics
	hookSeconds prometheus.Histogram // wcsfsm_hook_duration_seconds

	publishSeconds prometheus.Histogram   // serve -nats: wcsfsm_publish_duration_seconds
	published      *prometheus.CounterVec // serve -nats: wcsfsm_published_total{result}
}

// hookBuckets are the bounds of wcsfsm_hook_duration_seconds: 10 µs to
// 10 s, 1, 2.5 and 5 a decade (a hook judged at once takes tens of µs; one
// that waits for its findings, WriteWait at most, a second).
var hookBuckets = []float64{
	10e-6, 25e-6, 50e-6,
	100e-6, 250e-6, 500e-6,
	1e-3, 2.5e-3, 5e-3,
	10e-3, 25e-3, 50e-3,
	100e-3, 250e-3, 500e-3,
	1, 2.5, 5,
	10,
}

// newPromMetrics builds h's registry; h.tracker and h.out must be set.
func newPromMetrics(h *hookServer) *promMetrics {
	m := &promMetrics{
		hookSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "wcsfsm_hook_duration_seconds",
			Help:    "Time from a hook's body read to its answer ready: the wait for a slot (-max-inflight), the judging, the wait for its findings to be written; hooks answered 200.",
			Buckets: hookBuckets,
		}),
	}
	m.publishSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "wcsfsm_publish_duration_seconds",
		Help:    "serve -nats: time from a hook's body read to its store acknowledged by JetStream (or given up), hooks answered 200 or 503.",
		Buckets: hookBuckets,
	})
	m.published = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "wcsfsm_published_total",
		Help: "serve -nats: hooks published to JetStream, by result: stored (answered 200 or 413), failed (answered 503, not stored).",
	}, []string{"result"})
	reg := prometheus.NewRegistry()
	if h.cfg.NATS != nil && *h.cfg.NATS.url != "" {
		reg.MustRegister(m.publishSeconds, m.published)
		m.published.WithLabelValues("stored")
		m.published.WithLabelValues("failed") // 0 from the start: an alert's increase sees the first
	}
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.hookSeconds,
		serveCollector{h},
	)
	h.registerStateMetrics(reg)
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorLog: promLog{h}})
	return m
}

// promLog hands promhttp's errors (a metric that could not be gathered or
// sent) to serve's log.
type promLog struct{ h *hookServer }

func (l promLog) Println(v ...any) {
	l.h.logger().Error("metrics: " + strings.TrimSuffix(fmt.Sprintln(v...), "\n"))
}

// observePublish adds a hook of serve -nats whose body was read at start.
func (m *promMetrics) observePublish(start time.Time, err error) {
	m.publishSeconds.Observe(time.Since(start).Seconds())
	if err != nil {
		m.published.WithLabelValues("failed").Inc()
	} else {
		m.published.WithLabelValues("stored").Inc()
	}
}

// observeHook adds a hook whose body was read at start and whose answer is
// ready now to wcsfsm_hook_duration_seconds.
func (h *hookServer) observeHook(start time.Time) {
	h.prom.hookSeconds.Observe(time.Since(start).Seconds())
}

// serveMetrics answers GET /metrics, counted in wcsfsm_requests_total as
// every answer is (before its body goes out, as answer counts).
func (h *hookServer) serveMetrics(w http.ResponseWriter, r *http.Request) {
	h.prom.handler.ServeHTTP(&countingWriter{ResponseWriter: w, h: h}, r)
}

// countingWriter counts the code of the answer written through it.
type countingWriter struct {
	http.ResponseWriter
	h       *hookServer
	counted bool
}

func (w *countingWriter) WriteHeader(code int) {
	if !w.counted {
		w.counted = true
		w.h.count(code)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *countingWriter) Write(b []byte) (int, error) {
	if !w.counted {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// output is one of serve's outputs, for wcsfsm_output_failing and for the
// log's warning when it starts failing and line when it recovers.
type output struct {
	name    string       // the label output: findings, journal, checkpoint
	failing func() error // nil while it works
}

// outputs lists serve's outputs: an output more is one line more here (or
// in stateOutputs, for -state's).
func (h *hookServer) outputs() []output {
	return append([]output{
		{"findings", h.out.failing},
	}, h.stateOutputs()...)
}

// serveCollector reads serve's state once per scrape: the tracker's
// statistics (one call of Stats), the findings output's counters, the
// requests, the outputs; each value a const metric.
type serveCollector struct{ h *hookServer }

var (
	descEvents = prometheus.NewDesc("wcsfsm_events_total",
		`Status events taken, by family (event="": hooks naming no hook WCS posts).`, []string{"event"}, nil)
	descHooks = prometheus.NewDesc("wcsfsm_hooks_total",
		"Hooks taken, by kind (hooks.md: status, invocation, command, other; unknown: naming no hook WCS posts).", []string{"kind"}, nil)
	descFindings = prometheus.NewDesc("wcsfsm_findings_total",
		"Findings made, by kind and severity (written, or dropped: wcsfsm_findings_dropped_total).", []string{"kind", "severity"}, nil)
	descDropped = prometheus.NewDesc("wcsfsm_findings_dropped_total",
		"Findings not written: the queue of those waiting was full (the output failed, stalled, or was slower than the hooks).", nil, nil)
	descQueued = prometheus.NewDesc("wcsfsm_findings_queued",
		"Findings waiting to be written (more than a few: the output fails; see /healthz).", nil, nil)
	descWriteErrors = prometheus.NewDesc("wcsfsm_findings_write_errors_total",
		"Writes of findings that failed (each is tried again).", nil, nil)
	descOpen = prometheus.NewDesc("wcsfsm_entities_open",
		"Entities tracked that are not in a final state.", nil, nil)
	descTracked = prometheus.NewDesc("wcsfsm_entities_tracked",
		"Entities tracked.", nil, nil)
	descLimit = prometheus.NewDesc("wcsfsm_entities_limit",
		"Most entities tracked at once (-max-entities); an event that would start one more is an entity-limit finding, its entity not tracked.", nil, nil)
	descSessions = prometheus.NewDesc("wcsfsm_sessions_tracked",
		"WCS sessions tracked.", nil, nil)
	descInFlight = prometheus.NewDesc("wcsfsm_requests_in_flight",
		"Hook requests being handled.", nil, nil)
	descRequests = prometheus.NewDesc("wcsfsm_requests_total",
		"HTTP requests answered, on either address, by status code (400: a body that could not be read; 503 to a POST: the client went away while it waited).", []string{"code"}, nil)
	descFailing = prometheus.NewDesc("wcsfsm_output_failing",
		"1 while writes to the output fail or stall (/healthz answers 503), 0 while they succeed.", []string{"output"}, nil)
)

func (serveCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descEvents, descHooks, descFindings, descDropped, descQueued, descWriteErrors,
		descOpen, descTracked, descLimit, descSessions, descInFlight, descRequests, descFailing} {
		ch <- d
	}
}

// usualCodes are in wcsfsm_requests_total always, at 0 until they happen;
// any other code once seen.
var usualCodes = []int{http.StatusOK, http.StatusBadRequest, http.StatusNotFound, http.StatusMethodNotAllowed,
	http.StatusRequestEntityTooLarge, http.StatusServiceUnavailable}

func (c serveCollector) Collect(ch chan<- prometheus.Metric) {
	h := c.h
	st := h.tracker.Stats()
	counter := func(d *prometheus.Desc, v int64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge := func(d *prometheus.Desc, v int64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v), labels...)
	}
	for _, f := range wcs.Families() {
		counter(descEvents, st.Families[f], f.String())
	}
	counter(descEvents, st.Unknown(), "")
	for k := wcs.MethodKind(0); k < wcs.NumMethodKinds; k++ {
		counter(descHooks, st.Hooks(k), k.String())
	}
	counter(descHooks, st.Unknown(), "unknown")
	for k := tracker.Kind(0); k < tracker.NumKinds; k++ {
		counter(descFindings, st.Findings[k], k.String(), k.Severity().String())
	}
	counter(descDropped, h.out.dropped.Load())
	gauge(descQueued, int64(h.out.queuedLines()))
	counter(descWriteErrors, h.out.failures.Load())
	gauge(descOpen, int64(st.Open))
	gauge(descTracked, int64(st.Tracked))
	gauge(descLimit, int64(h.tracker.Options().MaxEntities))
	gauge(descSessions, int64(st.Sessions))
	gauge(descInFlight, h.inflight.Load())
	seen := map[int]bool{}
	for _, c := range usualCodes {
		seen[c] = true
	}
	h.codes.Range(func(k, _ any) bool { seen[k.(int)] = true; return true })
	codes := make([]int, 0, len(seen))
	for c := range seen {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	for _, c := range codes {
		var v int64
		if x, ok := h.codes.Load(c); ok {
			v = x.(*atomic.Int64).Load()
		}
		counter(descRequests, v, strconv.Itoa(c))
	}
	for _, o := range h.outputs() {
		var v int64
		if o.failing() != nil {
			v = 1
		}
		gauge(descFailing, v, o.name)
	}
}

// opsHandler answers the -metrics-addr listener: GET or HEAD /metrics and
// /healthz as the main address answers them, and never takes a hook.
func (h *hookServer) opsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method != http.MethodGet && r.Method != http.MethodHead:
			w.Header().Set("Allow", "GET, HEAD")
			h.answer(w, http.StatusMethodNotAllowed, "text/plain; charset=utf-8", []byte("method not allowed: GET /healthz or /metrics (hooks go to -addr)\n"))
		case r.URL.Path != "/metrics" && r.URL.Path != "/healthz":
			h.answer(w, http.StatusNotFound, "text/plain; charset=utf-8", []byte("not found: GET /healthz or /metrics\n"))
		default:
			h.ServeHTTP(w, r)
		}
	})
}

// Waits of what runs beside the hooks.
const (
	outputWatch = 250 * time.Millisecond // how often the outputs are looked at for the log
	opsStopWait = 5 * time.Second        // how long a scrape in progress may hold up the end
)

// startAside starts what runs beside the hooks for as long as serve does:
// the -metrics-addr server on ops (none if nil), and the watch on the
// outputs that logs a warning when one starts failing and a line when it
// recovers. The returned function stops them. The ops listener failing
// stops no hook: it is logged.
func (h *hookServer) startAside(ops net.Listener) (stop func()) {
	var srv *http.Server
	served := make(chan struct{})
	if ops != nil {
		h.logger().Info("metrics and health on http://"+ops.Addr().String(), "metrics_addr", ops.Addr().String())
		srv = &http.Server{
			Handler:           h.opsHandler(),
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       time.Minute,
			WriteTimeout:      time.Minute,
			IdleTimeout:       2 * time.Minute,
		}
		go func() {
			defer close(served)
			if err := srv.Serve(ops); !errors.Is(err, http.ErrServerClosed) {
				h.logger().Error("metrics listener: "+err.Error()+"; hooks are still taken on -addr", "err", err.Error())
			}
		}()
	} else {
		close(served)
	}
	quit, watched := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(watched)
		h.watchOutputs(quit, outputWatch)
	}()
	return func() {
		close(quit)
		<-watched
		if srv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), opsStopWait)
			if srv.Shutdown(ctx) != nil {
				srv.Close()
			}
			cancel()
			<-served
		}
	}
}

// watchOutputs looks at the outputs every d until quit is closed, and logs
// a warning when one starts failing and a line when it works again: once
// each, whatever the number of writes that failed (an output failing for
// less than d may go unlogged; wcsfsm_findings_write_errors_total counts
// every write that failed).
func (h *hookServer) watchOutputs(quit <-chan struct{}, d time.Duration) {
	outs := h.outputs()
	since := make([]time.Time, len(outs)) // when each began failing; zero while it works
	tick := time.NewTicker(d)
	defer tick.Stop()
	for {
		for i, o := range outs {
			err := o.failing()
			switch {
			case err != nil && since[i].IsZero():
				since[i] = time.Now()
				h.logger().Warn(o.name+" output failing: "+err.Error()+"; hooks are still answered, /healthz answers 503",
					"output", o.name, "err", err.Error())
			case err == nil && !since[i].IsZero():
				failed := time.Since(since[i])
				since[i] = time.Time{}
				h.logger().Info(o.name+" output recovered after "+failed.Round(time.Millisecond).String(),
					"output", o.name, "failed_seconds", failed.Seconds())
			}
		}
		select {
		case <-quit:
			return
		case <-tick.C:
		}
	}
}
