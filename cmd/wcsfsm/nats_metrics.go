package main

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/wcsfsm/wcsfsm/tracker"
)

// consumeMetrics are consume's /metrics.
type consumeMetrics struct {
	handler            http.Handler
	checkpointSeconds  prometheus.Histogram
	checkpointFailures prometheus.Counter
	delay              prometheus.Histogram
	findings           *prometheus.CounterVec
}

// delayBuckets bound wcsfsm_consume_delay_seconds: a millisecond to ten
// minutes.
var delayBuckets = []float64{1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3, 250e-3, 500e-3, 1, 2.5, 5, 10, 30, 60, 300, 600}

func newConsumeMetrics(c *consumer) *consumeMetrics {
	m := &consumeMetrics{
		checkpointSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "wcsfsm_consume_checkpoint_duration_seconds",
			Help:    "Time to write a partition's checkpoint: the findings flushed, the tracker's snapshot stored in the key-value bucket (or the object store).",
			Buckets: hookBuckets,
		}),
		checkpointFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "wcsfsm_consume_checkpoint_failures_total",
			Help: "Checkpoints that could not be stored (tried again at the next).",
		}),
		delay: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "wcsfsm_consume_delay_seconds",
			Help:    "Time from a hook stored in the stream to judged: the end-to-end lag.",
			Buckets: delayBuckets,
		}),
		findings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wcsfsm_consume_findings_total",
			Help: "Findings written, by kind (repeats after a restart included).",
		}, []string{"kind"}),
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.checkpointSeconds, m.checkpointFailures, m.delay, m.findings,
		consumeCollector{c},
	)
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	return m
}

func (m *consumeMetrics) countFindings(fs []tracker.Finding) {
	for i := range fs {
		m.findings.WithLabelValues(fs[i].Kind.String()).Inc()
	}
}

var (
	descOwned = prometheus.NewDesc("wcsfsm_consume_partitions_owned",
		"Partitions this consumer judges now (restored, and judging).", nil, nil)
	descFailed = prometheus.NewDesc("wcsfsm_consume_partitions_failed",
		"Partitions whose last start failed (a checkpoint that cannot be read): owned by nobody until one succeeds.", nil, nil)
	descPartitions = prometheus.NewDesc("wcsfsm_consume_partitions",
		"Partitions of the stream (its P): the consumers of a group together own them all.", nil, nil)
	descConsumed = prometheus.NewDesc("wcsfsm_consume_hooks_total",
		"Hooks judged by this consumer, by partition (since it took the partition).", []string{"partition"}, nil)
	descLag = prometheus.NewDesc("wcsfsm_consume_lag_hooks",
		"Hooks of the partition in the stream after the last one judged, when it was judged.", []string{"partition"}, nil)
	descSeq = prometheus.NewDesc("wcsfsm_consume_sequence",
		"The stream sequence of the last hook judged, by partition.", []string{"partition"}, nil)
	descCkAge = prometheus.NewDesc("wcsfsm_consume_checkpoint_age_seconds",
		"Time since the partition's last checkpoint (read at the start, or written).", []string{"partition"}, nil)
	descCkBytes = prometheus.NewDesc("wcsfsm_consume_checkpoint_bytes",
		"Size of the partition's last checkpoint.", []string{"partition"}, nil)
	descCkSeq = prometheus.NewDesc("wcsfsm_consume_checkpoint_sequence",
		"The stream sequence the partition's last checkpoint covers.", []string{"partition"}, nil)
)

type consumeCollector struct{ c *consumer }

func (consumeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descOwned, descFailed, descPartitions, descConsumed, descLag, descSeq, descCkAge, descCkBytes, descCkSeq} {
		ch <- d
	}
}

func (cc consumeCollector) Collect(ch chan<- prometheus.Metric) {
	cc.c.mu.Lock()
	parts := make([]*partition, 0, len(cc.c.parts))
	running := 0
	for _, pt := range cc.c.parts {
		parts = append(parts, pt)
		if pt.running.Load() {
			running++
		}
	}
	failed := len(cc.c.failed)
	cc.c.mu.Unlock()
	ch <- prometheus.MustNewConstMetric(descOwned, prometheus.GaugeValue, float64(running))
	ch <- prometheus.MustNewConstMetric(descFailed, prometheus.GaugeValue, float64(failed))
	ch <- prometheus.MustNewConstMetric(descPartitions, prometheus.GaugeValue, float64(cc.c.layout.Partitions))
	now := time.Now()
	for _, pt := range parts {
		l := strconv.Itoa(pt.p)
		ch <- prometheus.MustNewConstMetric(descConsumed, prometheus.CounterValue, float64(pt.taken.Load()), l)
		ch <- prometheus.MustNewConstMetric(descLag, prometheus.GaugeValue, float64(pt.pending.Load()), l)
		ch <- prometheus.MustNewConstMetric(descSeq, prometheus.GaugeValue, float64(pt.seq.Load()), l)
		if at := pt.ckAt.Load(); at != 0 {
			ch <- prometheus.MustNewConstMetric(descCkAge, prometheus.GaugeValue, now.Sub(time.Unix(0, at)).Seconds(), l)
			ch <- prometheus.MustNewConstMetric(descCkBytes, prometheus.GaugeValue, float64(pt.ckBytes.Load()), l)
			ch <- prometheus.MustNewConstMetric(descCkSeq, prometheus.GaugeValue, float64(pt.ckSeq.Load()), l)
		}
	}
}
