package main

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// registerStateMetrics registers the metrics of -state, the journal of the
// hooks taken and the checkpoints of the tracker, with reg, serve's own
// registry (newPromMetrics calls it once, when the hookServer is made,
// before openState: what it registers reads h.state when scraped). A
// metric more of -state is a Desc and a line of Collect here; an output
// more (for wcsfsm_output_failing and the log) is a line of outputs.
func (h *hookServer) registerStateMetrics(reg prometheus.Registerer) {
	reg.MustRegister(stateCollector{h})
}

// stateCollector reads -state's figures once per scrape (serveState.metrics);
// without -state it has none to give.
type stateCollector struct{ h *hookServer }

var (
	descJournalBytes = prometheus.NewDesc("wcsfsm_journal_bytes",
		"Bytes of the journal files in the -state directory.", nil, nil)
	descJournalFiles = prometheus.NewDesc("wcsfsm_journal_files",
		"Journal files in the -state directory.", nil, nil)
	descJournalWriteErrors = prometheus.NewDesc("wcsfsm_journal_write_errors_total",
		"Writes and syncs of the journal that failed (each is tried again).", nil, nil)
	descJournalDropped = prometheus.NewDesc("wcsfsm_journal_dropped_total",
		"Journal lines dropped: the queue of those waiting was full (the next checkpoint covers them).", nil, nil)
	descJournalQueued = prometheus.NewDesc("wcsfsm_journal_queued",
		"Journal lines waiting to be written.", nil, nil)
	descCheckpoints = prometheus.NewDesc("wcsfsm_checkpoints_total",
		"Checkpoints written since the start.", nil, nil)
	descCheckpointErrors = prometheus.NewDesc("wcsfsm_checkpoint_errors_total",
		"Checkpoints that failed (tried again at the next interval).", nil, nil)
	descCheckpointAge = prometheus.NewDesc("wcsfsm_checkpoint_age_seconds",
		"Seconds since the last checkpoint was written or restored (-1: none yet).", nil, nil)
	descCheckpointBytes = prometheus.NewDesc("wcsfsm_checkpoint_bytes",
		"Size of the last checkpoint written.", nil, nil)
)

func (stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descJournalBytes, descJournalFiles, descJournalWriteErrors, descJournalDropped,
		descJournalQueued, descCheckpoints, descCheckpointErrors, descCheckpointAge, descCheckpointBytes} {
		ch <- d
	}
}

func (c stateCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.h.state
	if st == nil {
		return
	}
	m := st.metrics()
	metric := func(d *prometheus.Desc, t prometheus.ValueType, v float64) {
		ch <- prometheus.MustNewConstMetric(d, t, v)
	}
	metric(descJournalBytes, prometheus.GaugeValue, float64(m.JournalBytes))
	metric(descJournalFiles, prometheus.GaugeValue, float64(m.JournalFiles))
	metric(descJournalWriteErrors, prometheus.CounterValue, float64(m.JournalWriteErrors))
	metric(descJournalDropped, prometheus.CounterValue, float64(m.JournalDropped))
	metric(descJournalQueued, prometheus.GaugeValue, float64(m.JournalQueued))
	metric(descCheckpoints, prometheus.CounterValue, float64(m.Checkpoints))
	metric(descCheckpointErrors, prometheus.CounterValue, float64(m.CheckpointErrors))
	metric(descCheckpointAge, prometheus.GaugeValue, m.CheckpointAge)
	metric(descCheckpointBytes, prometheus.GaugeValue, float64(m.CheckpointBytes))
}

// stateOutputs are -state's outputs, for outputs: the journal, and the
// checkpoints (failing from a checkpoint that failed to the next that
// succeeds); none without -state.
func (h *hookServer) stateOutputs() []output {
	st := h.state
	if st == nil {
		return nil
	}
	return []output{
		{"journal", st.journal.out.failing},
		{"checkpoint", func() error {
			if why := st.failing.Load(); why != nil {
				return errors.New(*why)
			}
			return nil
		}},
	}
}
