package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/wcsfsm/wcsfsm/hookbody"
	"github.com/wcsfsm/wcsfsm/report"
	"github.com/wcsfsm/wcsfsm/tracker"
	"github.com/wcsfsm/wcsfsm/wcs"
)

func init() {
	commands["serve"] = command{"receive WCS REST hooks over HTTP and validate them live", runServe}
}

// Defaults of serve's bounds.
const (
	defaultMaxBody     = 1 << 20 // bytes of one request body
	defaultMaxInflight = 256     // requests handled at once; more wait for a slot
)

// serveConfig is what serve's flags set.
type serveConfig struct {
	Partial     bool          // -partial
	Tail        bool          // -tail
	MaxBody     int64         // -max-body
	MaxInflight int           // -max-inflight
	MaxEntities int           // -max-entities
	MaxID       int           // -max-id
	BodyTimeout time.Duration // -body-timeout: how long a body may take to arrive
	MaxQueue    int           // bytes of findings that wait while the output fails (0: defaultMaxQueue)
	WriteWait   time.Duration // how long a hook's answer waits for its findings (and journal line) to be written (0: defaultWriteWait)

	State              string        // -state: the directory of the journal and the checkpoints; "" for none
	Sync               bool          // -sync: a hook is answered once its journal line is synced, not only written
	JournalSize        int64         // -journal-size: bytes of a journal file before the next begins
	CheckpointEvery    int           // -checkpoint-every: requests between checkpoints
	CheckpointInterval time.Duration // -checkpoint-interval: time between checkpoints
	JournalQueue       int           // bytes of journal lines that wait while the disk fails (0: defaultMaxQueue)

	Logf func(format string, args ...any) // what serve tells its operator (nil: nothing)
}

// Defaults of serve's waits.
const (
	defaultBodyTimeout = 10 * time.Second
	bodiesPerSlot      = 8 // bodies read at once per slot: room for slow clients, and a bound on the memory of bodies
	defaultWriteWait   = time.Second
	closeWait          = 10 * time.Second // on shutdown, how long a failing output is tried again
)

