package main

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/wcsfsm/wcsfsm/report"
	"github.com/wcsfsm/wcsfsm/tracker"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// newServeRecorder is serve's recorder of the sessions, for GET /report:
// bounded as wcsfsm report's page is by default.
func newServeRecorder(cfg serveConfig) *report.Recorder {
	return report.NewRecorder(report.Options{Tail: cfg.Tail})
}

// record shows one hook posted to path and its findings to the recorder
// (ev nil: a body that is no event), in the tracker's order: it is called
// under h.mu, where the tracker judged it. The findings name the path; so
// does the event for the recorder, which ties them together by file and
// line.
func (h *hookServer) record(path string, ev *wcs.Event, fs []tracker.Finding) {
	if h.report == nil {
		return
	}
	if ev == nil {
		h.report.Hook(nil, fs)
		return
	}
	e := *ev
	e.File = path
	h.report.Hook(&e, fs)
}

// serveReport answers GET /report: the page of what serve has seen so far
// (its log is open: nothing dangles yet), bounded as wcsfsm report's.
func (h *hookServer) serveReport(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	n := h.n
	h.mu.Unlock()
	p := h.report.Page(report.Input{
		Title:    "wcsfsm serve: the " + strconv.Itoa(n) + " hooks taken so far",
		Files:    []string{"hooks posted to wcsfsm serve"},
		Lines:    int64(n),
		Stats:    h.tracker.Stats(),
		Coverage: h.tracker.Coverage(),
		Open:     true,
	})
	var buf bytes.Buffer
	if err := p.WriteHTML(&buf); err != nil {
		h.answer(w, http.StatusInternalServerError, "text/plain; charset=utf-8", []byte(err.Error()+"\n"))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	h.answer(w, http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
}
