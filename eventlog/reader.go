package eventlog

import (
	"errors"
	"io"
	"strconv"
	"sync/atomic"

	"github.com/wcsfsm/wcsfsm/hookbody"
	"github.com/wcsfsm/wcsfsm/tracker"
	"github.com/wcsfsm/wcsfsm/wcs"
	"github.com/wcsfsm/wcsfsm/wcslog"
)

// DefaultMaxLine is the longest line a Validator reads, in bytes, unless
// told otherwise: 1 MiB.
const DefaultMaxLine = 1 << 20

// MaxMaxLine is the largest MaxLine a Validator takes (1 GiB); a larger
// one is taken as this.
const MaxMaxLine = 1 << 30

// Validator reads logs as one stream of events and reports every finding,
// in order, to Report. It reads each input once, in blocks of whole lines
// (about 256 KiB, and a line of up to MaxLine bytes), and holds no more
// than a block or two of it at a time; a longer line is read past, not
// held.
//
// The zero value reads JSON Lines with a default Tracker and drops the
// findings; set the fields before the first Read.
type Validator struct {
	Tracker *tracker.Tracker      // the engine; nil: a default one, made on first use
	MaxLine int                   // longest line in bytes; 0: DefaultMaxLine
	Report  func(tracker.Finding) // where findings go; nil: nowhere
	// Jobs is the number of trackers that validate JSON Lines in parallel,
	// sharded by session (see parallel.go): the findings, their order and
	// the statistics are those of one tracker, unless the entities of one
	// media session or call come with different sessionIds (the shard
	// follows the session) or MaxMarks is reached (below). 0 or 1: one
	// tracker, in the calling goroutine. It takes effect at the first
	// read, and only when Tracker has taken nothing yet; the other
	// trackers get Tracker's Options. Report is then called from another
	// goroutine, one call at a time, before the read returns.
	//
	// The bounds of Options are totals over the shards, never per shard,
	// so what they bound does not grow with Jobs. MaxEntities bounds the entities
	// all of them hold, exactly: an event meets the limit where it would
	// in one tracker, the same entity-limit findings on the same lines
	// (near the cap the shards take each block's events in the log's
	// order, one goroutine at a time; budget.go). MaxMarks is shared out:
	// each shard keeps ⌈MaxMarks/Jobs⌉ marks (Tracker.ShareMarks) and
	// forgets its own oldest, where one tracker forgets the oldest of all.
	// So the verdicts can differ from one tracker's only for an event that
	// needs a mark one of them has forgotten and the other not: one made
	// before at least ⌈MaxMarks/Jobs⌉ later marks (about MaxMarks, with
	// the sessions spread evenly over the shards), that is of a session
	// or entity forgotten about as long ago as the oldest marks kept; and
	// then for what that verdict changes after it (the session's later
	// events, the count of marks and entities).
	Jobs int
	// Observe, if set, is called with every event a tracker takes and its
	// findings (nil for none), in the order taken, before the findings go
	// to Report; ev and what it points to are valid during the call only.
	// A line that is no event (malformed, too long) is not observed: its
	// finding goes to Report alone. Setting Observe makes the Validator
	// read with one tracker, in the calling goroutine (Jobs is ignored):
	// it is for a caller that follows the events themselves, as wcsfsm
	// report does.
	Observe func(ev *wcs.Event, fs []tracker.Finding)

	Lines atomic.Int64 // lines read so far, blank ones included
	Bytes atomic.Int64 // bytes read so far (safe to read while reading goes on)

	dec     hookbody.Decoder
	ev      wcs.Event
	carry   []byte        // the reader's start of a line, from one block to the next
	seq     *block        // Jobs <= 1: the one block, judged as it is read
	wcs     wcslog.Reader // ReadWCSLog
	par     *shards       // Jobs > 1: the shards (parallel.go)
	pos     uint64        // the position of the next line or event in the input, when sharded
	head    head          // the start of the input being read, to say what it holds when it holds no hook
	entries int64         // server logs: SEND REST OBJECT entries read, whole or not
	// JSON Lines: the objects decoded in the input being read, and the
	// malformed findings held back while there is none: an input that
	// holds no hook at all is one error (ErrNoHook), not a finding a line.
	objects atomic.Int64
	holding bool
	held    []tracker.Finding
	// The malformed and line-too-long findings of the input being read.
	malformed, tooLong int64
	dropped            int64 // malformed findings of inputs without a hook, not reported (Stats leaves them out)
}

// maxHeld bounds the findings held back at the start of an input.
const maxHeld = 1 << 12