func runServe(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("wcsfsm serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8081", "listen on this `address`")
	findings := fs.String("findings", "", "append findings (JSON lines) to this `file`; default standard output")
	var cfg serveConfig
	fs.BoolVar(&cfg.Partial, "partial", false, "the hooks carry only some families: check a rule across families only where its other side appeared")
	fs.BoolVar(&cfg.Tail, "tail", false, "started while sessions were up: take each entity's first status as it comes (implies -partial)")
	fs.Int64Var(&cfg.MaxBody, "max-body", defaultMaxBody, "largest request body in `bytes`; larger ones are answered 413")
	fs.IntVar(&cfg.MaxInflight, "max-inflight", defaultMaxInflight, "requests handled at once; more wait for a slot")
	fs.IntVar(&cfg.MaxEntities, "max-entities", tracker.DefaultMaxEntities, "most entities tracked at once")
	fs.IntVar(&cfg.MaxID, "max-id", tracker.DefaultMaxID, "longest id in `bytes` (a key, a sessionId, a nodeId); a hook with a longer one is a finding, not tracked")
	fs.DurationVar(&cfg.BodyTimeout, "body-timeout", defaultBodyTimeout, "how long a request body may take to arrive; a slower one is answered 400")
	fs.StringVar(&cfg.State, "state", "", "keep a journal of the hooks taken and checkpoints in this `directory`, and go on from them at a start")
	fs.BoolVar(&cfg.Sync, "sync", false, "with -state: answer a hook once its journal line is synced to disk (default: synced every 100ms)")
	fs.Int64Var(&cfg.JournalSize, "journal-size", defaultJournalSize, "with -state: `bytes` of a journal file before the next begins (the full one is compressed)")
	fs.IntVar(&cfg.CheckpointEvery, "checkpoint-every", defaultCheckpointEvery, "with -state: take a checkpoint every `N` requests")
	fs.DurationVar(&cfg.CheckpointInterval, "checkpoint-interval", defaultCheckpointInterval, "with -state: take a checkpoint this often")
	fs.IntVar(&cfg.JournalQueue, "journal-queue", defaultMaxQueue, "with -state: `bytes` of journal lines that wait while the disk fails; past them lines are dropped until a checkpoint covers them")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: wcsfsm serve [-addr 127.0.0.1:8081] [-partial] [-tail] [-findings FILE] [-state DIR] [-max-body BYTES] [-max-inflight N]")
		fmt.Fprintln(stderr, "\nA REST-hook receiver: answers every POST 200 with its body, validates each hook (named by")
		fmt.Fprintln(stderr, "the last segment of the request path: /apps/EchoApp/publishStream), and writes each")
		fmt.Fprintln(stderr, "finding as a JSON line. GET /healthz, GET /metrics (Prometheus).")
		fmt.Fprintln(stderr, "A well-formed hook is answered 200 whatever happens to the findings output: while")
		fmt.Fprintln(stderr, "writes fail (a full disk) findings wait in a bounded queue and /healthz answers 503.")
		fmt.Fprintln(stderr, "SIGINT or SIGTERM: finish the requests taken, write every finding, exit 0.")
		fmt.Fprintln(stderr, "With -state DIR: a journal of the hooks and checkpoints there; a start, after SIGTERM or a")
		fmt.Fprintln(stderr, "crash, goes on where it was (with -findings FILE, no finding lost or written twice).")
		fs.PrintDefaults()
	}
	rest, err := parseArgs(fs, args)
	if err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "wcsfsm serve: unexpected argument %q\n", rest[0])
		return 2
	}
	if cfg.MaxBody <= 0 || cfg.MaxInflight <= 0 || cfg.MaxEntities <= 0 || cfg.BodyTimeout <= 0 || cfg.MaxID <= 0 ||
		cfg.JournalSize <= 0 || cfg.CheckpointEvery <= 0 || cfg.CheckpointInterval <= 0 || cfg.JournalQueue <= 0 {
		fmt.Fprintln(stderr, "wcsfsm serve: -max-body, -max-inflight, -max-entities, -max-id, -body-timeout, -journal-size, -journal-queue, -checkpoint-every and -checkpoint-interval must be positive")
		return 2
	}
	if cfg.MaxEntities > tracker.MaxMaxEntities {
		fmt.Fprintf(stderr, "wcsfsm serve: -max-entities takes at most %d\n", tracker.MaxMaxEntities)
		return 2
	}
	out := stdout
	if *findings != "" && *findings != "-" {
		// Read and write: with -state, a start reads the findings it
		// wrote last, not to write them twice.
		f, err := os.OpenFile(*findings, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(stderr, "wcsfsm serve: %v\n", err)
			return 2
		}
		defer f.Close()
		out = f
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "wcsfsm serve: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg.Logf = func(format string, args ...any) { fmt.Fprintf(stderr, "wcsfsm serve: "+format+"\n", args...) }
	st, err := serve(ctx, ln, cfg, out)
	if err != nil {
		fmt.Fprintf(stderr, "wcsfsm serve: %v\n", err)
		return 2
	}
	fmt.Fprintf(stderr, "wcsfsm serve: stopped; %s, %s, %s\n", plural(st.Events, "event"),
		plural(st.Errors(), "error"), plural(st.Warnings(), "warning"))
	return 0
}

// serve answers HTTP on ln until ctx is done, then stops taking requests,
// finishes every request it took, writes their findings to out, and returns
// the tracker's statistics. The error is for a listener that fails or
// findings that cannot be written.
func serve(ctx context.Context, ln net.Listener, cfg serveConfig, out io.Writer) (tracker.Stats, error) {
	h := newHookServer(cfg, out)
	logf := h.logf
	if cfg.State != "" {
		said, err := h.openState(out)
		if err != nil {
			ln.Close()
			h.out.close(closeWait)
			return h.tracker.Stats(), err
		}
		logf("state %s", said)
	}
	logf("listening on http://%s", ln.Addr())
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute, // a request that never ends cannot hold up a shutdown
		WriteTimeout:      time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	var err error
	select {
	case err = <-served:
		// The listener failed: stop what is in flight all the same.
		srv.Shutdown(context.Background())
	case <-ctx.Done():
		// Shutdown closes the listener and waits for every request taken.
		err = srv.Shutdown(context.Background())
		<-served
	}
	if werr := h.close(); err == nil {
		err = werr
	}
	return h.tracker.Stats(), err
}

