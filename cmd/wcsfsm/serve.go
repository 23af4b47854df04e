package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

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

	NATS        *natsFlags    // -nats: publish the hooks to JetStream instead of judging them (nil or "": judge them)
	PublishWait time.Duration // -publish-wait

	Metrics net.Listener // -metrics-addr: /metrics and /healthz there too (nil: on -addr only)
	Log     *slog.Logger // -log-format: what serve tells its operator (nil: nothing)
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
	metricsAddr := fs.String("metrics-addr", "", "serve /metrics and /healthz on this `address` too (for a scraper on another network than WCS)")
	logFormat := fs.String("log-format", "text", "write serve's own lines to standard error in this `format`: text, or json (a JSON object a line)")
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
	cfg.NATS = addNATSFlags(fs, true)
	fs.DurationVar(&cfg.PublishWait, "publish-wait", defaultPublishWait, "with -nats: how long a hook is tried to be stored before it is answered 503")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: wcsfsm serve [-addr 127.0.0.1:8081] [-metrics-addr ADDR] [-log-format text|json] [-partial] [-tail]")
		fmt.Fprintln(stderr, "                    [-findings FILE] [-state DIR] [-max-body BYTES] [-max-inflight N]")
		fmt.Fprintln(stderr, "\nA REST-hook receiver: answers every POST 200 with its body, validates each hook (named by")
		fmt.Fprintln(stderr, "the last segment of the request path: /apps/EchoApp/publishStream), and writes each")
		fmt.Fprintln(stderr, "finding as a JSON line. GET /healthz, GET /metrics (Prometheus: wcsfsm_*, go_*, process_*),")
		fmt.Fprintln(stderr, "on -addr and on -metrics-addr if given. Its own lines go to standard error (-log-format).")
		fmt.Fprintln(stderr, "A well-formed hook is answered 200 whatever happens to the findings output: while")
		fmt.Fprintln(stderr, "writes fail (a full disk) findings wait in a bounded queue and /healthz answers 503.")
		fmt.Fprintln(stderr, "SIGINT or SIGTERM: finish the requests taken, write every finding, exit 0.")
		fmt.Fprintln(stderr, "With -state DIR: a journal of the hooks and checkpoints there; a start, after SIGTERM or a")
		fmt.Fprintln(stderr, "crash, goes on where it was (with -findings FILE, no finding lost or written twice).")
		fmt.Fprintln(stderr, "With -nats URL: judge nothing; publish each hook to the JetStream stream -stream, on")
		fmt.Fprintln(stderr, "PREFIX.<partition> of its node and session, and answer it once stored (wcsfsm consume")
		fmt.Fprintln(stderr, "judges them; see docs/scaling.md). Stateless: run any number behind any balancer.")
		fs.PrintDefaults()
	}
	rest, err := parseArgs(fs, args)
	if err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	log, err := newLogger(stderr, *logFormat)
	if err != nil {
		fmt.Fprintf(stderr, "wcsfsm serve: %v\n", err)
		return 2
	}
	cfg.Log = log
	cfg.NATS.parsed(fs)
	if *cfg.NATS.url != "" && (cfg.State != "" || *findings != "") {
		log.Error("-nats judges nothing: it takes neither -state nor -findings (wcsfsm consume writes the findings)")
		return 2
	}
	if *cfg.NATS.url != "" && cfg.PublishWait <= 0 {
		log.Error("-publish-wait must be positive")
		return 2
	}
	if len(rest) > 0 {
		log.Error(fmt.Sprintf("unexpected argument %q", rest[0]))
		return 2
	}
	if cfg.MaxBody <= 0 || cfg.MaxInflight <= 0 || cfg.MaxEntities <= 0 || cfg.BodyTimeout <= 0 || cfg.MaxID <= 0 ||
		cfg.JournalSize <= 0 || cfg.CheckpointEvery <= 0 || cfg.CheckpointInterval <= 0 || cfg.JournalQueue <= 0 {
		log.Error("-max-body, -max-inflight, -max-entities, -max-id, -body-timeout, -journal-size, -journal-queue, -checkpoint-every and -checkpoint-interval must be positive")
		return 2
	}
	if cfg.MaxEntities > tracker.MaxMaxEntities {
		log.Error(fmt.Sprintf("-max-entities takes at most %d", tracker.MaxMaxEntities))
		return 2
	}
	out := stdout
	if *findings != "" && *findings != "-" {
		// Read and write: with -state, a start reads the findings it
		// wrote last, not to write them twice.
		f, err := os.OpenFile(*findings, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			log.Error(err.Error())
			return 2
		}
		defer f.Close()
		out = f
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Error(err.Error())
		return 2
	}
	if *metricsAddr != "" {
		if cfg.Metrics, err = net.Listen("tcp", *metricsAddr); err != nil {
			ln.Close()
			log.Error("-metrics-addr: " + err.Error())
			return 2
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := serve(ctx, ln, cfg, out)
	if err != nil {
		log.Error(err.Error())
		return 2
	}
	if *cfg.NATS.url != "" {
		return 0 // serve -nats said what it published
	}
	log.Info(fmt.Sprintf("stopped; %s, %s, %s", plural(st.Events, "event"), plural(st.Errors(), "error"), plural(st.Warnings(), "warning")),
		"events", st.Events, "errors", st.Errors(), "warnings", st.Warnings())
	return 0
}

// serve answers HTTP on ln until ctx is done, then stops taking requests,
// finishes every request it took, writes their findings to out, and returns
// the tracker's statistics. The error is for a listener that fails or
// findings that cannot be written.
func serve(ctx context.Context, ln net.Listener, cfg serveConfig, out io.Writer) (tracker.Stats, error) {
	h := newHookServer(cfg, out)
	log := h.logger()
	// A start that fails lets go of the listeners and the output.
	failed := func(err error) (tracker.Stats, error) {
		ln.Close()
		if cfg.Metrics != nil {
			cfg.Metrics.Close()
		}
		h.out.close(closeWait)
		return h.tracker.Stats(), err
	}
	if cfg.NATS != nil && *cfg.NATS.url != "" {
		pub, err := newPublisher(ctx, cfg.NATS, cfg.PublishWait, cfg)
		if err != nil {
			return failed(err)
		}
		h.pub = pub
		defer pub.close(log)
		log.Info(fmt.Sprintf("publishing to stream %s on %s.<0..%d>", pub.layout.Stream, pub.layout.Prefix, pub.layout.Partitions-1),
			"stream", pub.layout.Stream, "prefix", pub.layout.Prefix, "partitions", pub.layout.Partitions)
	}
	if cfg.State != "" {
		said, err := h.openState(out)
		if err != nil {
			return failed(err)
		}
		log.Info("state "+said, "state", cfg.State)
	}
	log.Info("listening on http://"+ln.Addr().String(), "addr", ln.Addr().String())
	stopAside := h.startAside(cfg.Metrics) // -metrics-addr, and the log of the outputs failing
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
	stopAside()
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
	prom      *promMetrics     // /metrics (metrics.go)
	report    *report.Recorder // GET /report (serve_report.go)
	pub       *publisher       // -nats: the hooks go to JetStream (nats_serve.go)
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
	h.prom = newPromMetrics(h)
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
		h.answer(w, http.StatusMethodNotAllowed, "text/plain; charset=utf-8", []byte("method not allowed: POST a hook, GET /healthz, /metrics or /report\n"))
	case r.URL.Path == "/healthz":
		if msg := h.unhealthy(); msg != "" {
			h.answer(w, http.StatusServiceUnavailable, "text/plain; charset=utf-8", []byte(msg))
			return
		}
		h.answer(w, http.StatusOK, "text/plain; charset=utf-8", []byte("ok\n"))
	case r.URL.Path == "/metrics":
		h.serveMetrics(w, r)
	case r.URL.Path == "/report":
		h.serveReport(w, r)
	default:
		h.answer(w, http.StatusNotFound, "text/plain; charset=utf-8", []byte("not found: POST a hook, GET /healthz, /metrics or /report\n"))
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
	read := time.Now()
	if h.pub != nil && (err == nil || status == http.StatusRequestEntityTooLarge) {
		select {
		case h.slots <- struct{}{}:
		case <-r.Context().Done():
			h.answer(w, http.StatusServiceUnavailable, "text/plain; charset=utf-8", []byte("the client went away while its hook waited for a slot\n"))
			return
		}
		defer func() { <-h.slots }()
		rc.SetWriteDeadline(time.Now().Add(h.cfg.PublishWait + time.Minute))
		h.ingress(w, r, body, status == http.StatusRequestEntityTooLarge)
		return
	}
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
	h.observeHook(read)
	h.answer(w, http.StatusOK, "application/json", body)
}

// unhealthy says what fails, one line each: the findings output, the
// journal, the checkpoints; "" when nothing does. Hooks are answered all
// the same.
func (h *hookServer) unhealthy() string {
	var msg string
	if h.pub != nil && !h.pub.nc.IsConnected() {
		msg += "not connected to NATS (" + h.pub.nc.Status().String() + "): hooks are answered 503 after -publish-wait\n"
	}
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
	if derr != nil && h.state != nil && !utf8.Valid(body) {
		// The journal keeps a body that is no JSON object as a JSON
		// string, whose bytes that are not UTF-8 are U+FFFD: judged as
		// it holds it, so that a start judging it again says the same.
		derr = dec.Decode(jsonUTF8(body), &ev)
	}
	// WCS bodies carry no "event": the hook's path names the hook; a path
	// whose last segment names none names it still, when the body does not.
	named := false // the path names the hook: the journal line says so
	if derr == nil {
		own := ev.Types[wcs.FieldEvent] == wcs.JSONTypeString
		if m, ok := wcs.LookupMethod(r.URL.Path); ok {
			named = !own || ev.Event != m.Name
			ev.Event, ev.Types[wcs.FieldEvent] = m.Name, wcs.JSONTypeString
		} else if seg := wcs.LastSegment(r.URL.Path); ev.Types[wcs.FieldEvent] == wcs.JSONTypeAbsent && seg != "" {
			if h.state != nil && !utf8.ValidString(seg) {
				seg = string(jsonUTF8([]byte(seg))) // as the journal's "event" holds it
			}
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

// jsonUTF8 is b as encoding/json writes it in a string and reads it back:
// each byte that is not part of valid UTF-8 becomes U+FFFD.
func jsonUTF8(b []byte) []byte {
	out := make([]byte, 0, len(b)+8)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			out = append(out, "\ufffd"...)
		} else {
			out = append(out, b[:size]...)
		}
		b = b[size:]
	}
	return out
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
		h.state.kickIfDue(h.n)
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
		h.logger().Warn(fmt.Sprintf("the journal: %v (the last checkpoint covers those requests; validate on the journal lacks them)", jerr), "err", jerr.Error())
	case cerr != nil:
		h.logger().Warn(fmt.Sprintf("the last checkpoint: %v (a start judges the journal after the one before again)", cerr), "err", cerr.Error())
	}
	return err
}