func (v *Validator) setup() {
	if v.Tracker == nil {
		v.Tracker = tracker.New(tracker.Options{})
	}
	if v.MaxLine <= 0 {
		v.MaxLine = DefaultMaxLine
	}
	v.MaxLine = min(v.MaxLine, MaxMaxLine)
	if v.Report == nil {
		v.Report = func(tracker.Finding) {}
	}
}

func (v *Validator) emit(fs []tracker.Finding) {
	for _, f := range fs {
		v.report(f)
	}
}

// report reports a finding, or holds it back: a malformed line before the
// input has shown one JSON object, until it shows one (the findings go out
// then, in order) or ends without (they are one NoHookError). Past maxHeld
// of them they go out as they come, and an input that ends without a
// single object is still a NoHookError.
func (v *Validator) report(f tracker.Finding) {
	switch f.Kind {
	case tracker.KindMalformed:
		v.malformed++
	case tracker.KindLineTooLong:
		v.tooLong++
	}
	if v.holding {
		if f.Kind == tracker.KindMalformed && v.objects.Load() == 0 && len(v.held) < maxHeld {
			v.held = append(v.held, f)
			return
		}
		v.release()
	}
	v.Report(f)
}

// release reports the findings held back, and holds no more.
func (v *Validator) release() {
	v.holding = false
	for i, f := range v.held {
		v.Report(f)
		v.held[i] = tracker.Finding{}
	}
	v.held = v.held[:0]
}

// ReadJSONL reads a log in the JSON Lines format of log-format.md from r;
// name is how findings name it ("-" for standard input). Several calls
// continue one log. Bad lines are findings and reading goes on; the error
// is for a failing reader, or a *NoHookError for an input that holds lines
// but not one JSON object (after its findings are reported).
func (v *Validator) ReadJSONL(name string, r io.Reader) error {
	v.setup()
	if v.Observe == nil {
		v.startParallel()
	}
	r = v.head.start(r)
	v.objects.Store(0)
	v.holding, v.malformed, v.tooLong = true, 0, 0
	var err error
	if v.par != nil {
		err = v.readParallel(name, r)
	} else {
		err = v.readSequential(name, r)
	}
	if err == nil && v.objects.Load() == 0 && v.malformed > 0 && v.tooLong == 0 {
		// Not one JSON object, and nothing but malformed lines: the
		// input is not JSON Lines; its lines are one error (those still
		// held back are not reported one by one).
		v.dropped += int64(len(v.held))
		clear(v.held)
		v.held, v.holding = v.held[:0], false
		return v.head.noHook(name, FormatJSONL)
	}
	v.release()
	return err
}

// readSequential is ReadJSONL in the calling goroutine: the same reader of
// blocks of whole lines as the pipeline's (parallel.go), each block judged
// as soon as it is read.
func (v *Validator) readSequential(name string, r io.Reader) error {
	if v.seq == nil {
		v.seq = &block{}
	}
	b := v.seq
	next := func(first int) *block {
		b.file, b.pos, b.first, b.preset = name, 0, first, false
		b.buf, b.recs = b.buf[:0], b.recs[:0]
		return b
	}
	send := func(int) {
		if !b.preset {
			b.split(v.MaxLine)
		}
		for _, rec := range b.recs {
			if rec.tooLong != "" {
				v.emit([]tracker.Finding{v.Tracker.Reject(name, rec.line, tracker.KindLineTooLong, rec.tooLong)})
				continue
			}
			v.JSONLine(name, rec.line, b.buf[rec.off:rec.off+rec.n])
		}
	}
	return v.blocks(r, true, next, send)
}

// JSONLine judges one line of JSON Lines (without its newline): blank lines
// are skipped, a line that is not an event gets a finding.
func (v *Validator) JSONLine(name string, lineNo int, line []byte) {
	v.setup()
	if blank(line) {
		return
	}
	h := Hook{File: name, Line: lineNo, Body: line}
	if err := h.Decode(&v.dec, &v.ev); err != nil {
		v.report(v.Tracker.Reject(h.File, h.Line, tracker.KindMalformed, err.Error()))
		return
	}
	v.objects.Add(1)
	v.emit((*observedTaker)(v).Take(&v.ev))
}

// Take judges one event that no reader of v read: a hook a caller decoded
// itself (a message of a stream, as validate -nats judges it), its File
// and Line saying where it came from. Its findings go to Report, as a
// line's do.
func (v *Validator) Take(ev *wcs.Event) {
	v.setup()
	v.objects.Add(1)
	v.emit((*observedTaker)(v).Take(ev))
}

// Reject reports the finding of an input the caller could not judge at
// all (a body that is no JSON object, one over a limit), counted in the
// statistics as the readers' are.
func (v *Validator) Reject(file string, line int, k tracker.Kind, msg string) {
	v.setup()
	v.report(v.Tracker.Reject(file, line, k, msg))
}