// hookServer is serve's handler: one tracker for every request, and the
// findings written in the order the tracker takes the events.
type hookServer struct {
	cfg      serveConfig
	tracker  *tracker.Tracker
	slots    chan struct{} // -max-inflight: hooks judged at once
	bodies   chan struct{} // bodies read at once (bodiesPerSlot × -max-inflight)
	decoders sync.Pool     // *hookbody.Decoder

	mu        sync.Mutex  // orders numbering, Take and queueing
	n         int         // requests numbered so far
	state     *serveState // -state: the journal and the checkpoints; nil without
	lines     sync.Pool   // *[]byte: journal lines being made
	skipLine  int         // at a start with -state: the findings of requests up to this one are written already
	skipCount int         // of those of request skipLine, this many
	out       *findingsOut
	buf       []byte
	codes     sync.Map // int (status code) -> *atomic.Int64
	inflight  atomic.Int64
	report    *report.Recorder // GET /report (serve_report.go)
}

func newHookServer(cfg serveConfig, out io.Writer) *hookServer {
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = defaultMaxBody
	}
	if cfg.MaxInflight <= 0 {
		cfg.MaxInflight = defaultMaxInflight
	}
	if cfg.BodyTimeout <= 0 {
		cfg.BodyTimeout = defaultBodyTimeout
	}
	if cfg.WriteWait <= 0 {
		cfg.WriteWait = defaultWriteWait
	}
	h := &hookServer{
		cfg:     cfg,
		tracker: tracker.New(tracker.Options{Partial: cfg.Partial, Tail: cfg.Tail, MaxEntities: cfg.MaxEntities, MaxID: cfg.MaxID}),
		slots:   make(chan struct{}, cfg.MaxInflight),
		bodies:  make(chan struct{}, bodiesPerSlot*cfg.MaxInflight),
		out:     newFindingsOut(out, cfg.MaxQueue),
		report:  newServeRecorder(cfg),
	}
	h.decoders.New = func() any { return new(hookbody.Decoder) }
	h.lines.New = func() any { return new([]byte) }
	return h
}

// count adds a request answered with code to the metrics.
func (h *hookServer) count(code int) {
	c, ok := h.codes.Load(code)
	if !ok {
		c, _ = h.codes.LoadOrStore(code, new(atomic.Int64))
	}
	c.(*atomic.Int64).Add(1)
}

func (h *hookServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost:
		h.hook(w, r)
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		w.Header().Set("Allow", "GET, HEAD, POST")
		h.answer(w, http.StatusMethodNotAllowed, "text/plain; charset=utf-8", []byte("method not allowed: POST a hook, GET /healthz or /metrics\n"))
	case r.URL.Path == "/healthz":
		if msg := h.unhealthy(); msg != "" {
			h.answer(w, http.StatusServiceUnavailable, "text/plain; charset=utf-8", []byte(msg))
			return
		}
		h.answer(w, http.StatusOK, "text/plain; charset=utf-8", []byte("ok\n"))
	case r.URL.Path == "/metrics":
		h.answer(w, http.StatusOK, "text/plain; version=0.0.4; charset=utf-8", h.metrics())
	case r.URL.Path == "/report":
		h.serveReport(w, r)
	default:
		h.answer(w, http.StatusNotFound, "text/plain; charset=utf-8", []byte("not found: POST a hook, GET /healthz or /metrics\n"))
	}
}

func (h *hookServer) answer(w http.ResponseWriter, code int, ctype string, body []byte) {
	h.count(code)
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	w.Write(body)
}

