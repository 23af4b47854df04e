package eventlog

import (
	"github.com/wcsfsm/wcsfsm/hookbody"
	"github.com/wcsfsm/wcsfsm/tracker"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// A Hook is one hook to judge: its body as WCS posted it, and where it was
// read. JSON Lines, server logs and serve all turn what they read into
// Hooks, and judge them the same way.
type Hook struct {
	File string // where it was read: a file name, "-", a request path
	Line int    // its line (or request number), from 1
	// Name names the hook: a hook's name (hooks.md), or a URL or request
	// path whose last segment is one, which wins over the body's own
	// "event" field; "" (or a name of no hook) leaves the body's "event"
	// to name it.
	Name string
	Body []byte
	// Explain, if set, gives the message of the malformed finding for a
	// body that is not a JSON object, from the decoder's error; nil: the
	// error's own text.
	Explain func(error) string
}

// Decode fills ev from the hook, with d: the fields of its body, where it
// was read, and the hook its Name names. The error, for a body that is
// not a JSON object, carries the malformed finding's message (Error) and
// the decoder's error (Unwrap). ev's strings point into Body.
func (h *Hook) Decode(d *hookbody.Decoder, ev *wcs.Event) error {
	ev.File, ev.Line = h.File, h.Line
	if err := d.Decode(h.Body, ev); err != nil {
		if h.Explain != nil {
			return &explained{h.Explain(err), err}
		}
		return err
	}
	if h.Name != "" {
		if m, ok := wcs.LookupMethod(h.Name); ok {
			ev.Event = m.Name
			ev.Types[wcs.FieldEvent] = wcs.JSONTypeString
		}
	}
	return nil
}

type explained struct {
	msg string
	err error
}

func (e *explained) Error() string { return e.msg }
func (e *explained) Unwrap() error { return e.err }

// A Judge judges hooks one at a time with a tracker: Decode, then the
// tracker's Take, or one malformed finding for a body that is not a JSON
// object. The zero value judges with a default tracker, made on first
// use. A Judge is not safe for concurrent use (its tracker is: keep a
// Judge per goroutine, sharing one Tracker).
type Judge struct {
	Tracker *tracker.Tracker // nil: a default one, made on first use

	dec hookbody.Decoder
	ev  wcs.Event
}

// Judge judges one hook and returns its findings, in order (nil when it
// is legal).
func (j *Judge) Judge(h Hook) []tracker.Finding {
	if j.Tracker == nil {
		j.Tracker = tracker.New(tracker.Options{})
	}
	return judge(&j.dec, &j.ev, &h, j.Tracker, j.Tracker)
}

// taker takes a decoded event: a Tracker, or a sharded Validator, which
// hands the event to the tracker of its shard.
type taker interface {
	Take(ev *wcs.Event) []tracker.Finding
}

// judge is how every reader turns a hook into findings: Decode with d into
// ev, then the findings of t; or, for a body that is not a JSON object, one
// malformed finding, counted by reject.
func judge(d *hookbody.Decoder, ev *wcs.Event, h *Hook, reject *tracker.Tracker, t taker) []tracker.Finding {
	if err := h.Decode(d, ev); err != nil {
		return []tracker.Finding{reject.Reject(h.File, h.Line, tracker.KindMalformed, err.Error())}
	}
	return t.Take(ev)
}