// observedTaker takes an event as the Validator does (shardTaker) and
// shows it, with its findings, to Observe.
type observedTaker Validator

func (o *observedTaker) Take(ev *wcs.Event) []tracker.Finding {
	v := (*Validator)(o)
	fs := (*shardTaker)(v).Take(ev)
	if v.Observe != nil {
		v.Observe(ev, fs)
	}
	return fs
}

// End reports the entities left open (dangling warnings), one at a time
// as they are made (tracker.EndFunc): Report must not call v meanwhile.
func (v *Validator) End() {
	v.setup()
	if v.par != nil {
		v.endParallel()
		return
	}
	tracker.EndFunc(v.Report, v.Tracker)
}

// readBuf is the room the reader keeps for a read in its block; it also
// sets the wording of the line-too-long message, as the command has
// always written it: a line of readBuf bytes or more before its newline,
// over the limit with its line ending, is "a line of over N bytes" (its
// length is not counted), a shorter one "a line of n bytes".
const readBuf = 64 << 10

// longLine returns the line-too-long message for a line of L bytes before
// its newline, S bytes with it (L at the end of the input), n without its
// line ending; "" when the line is within maxLine.
func longLine(L, S, n, maxLine int) string {
	tooLong := L >= readBuf && S > maxLine+2
	if !tooLong && n <= maxLine {
		return ""
	}
	return tooLongMessage(tooLong, n, maxLine)
}

func tooLongMessage(tooLong bool, n, maxLine int) string {
	size := "line of " + strconv.Itoa(n) + " bytes"
	if tooLong {
		size = "line of over " + strconv.Itoa(maxLine) + " bytes"
	}
	return size + " is longer than the limit of " + strconv.Itoa(maxLine) + " bytes; skipped"
}

// ReadWCSLog reads a WCS server log (flashphoner.log) from r, as one more
// part of the log: each "SEND REST OBJECT ==>" entry is a hook, named by
// the last segment of its URL (which wins over an "event" field of the
// object), with the fields of its object; name is how findings name the
// file, and they point at the line where the entry starts. An entry longer
// than MaxLine is a line-too-long finding (but for a hook that is not
// checked, hooks.md section 4), one that cannot be read a malformed one,
// and reading goes on. The error is for a failing reader, or a
// *NoHookError for an input that holds lines but not one SEND REST OBJECT
// entry.
func (v *Validator) ReadWCSLog(name string, r io.Reader) error {
	v.setup()
	entries, lines := v.entries, v.Lines.Load()
	if err := v.readWCSLog(name, v.head.start(r)); err != nil {
		return err
	}
	if v.entries == entries && v.Lines.Load() > lines {
		return v.head.noHook(name, FormatWCSLog)
	}
	return nil
}

func (v *Validator) readWCSLog(name string, r io.Reader) error {
	v.wcs.MaxEntry, v.wcs.Lines, v.wcs.Bytes = v.MaxLine, &v.Lines, &v.Bytes
	v.wcs.Hook = func(h *wcslog.Hook) { v.wcsHook(name, h) }
	v.wcs.Bad = func(err *wcslog.EntryError) {
		v.entries++
		k := tracker.KindMalformed
		if errors.Is(err, wcslog.ErrTooLong) {
			k = tracker.KindLineTooLong
		}
		v.emit([]tracker.Finding{v.Tracker.Reject(name, err.Line, k, err.Msg)})
	}
	return v.wcs.Read(r)
}

// wcsHook judges one hook read from a server log.
func (v *Validator) wcsHook(name string, wh *wcslog.Hook) {
	v.entries++
	h := Hook{File: name, Line: wh.Line, Name: wh.URL, Body: wh.Object, Explain: wh.Malformed}
	if m, ok := wh.Method(); ok {
		h.Name = m.Name // the URL is not looked up a second time
		if m.Kind == wcs.MethodKindOther && wh.Object == nil {
			h.Body = []byte("{}") // too long to keep, and not checked: counted
		}
	} else {
		// A hook WCS does not post: the URL names it, whatever its object
		// says (an unknown-event finding), by its last segment, or whole
		// where it has none.
		seg := wcs.LastSegment(wh.URL)
		if seg == "" {
			seg = wh.URL
		}
		h.Name = ""
		if err := h.Decode(&v.dec, &v.ev); err != nil {
			v.emit([]tracker.Finding{v.Tracker.Reject(name, wh.Line, tracker.KindMalformed, err.Error())})
			return
		}
		v.ev.Event, v.ev.Types[wcs.FieldEvent] = seg, wcs.JSONTypeString
		v.emit((*observedTaker)(v).Take(&v.ev))
		return
	}
	v.emit(judge(&v.dec, &v.ev, &h, v.Tracker, (*observedTaker)(v)))
}