// hook takes one REST hook: it reads the body (at most -max-body bytes,
// within -body-timeout), then, in a slot (-max-inflight), decodes it, has
// the tracker judge it and queues its findings; it answers 200 with the
// body echoed once they are written, or after WriteWait at most: the
// answer never depends on the findings output.
func (h *hookServer) hook(w http.ResponseWriter, r *http.Request) {
	h.inflight.Add(1)
	defer h.inflight.Add(-1)
	rc := http.NewResponseController(w)
	// The answer must get out after the body's time, the slot's and the
	// findings' wait (the server's WriteTimeout runs from the headers).
	rc.SetWriteDeadline(time.Now().Add(h.cfg.BodyTimeout + h.cfg.WriteWait + time.Minute))
	// The body first, without a slot: a slow client holds up no hook.
	// Bodies read at once are bounded all the same, for memory.
	body, status, err := h.readBody(w, r, rc)
	switch {
	case status == http.StatusRequestEntityTooLarge:
		var line []byte
		if h.state != nil {
			line = journalTooLarge
		}
		fseq, jseq := h.take(r.URL.Path, line, h.tooLarge)
		h.wait(fseq, jseq)
		h.answer(w, status, "text/plain; charset=utf-8", []byte("request body too large\n"))
		return
	case err != nil:
		// Not the whole body (too slow, cut off), or the client went away
		// while waiting: nothing to judge; said and counted, never an
		// empty 200.
		h.answer(w, status, "text/plain; charset=utf-8", []byte(err.Error()+"\n"))
		return
	}
	fseq, jseq, ok := h.judge(r, body)
	if !ok {
		h.answer(w, http.StatusServiceUnavailable, "text/plain; charset=utf-8", []byte("the client went away while its hook waited for a slot\n"))
		return
	}
	h.wait(fseq, jseq)
	h.answer(w, http.StatusOK, "application/json", body)
}

// logf tells the operator (cfg.Logf).
func (h *hookServer) logf(format string, args ...any) {
	if h.cfg.Logf != nil {
		h.cfg.Logf(format, args...)
	}
}

// unhealthy says what fails, one line each: the findings output, the
// journal, the checkpoints; "" when nothing does. Hooks are answered all
// the same.
func (h *hookServer) unhealthy() string {
	var msg string
	if err := h.out.failing(); err != nil {
		msg += "findings cannot be written: " + err.Error() + "; hooks are still answered, their findings wait (" +
			strconv.Itoa(h.out.queuedLines()) + " queued)\n"
	}
	if st := h.state; st != nil {
		if err := st.journal.out.failing(); err != nil {
			msg += "the journal cannot be written: " + err.Error() + "; hooks are still answered, their lines wait (" +
				strconv.Itoa(st.journal.out.queuedLines()) + " queued) or, past the bound, are dropped until a checkpoint covers them\n"
		}
		if why := st.failing.Load(); why != nil {
			msg += "the last checkpoint failed: " + *why + "\n"
		}
	}
	return msg
}

// wait waits for a request's findings and journal line to be written,
// WriteWait at most in all.
func (h *hookServer) wait(fseq, jseq uint64) {
	start := time.Now()
	h.out.wait(fseq, h.cfg.WriteWait)
	if jseq != 0 {
		h.state.journal.out.wait(jseq, h.cfg.WriteWait-time.Since(start))
	}
}

// readBody reads the request body, at most -max-body bytes within
// -body-timeout, once one of the body slots is free; it returns the body,
// or the status to answer and why.
func (h *hookServer) readBody(w http.ResponseWriter, r *http.Request, rc *http.ResponseController) ([]byte, int, error) {
	select {
	case h.bodies <- struct{}{}:
	case <-r.Context().Done():
		return nil, http.StatusServiceUnavailable, errors.New("the client went away while its body waited to be read")
	}
	defer func() { <-h.bodies }()
	rc.SetReadDeadline(time.Now().Add(h.cfg.BodyTimeout))
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBody))
	rc.SetReadDeadline(time.Time{}) // the body is in: nothing more to read for it
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, http.StatusRequestEntityTooLarge, err
	case err != nil:
		return nil, http.StatusBadRequest, errors.New("request body could not be read: " + err.Error())
	}
	return body, 0, nil
}

// judge decodes a hook and has the tracker judge it in a slot, released
// whatever happens; it returns the numbers to wait for its findings and
// its journal line with, and false when the client went away while the
// hook waited for a slot.
func (h *hookServer) judge(r *http.Request, body []byte) (uint64, uint64, bool) {
	select {
	case h.slots <- struct{}{}:
	case <-r.Context().Done():
		return 0, 0, false
	}
	defer func() { <-h.slots }()
	dec := h.decoders.Get().(*hookbody.Decoder)
	defer h.decoders.Put(dec)
	var ev wcs.Event
	derr := dec.Decode(body, &ev)
	// WCS bodies carry no "event": the hook's path names the hook; a path
	// whose last segment names none names it still, when the body does not.
	named := false // the path names the hook: the journal line says so
	if derr == nil {
		own := ev.Types[wcs.FieldEvent] == wcs.JSONTypeString
		if m, ok := wcs.LookupMethod(r.URL.Path); ok {
			named = !own || ev.Event != m.Name
			ev.Event, ev.Types[wcs.FieldEvent] = m.Name, wcs.JSONTypeString
		} else if seg := wcs.LastSegment(r.URL.Path); ev.Types[wcs.FieldEvent] == wcs.JSONTypeAbsent && seg != "" {
			ev.Event, ev.Types[wcs.FieldEvent], named = seg, wcs.JSONTypeString, true
		}
	}
	var line []byte
	if h.state != nil {
		lb := h.lines.Get().(*[]byte)
		defer h.lines.Put(lb)
		*lb = appendJournalLine((*lb)[:0], body, ev.Event, named, derr)
		line = *lb
	}
	fseq, jseq := h.take(r.URL.Path, line, func(path string, n int) []tracker.Finding {
		return h.judgeEvent(path, n, &ev, derr)
	})
	return fseq, jseq, true
}

// judgeEvent has the tracker judge a decoded hook, request n posted to
// path, or makes the malformed finding of a body that is no JSON object.
func (h *hookServer) judgeEvent(path string, n int, ev *wcs.Event, derr error) []tracker.Finding {
	if derr != nil {
		fs := []tracker.Finding{h.tracker.Reject(path, n, tracker.KindMalformed, derr.Error())}
		h.record(path, nil, fs)
		return fs
	}
	// The tracker keeps the file of each entity's last event: the hook's
	// name, of which there are few, not the request path, of which a
	// client may send any number. The findings name the path.
	ev.File, ev.Line = hookFile(ev.Event), n
	fs := h.tracker.Take(ev)
	for i := range fs {
		fs[i].File = path
	}
	h.record(path, ev, fs)
	return fs
}

// tooLarge is the finding of request n, posted to path with a body over -max-body.
func (h *hookServer) tooLarge(path string, n int) []tracker.Finding {
	return []tracker.Finding{h.tracker.Reject(path, n, tracker.KindLineTooLong,
		"request body of over "+strconv.FormatInt(h.cfg.MaxBody, 10)+" bytes is longer than the limit of "+
			strconv.FormatInt(h.cfg.MaxBody, 10)+" bytes (-max-body); answered 413, not validated")}
}

// replay judges again request n of the journal (at a start, after the
// checkpoint): as it was judged when it was taken, but for the path,
// which the journal does not keep (its findings name the hook: /NAME).
func (h *hookServer) replay(n int, line []byte) {
	h.mu.Lock()
	h.n = n - 1
	h.mu.Unlock()
	dec := h.decoders.Get().(*hookbody.Decoder)
	defer h.decoders.Put(dec)
	var ev wcs.Event
	switch {
	case len(line) > 0 && line[0] == '"':
		// A body that was no JSON object: judged as it came.
		var body string
		if err := json.Unmarshal(line, &body); err == nil {
			derr := dec.Decode([]byte(body), &ev)
			if derr == nil {
				derr = errors.New("the journal holds a body that is no JSON object, but it is one now")
			}
			h.take("/", nil, func(path string, n int) []tracker.Finding { return h.judgeEvent(path, n, &ev, derr) })
			return
		}
	case string(line) == "null":
		h.take("/", nil, h.tooLarge)
		return
	}
	derr := dec.Decode(line, &ev)
	path := "/"
	if derr == nil {
		path = hookFile(ev.Event)
	}
	h.take(path, nil, func(path string, n int) []tracker.Finding { return h.judgeEvent(path, n, &ev, derr) })
}

// hookFile is what the tracker keeps as the file of an event posted to a
// path: "/" and the hook's name, or the path for a name of no hook (which
// starts no entity, so that nothing keeps it).
func hookFile(event string) string {
	if m, ok := wcs.LookupMethod(event); ok {
		return hookPaths[m.Index()]
	}
	return event
}

// hookPaths[i] is "/" and the name of wcs.Methods()[i].
var hookPaths = func() (out [wcs.NumMethods]string) {
	for _, m := range wcs.Methods() {
		out[m.Index()] = "/" + m.Name
	}
	return
}()

// take numbers the request, judges it with judge, queues its findings and
// its journal line (nil: none, the request is judged again from the
// journal), all under one lock: the numbers, the tracker's order, the
// order of the findings written and the journal's are the same. It
// returns the numbers to wait for the findings and the line with (0: none
// to wait for).
func (h *hookServer) take(path string, line []byte, judge func(path string, n int) []tracker.Finding) (fseq, jseq uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.n++
	fs := judge(path, h.n)
	if line != nil {
		jseq = h.state.journal.add(line)
		if j := h.state.journal; h.n-h.state.lastN >= h.state.every ||
			j.broken && j.out.queuedLines() == 0 && j.out.failing() == nil {
			// Time for one; or the journal takes lines again after some
			// were dropped: a checkpoint now covers them.
			select {
			case h.state.kick <- struct{}{}:
			default:
			}
		}
	}
	if h.n <= h.skipLine {
		// Judged again at a start, and written before the stop.
		if h.n < h.skipLine {
			return 0, jseq
		}
		fs = fs[min(h.skipCount, len(fs)):]
	}
	if len(fs) == 0 {
		return 0, jseq
	}
	h.buf = h.buf[:0]
	for _, f := range fs {
		h.buf = append(f.AppendJSON(h.buf), '\n')
	}
	return h.out.add(h.buf), jseq
}

// close writes the journal and the findings still queued (trying a
// failing output again for closeWait at most) and, with -state, a last
// checkpoint; the error says what could not be written.
func (h *hookServer) close() error {
	st := h.state
	if st == nil {
		return h.out.close(closeWait)
	}
	close(st.stop)
	<-st.done
	jerr := st.journal.close(closeWait)
	cerr := h.checkpoint(closeWait)
	err := h.out.close(closeWait)
	st.lock.Close()
	// The state is lost only when both fail: a last checkpoint covers what
	// the journal lacks, and without one a start judges the journal after
	// the checkpoint before again.
	switch {
	case jerr != nil && cerr != nil:
		if err == nil {
			err = fmt.Errorf("the journal: %v; and the last checkpoint: %w (a start goes on from the checkpoint before, without the requests the journal lacks)", jerr, cerr)
		}
	case jerr != nil:
		h.logf("the journal: %v (the last checkpoint covers those requests; validate on the journal lacks them)", jerr)
	case cerr != nil:
		h.logf("the last checkpoint: %v (a start judges the journal after the one before again)", cerr)
	}
	return err
}

// metrics writes the Prometheus text exposition format.
func (h *hookServer) metrics() []byte {
	st := h.tracker.Stats()
	var b []byte
	metric := func(name, typ, help string) {
		b = append(b, "# HELP "+name+" "+help+"\n# TYPE "+name+" "+typ+"\n"...)
	}
	sample := func(name, labels string, v int64) {
		b = append(b, name...)
		if labels != "" {
			b = append(append(append(b, '{'), labels...), '}')
		}
		b = append(b, ' ')
		b = strconv.AppendInt(b, v, 10)
		b = append(b, '\n')
	}
	metric("wcsfsm_events_total", "counter", "Status events taken, by family (event=\"\": hooks naming no hook WCS posts).")
	for _, f := range wcs.Families() {
		sample("wcsfsm_events_total", `event="`+f.String()+`"`, st.Families[f])
	}
	sample("wcsfsm_events_total", `event=""`, st.Unknown())
	metric("wcsfsm_hooks_total", "counter", "Hooks taken, by kind (hooks.md: status, invocation, command, other; unknown: naming no hook WCS posts).")
	for k := wcs.MethodKind(0); k < wcs.NumMethodKinds; k++ {
		sample("wcsfsm_hooks_total", `kind="`+k.String()+`"`, st.Hooks(k))
	}
	sample("wcsfsm_hooks_total", `kind="unknown"`, st.Unknown())
	metric("wcsfsm_findings_total", "counter", "Findings made, by kind and severity (written, or dropped: wcsfsm_findings_dropped_total).")
	for k := tracker.Kind(0); k < tracker.NumKinds; k++ {
		sample("wcsfsm_findings_total", `kind="`+k.String()+`",severity="`+k.Severity().String()+`"`, st.Findings[k])
	}
	metric("wcsfsm_findings_dropped_total", "counter", "Findings not written: the queue of those waiting was full (the output failed, stalled, or was slower than the hooks).")
	sample("wcsfsm_findings_dropped_total", "", h.out.dropped.Load())
	metric("wcsfsm_findings_queued", "gauge", "Findings waiting to be written (more than a few: the output fails; see /healthz).")
	sample("wcsfsm_findings_queued", "", int64(h.out.queuedLines()))
	metric("wcsfsm_findings_write_errors_total", "counter", "Writes of findings that failed (each is tried again).")
	sample("wcsfsm_findings_write_errors_total", "", h.out.failures.Load())
	metric("wcsfsm_entities_open", "gauge", "Entities tracked that are not in a final state.")
	sample("wcsfsm_entities_open", "", int64(st.Open))
	metric("wcsfsm_entities_tracked", "gauge", "Entities tracked.")
	sample("wcsfsm_entities_tracked", "", int64(st.Tracked))
	metric("wcsfsm_sessions_tracked", "gauge", "WCS sessions tracked.")
	sample("wcsfsm_sessions_tracked", "", int64(st.Sessions))
	metric("wcsfsm_requests_in_flight", "gauge", "Hook requests being handled.")
	sample("wcsfsm_requests_in_flight", "", h.inflight.Load())
	if h.state != nil {
		m := h.state.metrics()
		metric("wcsfsm_journal_bytes", "gauge", "Bytes of the journal files in the -state directory.")
		sample("wcsfsm_journal_bytes", "", m.JournalBytes)
		metric("wcsfsm_journal_files", "gauge", "Journal files in the -state directory.")
		sample("wcsfsm_journal_files", "", m.JournalFiles)
		metric("wcsfsm_journal_write_errors_total", "counter", "Writes and syncs of the journal that failed (each is tried again).")
		sample("wcsfsm_journal_write_errors_total", "", m.JournalWriteErrors)
		metric("wcsfsm_journal_dropped_total", "counter", "Journal lines dropped: the queue of those waiting was full (the next checkpoint covers them).")
		sample("wcsfsm_journal_dropped_total", "", m.JournalDropped)
		metric("wcsfsm_journal_queued", "gauge", "Journal lines waiting to be written.")
		sample("wcsfsm_journal_queued", "", m.JournalQueued)
		metric("wcsfsm_checkpoints_total", "counter", "Checkpoints written since the start.")
		sample("wcsfsm_checkpoints_total", "", m.Checkpoints)
		metric("wcsfsm_checkpoint_errors_total", "counter", "Checkpoints that failed (tried again at the next interval).")
		sample("wcsfsm_checkpoint_errors_total", "", m.CheckpointErrors)
		metric("wcsfsm_checkpoint_age_seconds", "gauge", "Seconds since the last checkpoint was written or restored (-1: none yet).")
		b = append(b, "wcsfsm_checkpoint_age_seconds "+strconv.FormatFloat(m.CheckpointAge, 'g', 6, 64)+"\n"...)
		metric("wcsfsm_checkpoint_bytes", "gauge", "Size of the last checkpoint written.")
		sample("wcsfsm_checkpoint_bytes", "", m.CheckpointBytes)
	}
	metric("wcsfsm_requests_total", "counter", "HTTP requests answered, by status code (400: a body that could not be read; 503 to a POST: the client went away while it waited).")
	// The usual codes always, at 0 until they happen; any other once seen.
	seen := map[int]bool{http.StatusOK: true, http.StatusBadRequest: true, http.StatusNotFound: true, http.StatusMethodNotAllowed: true,
		http.StatusRequestEntityTooLarge: true, http.StatusServiceUnavailable: true}
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
		sample("wcsfsm_requests_total", `code="`+strconv.Itoa(c)+`"`, v)
	}
	return b
}
