package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/wcsfsm/wcsfsm/hookbody"
	"github.com/wcsfsm/wcsfsm/tracker"
	"github.com/wcsfsm/wcsfsm/wcs"
)

func init() {
	commands["consume"] = command{"judge the hooks of a JetStream stream, partition by partition, checkpointed (docs/scaling.md)", runConsume}
}

// Defaults of consume.
const (
	defaultConsumeEvery    = 10000
	defaultConsumeInterval = 10 * time.Second
	defaultLease           = 10 * time.Second
	checkpointVersion      = 1
)

// consumeConfig is what consume's flags set.
type consumeConfig struct {
	nats     *natsFlags
	name     string        // -name: the group that shares the partitions, and names the buckets
	static   []int         // -partitions: these, without sharing (nil: shared)
	every    int           // -checkpoint-every
	interval time.Duration // -checkpoint-interval
	lease    time.Duration // -lease
	drain    bool          // -drain
	subject  string        // -findings-subject
	opts     tracker.Options
	log      *slog.Logger
}

func runConsume(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("wcsfsm consume", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg consumeConfig
	cfg.nats = addNATSFlags(fs, false)
	fs.StringVar(&cfg.name, "name", "wcsfsm", "the `group` of consumers that share the partitions; it names the buckets of the checkpoints (NAME-checkpoints) and of the leases (NAME-owners)")
	parts := fs.String("partitions", "", "judge these partitions (a `list`: 0,1,5-7), without sharing them (each under its lease: one that a consumer of -name holds is waited for); default: share all with the consumers of -name")
	findings := fs.String("findings", "", "append findings (JSON lines) to this `file`; default standard output")
	fs.StringVar(&cfg.subject, "findings-subject", "", "publish each finding on this NATS `subject` instead")
	fs.IntVar(&cfg.every, "checkpoint-every", defaultConsumeEvery, "checkpoint a partition every `N` hooks")
	fs.DurationVar(&cfg.interval, "checkpoint-interval", defaultConsumeInterval, "and this often while it takes hooks")
	fs.DurationVar(&cfg.lease, "lease", defaultLease, "a consumer that stops renewing for this long loses its partitions to the others")
	fs.BoolVar(&cfg.drain, "drain", false, "judge each partition to the end of the stream as it is at the start, report the entities left open (as validate does at the end of a log), and exit")
	fs.BoolVar(&cfg.opts.Partial, "partial", false, "the hooks carry only some families (as validate -partial)")
	fs.BoolVar(&cfg.opts.Tail, "tail", false, "a partition without a checkpoint begins after its sessions did (as validate -tail)")
	fs.IntVar(&cfg.opts.MaxEntities, "max-entities", tracker.DefaultMaxEntities, "most entities tracked at once by each partition")
	fs.IntVar(&cfg.opts.MaxID, "max-id", tracker.DefaultMaxID, "longest id in `bytes`")
	metricsAddr := fs.String("metrics-addr", "", "serve /metrics and /healthz on this `address`")
	logFormat := fs.String("log-format", "text", "write consume's own lines to standard error in this `format`: text, or json")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: wcsfsm consume -nats URL [-stream NAME] [-name GROUP | -partitions LIST] [-findings FILE | -findings-subject SUBJ]")
		fmt.Fprintln(stderr, "                      [-checkpoint-every N] [-checkpoint-interval D] [-lease D] [-drain] [-metrics-addr ADDR]")
		fmt.Fprintln(stderr, "\nJudges the hooks that wcsfsm serve -nats publishes: one tracker per partition, each")
		fmt.Fprintln(stderr, "partition owned by one consumer of the group at a time (or the -partitions given).")
		fmt.Fprintln(stderr, "Findings are validate -format json's lines with \"partition\" and \"seq\" (the stream")
		fmt.Fprintln(stderr, "sequence of the hook). Each partition's tracker and sequence are checkpointed to the")
		fmt.Fprintln(stderr, "key-value bucket NAME-checkpoints; a start, or the consumer a partition moves to, goes on")
		fmt.Fprintln(stderr, "right after the checkpoint. After a crash the findings since the last checkpoint come")
		fmt.Fprintln(stderr, "again, byte for byte: drop the repeats by partition and seq (docs/scaling.md).")
		fmt.Fprintln(stderr, "SIGINT or SIGTERM: checkpoint every partition, hand them over, exit 0.")
		fs.PrintDefaults()
	}
	rest, err := parseArgs(fs, args)
	if err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	log, err := newCommandLogger(stderr, *logFormat, "wcsfsm consume")
	if err != nil {
		fmt.Fprintf(stderr, "wcsfsm consume: %v\n", err)
		return 2
	}
	cfg.log = log
	cfg.nats.parsed(fs)
	switch {
	case len(rest) > 0:
		log.Error(fmt.Sprintf("unexpected argument %q", rest[0]))
		return 2
	case *cfg.nats.url == "":
		log.Error("-nats URL is needed: the JetStream server of the stream")
		return 2
	case !namePattern.MatchString(cfg.name):
		log.Error(fmt.Sprintf("-name %q: letters, digits, - and _", cfg.name))
		return 2
	case cfg.every <= 0 || cfg.interval <= 0 || cfg.lease <= 0 || cfg.opts.MaxEntities <= 0 || cfg.opts.MaxID <= 0:
		log.Error("-checkpoint-every, -checkpoint-interval, -lease, -max-entities and -max-id must be positive")
		return 2
	case cfg.opts.MaxEntities > tracker.MaxMaxEntities:
		log.Error(fmt.Sprintf("-max-entities takes at most %d", tracker.MaxMaxEntities))
		return 2
	case *findings != "" && cfg.subject != "":
		log.Error("-findings and -findings-subject: one or the other")
		return 2
	}
	if *parts != "" {
		if cfg.static, err = parseList(*parts); err != nil {
			log.Error("-partitions: " + err.Error())
			return 2
		}
	}
	out := stdout
	var file *os.File
	if *findings != "" && *findings != "-" {
		if file, err = os.OpenFile(*findings, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644); err != nil {
			log.Error(err.Error())
			return 2
		}
		defer file.Close()
		out = file
	}
	var ops net.Listener
	if *metricsAddr != "" {
		if ops, err = net.Listen("tcp", *metricsAddr); err != nil {
			log.Error("-metrics-addr: " + err.Error())
			return 2
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	started := time.Now()
	st, ck, err := consume(ctx, cfg, out, file, ops)
	if err != nil {
		log.Error(err.Error())
		return 2
	}
	took := time.Since(started)
	// The partitions' statistics count from their first hook (a
	// checkpoint carries them); the rate is of the hooks judged here.
	said := fmt.Sprintf("stopped; judged %s in %.2f s (%.0f hooks/s); the partitions it had, from their start: %s, %s, %s; %s",
		plural(ck.judged, "hook"), took.Seconds(), float64(ck.judged)/took.Seconds(),
		plural(st.Events, "event"), plural(st.Errors(), "error"), plural(st.Warnings(), "warning"), plural(ck.n, "checkpoint"))
	if ck.n > 0 {
		said += fmt.Sprintf(" of %d bytes and %.2f ms on average", ck.bytes/ck.n, float64(ck.nanos)/float64(ck.n)/1e6)
	}
	log.Info(said, "judged", ck.judged, "seconds", took.Seconds(), "events", st.Events, "errors", st.Errors(), "warnings", st.Warnings(),
		"checkpoints", ck.n, "checkpoint_bytes", ck.bytes, "checkpoint_seconds", float64(ck.nanos)/1e9)
	if cfg.drain && st.Errors() > 0 {
		return 1
	}
	return 0
}

// parseList reads a list of partitions: 0,1,5-7.
func parseList(s string) ([]int, error) {
	seen := map[int]bool{}
	var out []int
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(lo)
		b := a
		if err == nil && isRange {
			b, err = strconv.Atoi(hi)
		}
		if err != nil || a < 0 || b < a || b-a > 4096 {
			return nil, fmt.Errorf("%q is not a partition or a range of them (0,1,5-7)", part)
		}
		for p := a; p <= b; p++ {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	sort.Ints(out)
	return out, nil
}

// consumer is one consume process.
type consumer struct {
	cfg    consumeConfig
	nc     *nats.Conn // the hooks
	js     jetstream.JetStream
	ctl    *nats.Conn // the checkpoints and the leases
	cjs    jetstream.JetStream
	stream jetstream.Stream
	layout streamLayout
	ckv    jetstream.KeyValue    // the checkpoints
	obs    jetstream.ObjectStore // the snapshots too large for a message (made when one is)
	obsMu  sync.Mutex
	kv     jetstream.KeyValue // shared: the leases and the members
	id     string
	out    *findingsSink
	m      *consumeMetrics

	mu        sync.Mutex
	parts     map[int]*partition
	partStats map[int]tracker.Stats // each partition's totals at its last stop
	failed    map[int]string        // the partitions that failed at their last start, and why
	retryAt   map[int]time.Time     // shared: when a partition that failed is tried again
	retryWait map[int]time.Duration // and the pause before that, doubling
	handovers sync.WaitGroup        // partitions being handed over

	fatal   atomic.Pointer[error] // why the consumer stops by itself
	failNow context.CancelFunc    // stops it

	judged            atomic.Int64 // hooks judged by this process
	checkpoints       atomic.Int64 // written
	checkpointNanos   atomic.Int64 // their time, in all
	checkpointedBytes atomic.Int64 // their size, in all
}

// partition is one partition judged by this consumer.
type partition struct {
	p       int
	subject string
	tr      *tracker.Tracker
	dec     hookbody.Decoder
	buf     []byte

	seq      atomic.Uint64 // the last sequence judged
	pending  atomic.Uint64 // hooks of the partition after it, when last seen
	taken    atomic.Int64  // hooks judged by this consumer
	ckSeq    atomic.Uint64 // the sequence of the last checkpoint
	ckAt     atomic.Int64  // its time (unix ns; 0: none)
	ckBytes  atomic.Int64  // its size
	since    int           // hooks since it
	rev      atomic.Uint64 // the lease's revision
	running  atomic.Bool   // restored, and judging
	restored bool          // its checkpoint was read (its statistics are the partition's)

	stop     chan struct{} // closed (once, by halt): checkpoint and stop
	stopOnce sync.Once
	handing  atomic.Bool   // being handed over: the balancer renews and releases it no more
	renewed  atomic.Int64  // when its lease was last renewed (unix ns)
	lost     atomic.Bool   // the lease was lost: stop without a checkpoint
	done     chan struct{} // closed when stopped
	err      error         // why it stopped, when not asked to
	stats    tracker.Stats // at the stop
}

// checkpointStats are the checkpoints a consumer wrote: how many, their
// bytes and their time in all.
type checkpointStats struct{ judged, n, bytes, nanos int64 }

// consume runs the consumer until ctx is done (or, with -drain, until
// every partition is judged to its end), and returns its statistics.
func consume(ctx context.Context, cfg consumeConfig, w io.Writer, file *os.File, ops net.Listener) (tracker.Stats, checkpointStats, error) {
	st, c, err := consumeRun(ctx, cfg, w, file, ops)
	if c == nil {
		return st, checkpointStats{}, err
	}
	return st, checkpointStats{c.judged.Load(), c.checkpoints.Load(), c.checkpointedBytes.Load(), c.checkpointNanos.Load()}, err
}

func consumeRun(ctx context.Context, cfg consumeConfig, w io.Writer, file *os.File, ops net.Listener) (tracker.Stats, *consumer, error) {
	host, _ := os.Hostname()
	c := &consumer{cfg: cfg, parts: map[int]*partition{}, partStats: map[int]tracker.Stats{}, failed: map[int]string{},
		retryAt: map[int]time.Time{}, retryWait: map[int]time.Duration{}}
	ctx, c.failNow = context.WithCancel(ctx)
	defer c.failNow()
	c.id = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, host) + "-" + strconv.Itoa(os.Getpid()) + "-" + nuid.Next()[:8]
	var err error
	c.nc, c.js, err = connectNATS(*cfg.nats.url, "wcsfsm consume "+c.id, cfg.log)
	if err != nil {
		return tracker.Stats{}, c, err
	}
	defer c.nc.Close()
	// The checkpoints and the leases on a connection of their own: their
	// answers wait behind no hooks being delivered.
	c.ctl, c.cjs, err = connectNATS(*cfg.nats.url, "wcsfsm consume "+c.id+" control", cfg.log)
	if err != nil {
		return tracker.Stats{}, c, err
	}
	defer c.ctl.Close()
	setup, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if c.layout, err = cfg.nats.ensureStream(setup, c.js); err != nil {
		return tracker.Stats{}, c, err
	}
	if c.stream, err = c.js.Stream(setup, c.layout.Stream); err != nil {
		return tracker.Stats{}, c, err
	}
	for _, p := range cfg.static {
		if p >= c.layout.Partitions {
			return tracker.Stats{}, c, fmt.Errorf("-partitions: stream %s has partitions 0 to %d, not %d", c.layout.Stream, c.layout.Partitions-1, p)
		}
	}
	if c.ckv, err = c.bucket(setup, jetstream.KeyValueConfig{
		Bucket: cfg.name + "-checkpoints", Description: "wcsfsm consume: a checkpoint per partition of " + c.layout.Stream,
		Storage: jetstream.FileStorage, Replicas: max(c.replicas(setup), 1), History: 1,
	}); err != nil {
		return tracker.Stats{}, c, fmt.Errorf("the checkpoints' bucket %s-checkpoints: %w", cfg.name, err)
	}
	if c.kv, err = c.bucket(setup, jetstream.KeyValueConfig{
		Bucket: cfg.name + "-owners", Description: "wcsfsm consume: who owns each partition of " + c.layout.Stream,
		TTL: cfg.lease, Storage: jetstream.FileStorage, Replicas: max(c.replicas(setup), 1),
	}); err != nil {
		return tracker.Stats{}, c, fmt.Errorf("the leases' bucket %s-owners: %w", cfg.name, err)
	}
	if st, err := c.kv.Status(setup); err == nil && st.TTL() != cfg.lease && st.TTL() > 0 {
		// The group's lease is its bucket's: renewals must come within it.
		cfg.log.Warn(fmt.Sprintf("-lease %v, but the group's bucket %s-owners keeps a lease %v: using %v", cfg.lease, cfg.name, st.TTL(), st.TTL()),
			"lease", st.TTL().String())
		c.cfg.lease = st.TTL()
	}
	c.out = newFindingsSink(w, file, c.nc, cfg.subject)
	if cfg.subject != "" {
		if !tokenPattern.MatchString(cfg.subject) {
			return tracker.Stats{}, c, fmt.Errorf("-findings-subject %q: tokens of letters, digits, - and _, separated by dots", cfg.subject)
		}
		stream, err := c.out.setStream(setup, c.js)
		if err != nil {
			return tracker.Stats{}, c, fmt.Errorf("-findings-subject: %w", err)
		}
		if stream != "" {
			cfg.log.Info(fmt.Sprintf("findings to %s, stored by stream %s (each acknowledged)", cfg.subject, stream), "subject", cfg.subject, "findings_stream", stream)
		} else {
			cfg.log.Info(fmt.Sprintf("findings to %s (no stream stores that subject: only the subscribers see them)", cfg.subject), "subject", cfg.subject)
		}
	}
	defer c.out.flushEvery(100 * time.Millisecond)()
	c.m = newConsumeMetrics(c)
	stopOps := c.serveOps(ops)
	defer stopOps()
	cfg.log.Info(fmt.Sprintf("consuming stream %s (%d partitions) as %s", c.layout.Stream, c.layout.Partitions, c.id),
		"stream", c.layout.Stream, "partitions", c.layout.Partitions, "id", c.id)

	switch {
	case cfg.drain || cfg.static != nil:
		err = c.runPinned(ctx)
	default:
		err = c.balance(ctx)
	}
	if ferr := c.out.flush(); err == nil && ferr != nil {
		err = fmt.Errorf("findings: %w", ferr)
	}
	if f := c.fatal.Load(); f != nil {
		err = *f
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var st tracker.Stats
	for _, ps := range c.partStats {
		st.Add(ps)
	}
	return st, c, err
}

// bucket binds the key-value bucket of cfg, made if missing; one that
// exists is taken as it is (CreateOrUpdate would change the settings a
// running group relies on, its lease above all).
func (c *consumer) bucket(ctx context.Context, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	kv, err := c.cjs.CreateKeyValue(ctx, cfg)
	if errors.Is(err, jetstream.ErrBucketExists) {
		kv, err = c.cjs.KeyValue(ctx, cfg.Bucket)
	}
	return kv, err
}

// replicas is the stream's number of replicas: the buckets take as many.
func (c *consumer) replicas(ctx context.Context) int {
	if info, err := c.stream.Info(ctx); err == nil {
		return info.Config.Replicas
	}
	return 1
}

// start begins judging partition p, under the lease of revision rev. Its
// goroutine ends when it is stopped, when its lease is lost, or when it
// fails: then c.failed says why, for /healthz and the metrics, until a
// start of it restores its checkpoint.
func (c *consumer) start(ctx context.Context, p int, rev uint64) *partition {
	pt := &partition{p: p, subject: c.layout.subject(p), stop: make(chan struct{}), done: make(chan struct{})}
	pt.rev.Store(rev)
	pt.renewed.Store(time.Now().UnixNano())
	c.mu.Lock()
	c.parts[p] = pt
	c.mu.Unlock()
	go func() {
		defer close(pt.done)
		pt.err = c.run(ctx, pt, 0)
		failed := pt.err != nil && ctx.Err() == nil && !pt.lost.Load() && !pt.restored
		switch {
		case failed:
			c.cfg.log.Error(fmt.Sprintf("partition %d cannot start: %v", p, pt.err), "partition", p, "err", pt.err.Error())
		case pt.err != nil:
			c.cfg.log.Warn(fmt.Sprintf("partition %d stopped: %v (its next owner goes on from the checkpoint before)", p, pt.err), "partition", p, "err", pt.err.Error())
		}
		c.mu.Lock()
		if pt.restored {
			c.partStats[p] = pt.stats // its totals from its first hook: the last run's
		}
		if failed {
			c.failed[p] = pt.err.Error()
		}
		c.mu.Unlock()
	}()
	return pt
}

// stopPart stops pt (a checkpoint first, unless its lease is lost) and
// waits for it.
func (c *consumer) stopPart(pt *partition) {
	pt.halt()
	<-pt.done
	c.mu.Lock()
	if c.parts[pt.p] == pt {
		delete(c.parts, pt.p)
	}
	c.mu.Unlock()
}

// halt asks pt to stop; any number of times, from any goroutine.
func (pt *partition) halt() { pt.stopOnce.Do(func() { close(pt.stop) }) }

// stopAll stops every partition at once, and returns them.
func (c *consumer) stopAll() []*partition {
	c.mu.Lock()
	all := make([]*partition, 0, len(c.parts))
	for _, pt := range c.parts {
		all = append(all, pt)
	}
	c.mu.Unlock()
	var wg sync.WaitGroup
	for _, pt := range all {
		wg.Go(func() { c.stopPart(pt) })
	}
	wg.Wait()
	return all
}

// acquire takes partition p's lease, waiting while another consumer holds
// it (said once); it returns the lease's revision, or ctx's error.
func (c *consumer) acquire(ctx context.Context, p int) (uint64, error) {
	said := false
	for {
		rev, err := c.create(ctx, p)
		if err == nil {
			return rev, nil
		}
		var holder string
		if errors.Is(err, jetstream.ErrKeyExists) {
			op, cancel := context.WithTimeout(ctx, c.cfg.lease/4)
			if e, gerr := c.kv.Get(op, leaseKey(p)); gerr == nil {
				holder = string(e.Value())
			}
			cancel()
		}
		if !said {
			said = true
			if holder != "" {
				c.cfg.log.Info(fmt.Sprintf("partition %d is held by %s: waiting for it", p, holder), "partition", p, "holder", holder)
			} else {
				c.cfg.log.Warn(fmt.Sprintf("partition %d: its lease cannot be taken (%v): trying again", p, err), "partition", p, "err", err.Error())
			}
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(c.cfg.lease / 4):
		}
	}
}

// renew renews pt's lease; it reports false when the lease is another's
// now, or ran out: renewals that failed for -lease (the server away).
// A renewal that timed out here but was applied there is taken as ours.
func (c *consumer) renew(ctx context.Context, pt *partition) bool {
	op, cancel := context.WithTimeout(ctx, c.cfg.lease/4)
	defer cancel()
	rev, err := c.kv.Update(op, leaseKey(pt.p), []byte(c.id), pt.rev.Load())
	if errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
		if e, gerr := c.kv.Get(op, leaseKey(pt.p)); gerr == nil && string(e.Value()) == c.id {
			rev, err = e.Revision(), nil // our own renewal, its answer lost
		}
	}
	switch {
	case err == nil:
		pt.rev.Store(rev)
		pt.renewed.Store(time.Now().UnixNano())
		return true
	case errors.Is(err, jetstream.ErrKeyRevisionMismatch), errors.Is(err, jetstream.ErrKeyNotFound), errors.Is(err, jetstream.ErrKeyDeleted):
		c.cfg.log.Warn(fmt.Sprintf("partition %d: lease lost (%v): stopped without a checkpoint", pt.p, err), "partition", pt.p)
		return false
	case time.Since(time.Unix(0, pt.renewed.Load())) > c.cfg.lease:
		c.cfg.log.Warn(fmt.Sprintf("partition %d: lease not renewed for %v (%v): it ran out; stopped without a checkpoint", pt.p, c.cfg.lease, err), "partition", pt.p)
		return false
	}
	return true
}

// create takes partition p's lease if it is free, or ours already (a
// create that timed out here but was applied there).
func (c *consumer) create(ctx context.Context, p int) (uint64, error) {
	op, cancel := context.WithTimeout(ctx, c.cfg.lease/4)
	defer cancel()
	rev, err := c.kv.Create(op, leaseKey(p), []byte(c.id))
	if errors.Is(err, jetstream.ErrKeyExists) {
		if e, gerr := c.kv.Get(op, leaseKey(p)); gerr == nil && string(e.Value()) == c.id {
			return e.Revision(), nil
		}
	}
	return rev, err
}

// release gives up partition p's lease of revision rev, a few seconds at
// most (it runs out by itself after -lease otherwise).
func (c *consumer) release(p int, rev uint64) {
	op, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	c.kv.Delete(op, leaseKey(p), jetstream.LastRevision(rev))
}

// errDrainStopped is a drain stopped before the end of its partitions.
var errDrainStopped = errors.New("stopped before the end of the stream: the entities left open are not reported (the checkpoints are kept: -drain again goes on)")

// runPinned judges the -partitions given (or, with -drain, all of them),
// each under its lease, renewed every lease/4, without sharing them: a
// partition another consumer holds is waited for. Without -drain a
// partition that fails is started again, after a pause that doubles to
// 30 s; with -drain each partition is judged to the end of the stream and
// ended, once.
func (c *consumer) runPinned(ctx context.Context) error {
	list := c.cfg.static
	if list == nil {
		for p := range c.layout.Partitions {
			list = append(list, p)
		}
	}
	var (
		wg   sync.WaitGroup
		emu  sync.Mutex
		errs []error
	)
	for _, p := range list {
		wg.Go(func() {
			if err := c.pinned(ctx, p); err != nil {
				emu.Lock()
				errs = append(errs, err)
				emu.Unlock()
			}
		})
	}
	wg.Wait()
	if c.cfg.drain && ctx.Err() != nil && c.fatal.Load() == nil {
		return errDrainStopped
	}
	return errors.Join(errs...)
}

// pinned holds and judges partition p until ctx is done (or, with -drain,
// to its end).
func (c *consumer) pinned(ctx context.Context, p int) error {
	backoff := time.Second
	for {
		rev, err := c.acquire(ctx, p)
		if err != nil {
			return nil // stopped while waiting
		}
		pt := c.start(ctx, p, rev)
		renewed := make(chan struct{})
		go func() {
			defer close(renewed)
			t := time.NewTicker(c.cfg.lease / 4)
			defer t.Stop()
			for {
				select {
				case <-pt.done:
					return
				case <-t.C:
					if !c.renew(context.WithoutCancel(ctx), pt) {
						pt.lost.Store(true)
						pt.halt()
						return
					}
				}
			}
		}()
		<-pt.done
		<-renewed
		c.mu.Lock()
		if c.parts[p] == pt {
			delete(c.parts, p)
		}
		c.mu.Unlock()
		if !pt.lost.Load() {
			c.release(p, pt.rev.Load())
		}
		switch {
		case ctx.Err() != nil:
			return nil
		case c.cfg.drain && !pt.lost.Load():
			return pt.err
		case pt.lost.Load():
			backoff = time.Second // taken again when the other lets it go
		case pt.err != nil:
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 30*time.Second)
		}
	}
}

// partCheckpoint is the first line of a checkpoint object; the tracker's
// snapshot follows it.
type partCheckpoint struct {
	Version    int       `json:"version"`
	Stream     string    `json:"stream"`
	Partition  int       `json:"partition"`
	Partitions int       `json:"partitions"`
	Seq        uint64    `json:"seq"` // the last stream sequence judged
	Time       time.Time `json:"time"`
	Consumer   string    `json:"consumer"`
	Object     string    `json:"object,omitempty"` // the snapshot is in the object store, under this name
}

func objectName(p int) string { return "partition-" + strconv.Itoa(p) }

// fail stops the consumer for good, with err.
func (c *consumer) fail(err error) {
	c.fatal.CompareAndSwap(nil, &err)
	c.failNow()
}

// objects returns the object store of the snapshots too large for a
// message (NAME-snapshots), made at its first use.
func (c *consumer) objects(ctx context.Context) (jetstream.ObjectStore, error) {
	c.obsMu.Lock()
	defer c.obsMu.Unlock()
	if c.obs != nil {
		return c.obs, nil
	}
	obs, err := c.cjs.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{
		Bucket: c.cfg.name + "-snapshots", Description: "wcsfsm consume: the checkpoints of " + c.layout.Stream + " too large for a message",
		Storage: jetstream.FileStorage, Replicas: max(c.replicas(ctx), 1),
	})
	if err != nil {
		return nil, fmt.Errorf("the snapshots' object store %s-snapshots: %w", c.cfg.name, err)
	}
	c.obs = obs
	return obs, nil
}

// restore loads pt's checkpoint: its tracker and sequence; a partition
// without one starts at the stream's first hook.
func (c *consumer) restore(ctx context.Context, pt *partition) error {
	pt.tr = tracker.New(c.cfg.opts)
	e, err := c.ckv.Get(ctx, leaseKey(pt.p))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("checkpoint of partition %d: %w", pt.p, err)
	}
	b := e.Value()
	h, rest, err := c.readCheckpoint(pt.p, b)
	if err == nil && h.Object != "" {
		// Too large for a message: in the object store, with its own
		// header (newer than this one, if a crash came between the two).
		var obs jetstream.ObjectStore
		if obs, err = c.objects(ctx); err == nil {
			b, err = obs.GetBytes(ctx, h.Object)
		}
		if err != nil {
			return fmt.Errorf("checkpoint of partition %d, object %s: %w", pt.p, h.Object, err)
		}
		h, rest, err = c.readCheckpoint(pt.p, b)
	}
	if err != nil {
		return err
	}
	var tr tracker.Tracker
	if err := tr.Restore(bytes.NewReader(rest)); err != nil {
		return fmt.Errorf("checkpoint of partition %d: %w", pt.p, err)
	}
	if o, want := tr.Options(), tracker.New(c.cfg.opts).Options(); o.Partial != want.Partial || o.Tail != want.Tail || o.MaxEntities != want.MaxEntities || o.MaxID != want.MaxID {
		// A tracker keeps the options it was made with: the flags of
		// this start apply to partitions without a checkpoint only.
		c.cfg.log.Warn(fmt.Sprintf("partition %d: its checkpoint keeps -partial %v -tail %v -max-entities %d -max-id %d, not this start's flags",
			pt.p, o.Partial, o.Tail, o.MaxEntities, o.MaxID), "partition", pt.p)
	}
	pt.tr = &tr
	pt.seq.Store(h.Seq)
	pt.ckSeq.Store(h.Seq)
	pt.ckAt.Store(h.Time.UnixNano())
	pt.ckBytes.Store(int64(len(b)))
	return nil
}

// readCheckpoint reads the header of a checkpoint of partition p, and
// returns it and the snapshot after it.
func (c *consumer) readCheckpoint(p int, b []byte) (partCheckpoint, []byte, error) {
	line, rest, ok := bytes.Cut(b, []byte{'\n'})
	var h partCheckpoint
	if !ok || json.Unmarshal(line, &h) != nil || h.Version != checkpointVersion {
		return h, nil, fmt.Errorf("checkpoint of partition %d is not one of wcsfsm consume (version %d)", p, checkpointVersion)
	}
	if h.Stream != c.layout.Stream || h.Partitions != c.layout.Partitions || h.Partition != p {
		return h, nil, fmt.Errorf("checkpoint of partition %d is of stream %s, partition %d of %d, not of %s, %d of %d: another group name (-name) for another stream",
			p, h.Stream, h.Partition, h.Partitions, c.layout.Stream, p, c.layout.Partitions)
	}
	return h, rest, nil
}

// checkpoint writes pt's findings, then its tracker and sequence: in the
// key-value bucket, or, when too large for a message, in the object store
// with a pointer in the bucket.
func (c *consumer) checkpoint(ctx context.Context, pt *partition) error {
	if pt.lost.Load() {
		return errors.New("the lease was lost")
	}
	start := time.Now()
	if err := c.out.flush(); errors.Is(err, errNotConnected) {
		return err // no checkpoint past findings not sent; the next one tries again
	} else if err != nil {
		// Judging on would lose findings: stop, and a start goes on
		// from the last checkpoint, which covers only findings written.
		c.fail(fmt.Errorf("findings cannot be written: %w; stopped, without a checkpoint past the findings written: a start goes on from there", err))
		return fmt.Errorf("findings: %w", err)
	}
	seq := pt.seq.Load()
	hdr := partCheckpoint{Version: checkpointVersion, Stream: c.layout.Stream, Partition: pt.p,
		Partitions: c.layout.Partitions, Seq: seq, Time: time.Now().UTC(), Consumer: c.id}
	h, _ := json.Marshal(hdr)
	var b bytes.Buffer
	b.Write(h)
	b.WriteByte('\n')
	if err := pt.tr.Snapshot(&b); err != nil {
		return err
	}
	// Ten seconds: a checkpoint takes milliseconds, and a stop while NATS
	// is away must not wait long (the one before stays).
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var err error
	if int64(b.Len()) <= c.ctl.MaxPayload()-4096 {
		_, err = c.ckv.Put(ctx, leaseKey(pt.p), b.Bytes())
	} else {
		var obs jetstream.ObjectStore
		if obs, err = c.objects(ctx); err == nil {
			_, err = obs.PutBytes(ctx, objectName(pt.p), b.Bytes())
		}
		if err == nil {
			hdr.Object = objectName(pt.p)
			h, _ = json.Marshal(hdr)
			_, err = c.ckv.Put(ctx, leaseKey(pt.p), append(h, '\n'))
		}
	}
	if err != nil {
		c.m.checkpointFailures.Inc()
		return fmt.Errorf("checkpoint of partition %d: %w", pt.p, err)
	}
	pt.ckSeq.Store(seq)
	pt.ckAt.Store(time.Now().UnixNano())
	pt.ckBytes.Store(int64(b.Len()))
	pt.since = 0
	took := time.Since(start)
	c.m.checkpointSeconds.Observe(took.Seconds())
	c.checkpoints.Add(1)
	c.checkpointNanos.Add(int64(took))
	c.checkpointedBytes.Add(int64(b.Len()))
	return nil
}

// run judges pt from its checkpoint on, until it is stopped (or, to is
// set, until it has judged sequence to, which drains it).
func (c *consumer) run(ctx context.Context, pt *partition, to uint64) error {
	if err := c.restore(ctx, pt); err != nil {
		return err // and no checkpoint written over the one not read
	}
	pt.restored = true
	pt.running.Store(true)
	defer pt.running.Store(false)
	c.mu.Lock()
	delete(c.failed, pt.p)
	delete(c.retryAt, pt.p)
	delete(c.retryWait, pt.p)
	c.mu.Unlock()
	c.cfg.log.Info(fmt.Sprintf("partition %d: from sequence %d", pt.p, pt.seq.Load()+1), "partition", pt.p, "seq", pt.seq.Load()+1)
	defer func() { pt.stats = pt.tr.Stats() }()
	if c.cfg.drain {
		last, err := c.stream.GetLastMsgForSubject(ctx, pt.subject)
		switch {
		case errors.Is(err, jetstream.ErrMsgNotFound):
		case err != nil:
			return fmt.Errorf("partition %d: the end of the stream: %w", pt.p, err)
		default:
			to = last.Sequence
		}
		if pt.seq.Load() >= to {
			return c.end(ctx, pt)
		}
	}
	var it jetstream.MessagesContext
	defer func() {
		if it != nil {
			it.Stop()
		}
	}()
	lastCk := time.Now()
	var (
		backoff time.Duration // after a checkpoint failed
		retryAt time.Time
	)
	for {
		select {
		case <-pt.stop:
			if pt.lost.Load() || pt.since == 0 {
				return nil
			}
			return c.checkpoint(ctx, pt)
		case <-ctx.Done():
			if pt.lost.Load() || pt.since == 0 {
				return nil
			}
			return c.checkpoint(ctx, pt)
		default:
		}
		if it == nil {
			cfg := jetstream.OrderedConsumerConfig{FilterSubjects: []string{pt.subject}, DeliverPolicy: jetstream.DeliverAllPolicy}
			if s := pt.seq.Load(); s > 0 {
				cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, s+1
			}
			oc, err := c.js.OrderedConsumer(ctx, c.layout.Stream, cfg)
			if err == nil {
				it, err = oc.Messages(jetstream.PullMaxMessagesWithBytesLimit(1024, 8<<20))
			}
			if err != nil {
				it = nil
				c.cfg.log.Warn(fmt.Sprintf("partition %d: %v; trying again", pt.p, err), "partition", pt.p, "err", err.Error())
				time.Sleep(250 * time.Millisecond)
				continue
			}
		}
		msg, err := it.Next(jetstream.NextMaxWait(250 * time.Millisecond))
		if err != nil {
			if !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, context.DeadlineExceeded) {
				it.Stop()
				it = nil
			}
		} else if meta, merr := msg.Metadata(); merr == nil && meta.Sequence.Stream > pt.seq.Load() {
			c.judge(pt, msg, meta)
			pt.since++
		}
		if pt.since > 0 && (pt.since >= c.cfg.every || time.Since(lastCk) >= c.cfg.interval) && time.Now().After(retryAt) {
			if err := c.checkpoint(ctx, pt); err != nil {
				// Tried again after a pause that doubles, up to
				// -checkpoint-interval: not on every hook.
				backoff = min(max(2*backoff, time.Second), max(c.cfg.interval, time.Second))
				retryAt = time.Now().Add(backoff)
				c.cfg.log.Warn(fmt.Sprintf("%v; tried again in %v", err, backoff), "partition", pt.p, "err", err.Error())
			} else {
				backoff, retryAt = 0, time.Time{}
			}
			lastCk = time.Now()
		}
		if to > 0 && err != nil && errors.Is(err, nats.ErrTimeout) && pt.seq.Load() < to {
			// The stream's limits may have removed the hooks up to the
			// end before they were read: the end is then the last left.
			last, lerr := c.stream.GetLastMsgForSubject(ctx, pt.subject)
			if errors.Is(lerr, jetstream.ErrMsgNotFound) || lerr == nil && last.Sequence <= pt.seq.Load() {
				to = pt.seq.Load()
			}
		}
		if to > 0 && pt.seq.Load() >= to {
			if pt.since > 0 {
				if err := c.checkpoint(ctx, pt); err != nil {
					// The checkpoint before stays; the end is reported
					// all the same (a drain again repeats it).
					c.cfg.log.Warn(fmt.Sprintf("partition %d: the last checkpoint: %v", pt.p, err), "partition", pt.p, "err", err.Error())
				}
			}
			return c.end(ctx, pt)
		}
	}
}

// end reports what is left open in pt, as validate does at the end of a
// log; the checkpoint before it stays one of an open stream.
func (c *consumer) end(_ context.Context, pt *partition) error {
	fs := pt.tr.End()
	for i := range fs {
		pt.buf = appendConsumed(pt.buf[:0], fs[i], pt.p)
		c.out.write(pt.buf)
	}
	c.m.countFindings(fs)
	return nil
}

// judge takes one hook of pt.
func (c *consumer) judge(pt *partition, msg jetstream.Msg, meta *jetstream.MsgMetadata) {
	seq := meta.Sequence.Stream
	hdr := msg.Headers()
	var fs []tracker.Finding
	var ev wcs.Event
	if k, why, rejected := decodeMessage(&pt.dec, &ev, msg.Data(), hdr); rejected {
		fs = []tracker.Finding{pt.tr.Reject(pt.subject, int(seq), k, why)}
	} else {
		ev.File, ev.Line = pt.subject, int(seq)
		fs = pt.tr.Take(&ev)
	}
	for i := range fs {
		pt.buf = appendConsumed(pt.buf[:0], fs[i], pt.p)
		c.out.write(pt.buf)
	}
	c.m.countFindings(fs)
	pt.seq.Store(seq)
	pt.pending.Store(meta.NumPending)
	pt.taken.Add(1)
	c.judged.Add(1)
	c.m.delay.Observe(time.Since(meta.Timestamp).Seconds())
}

// appendConsumed appends f as validate -format json writes it, with the
// partition and the stream sequence of its hook (a dangling finding's:
// that of the entity's last hook), and a newline.
func appendConsumed(b []byte, f tracker.Finding, p int) []byte {
	b = f.AppendJSON(b)
	b = b[:len(b)-1]
	b = append(b, `,"partition":`...)
	b = strconv.AppendInt(b, int64(p), 10)
	b = append(b, `,"seq":`...)
	seq := f.Line
	if f.Kind == tracker.KindDangling {
		seq = f.Last
	}
	b = strconv.AppendInt(b, int64(seq), 10)
	return append(b, "}\n"...)
}

func leaseKey(p int) string { return "partition." + strconv.Itoa(p) }

const memberPrefix = "member."

// balance shares the partitions with the other consumers of the group:
// each renews its membership and its leases every lease/4, and owns the
// partitions p with p mod M = its place among the M members, sorted; a
// partition it should no longer own is checkpointed and its lease given
// up, for the next owner to go on from that checkpoint.
func (c *consumer) balance(ctx context.Context) error {
	tick := time.NewTicker(c.cfg.lease / 4)
	defer tick.Stop()
	for {
		c.rebalance(ctx)
		select {
		case <-ctx.Done():
			// Leave: every partition checkpointed at once, then the
			// leases and the membership given up, a few seconds at most
			// even while NATS is away (they run out by themselves).
			c.handovers.Wait()
			var wg sync.WaitGroup
			for _, pt := range c.stopAll() {
				if !pt.lost.Load() {
					wg.Go(func() { c.release(pt.p, pt.rev.Load()) })
				}
			}
			wg.Go(func() {
				op, cancel := context.WithTimeout(context.Background(), 3*time.Second)
				defer cancel()
				c.kv.Delete(op, memberPrefix+c.id)
			})
			wg.Wait()
			return nil
		case <-tick.C:
		}
	}
}

func (c *consumer) rebalance(ctx context.Context) {
	op, cancel := context.WithTimeout(ctx, c.cfg.lease/4)
	_, err := c.kv.Put(op, memberPrefix+c.id, []byte(time.Now().UTC().Format(time.RFC3339Nano)))
	var members []string
	if err == nil {
		var lister jetstream.KeyLister
		if lister, err = c.kv.ListKeysFiltered(op, memberPrefix+">"); err == nil {
			for k := range lister.Keys() {
				members = append(members, strings.TrimPrefix(k, memberPrefix))
			}
		}
	}
	cancel()
	c.mu.Lock()
	owned := make([]*partition, 0, len(c.parts))
	for _, pt := range c.parts {
		owned = append(owned, pt)
	}
	c.mu.Unlock()
	// The leases first, all at once, each with its own wait: they must
	// not run out while partitions are handed over.
	var renewals sync.WaitGroup
	for _, pt := range owned {
		if isDone(pt) || pt.lost.Load() || pt.handing.Load() {
			continue
		}
		renewals.Go(func() {
			if !c.renew(ctx, pt) {
				pt.lost.Store(true)
				pt.halt()
			}
		})
	}
	renewals.Wait()
	// The partitions that stopped by themselves (a checkpoint that cannot
	// be read, a lease lost): given up, and, for a failure, tried again
	// after a pause that doubles to 30 s.
	var released sync.WaitGroup
	now := time.Now()
	for _, pt := range owned {
		if !isDone(pt) || pt.handing.Load() {
			continue
		}
		c.mu.Lock()
		if c.parts[pt.p] == pt {
			delete(c.parts, pt.p)
		}
		if _, failed := c.failed[pt.p]; failed {
			c.retryWait[pt.p] = min(max(2*c.retryWait[pt.p], time.Second), 30*time.Second)
			c.retryAt[pt.p] = now.Add(c.retryWait[pt.p])
		}
		c.mu.Unlock()
		if !pt.lost.Load() {
			released.Go(func() { c.release(pt.p, pt.rev.Load()) })
		}
	}
	released.Wait()
	if err != nil {
		c.cfg.log.Warn("membership not renewed: "+err.Error(), "err", err.Error())
		return
	}
	sort.Strings(members)
	me := sort.SearchStrings(members, c.id)
	if me == len(members) || members[me] != c.id {
		return
	}
	want := func(p int) bool { return p%len(members) == me }
	c.mu.Lock()
	for p := range c.failed {
		if !want(p) {
			delete(c.failed, p) // another's to start now: its own health says
			delete(c.retryAt, p)
			delete(c.retryWait, p)
		}
	}
	c.mu.Unlock()
	// Handovers in the background: the next renewals do not wait for
	// their checkpoints. A partition stays in c.parts until it is done,
	// so that it is never started twice.
	for _, pt := range owned {
		if want(pt.p) || isDone(pt) || pt.lost.Load() || pt.handing.Load() {
			continue
		}
		pt.handing.Store(true)
		c.handovers.Go(func() {
			c.stopPart(pt)
			c.release(pt.p, pt.rev.Load())
			c.cfg.log.Info(fmt.Sprintf("partition %d handed over", pt.p), "partition", pt.p)
		})
	}
	for p := range c.layout.Partitions {
		c.mu.Lock()
		_, mine := c.parts[p]
		wait := time.Until(c.retryAt[p])
		c.mu.Unlock()
		if mine || !want(p) || wait > 0 {
			continue
		}
		rev, err := c.create(ctx, p)
		if err != nil {
			continue // still another's: it hands it over, or its lease runs out
		}
		c.start(ctx, p, rev)
	}
}

// isDone says whether pt's goroutine has ended.
func isDone(pt *partition) bool {
	select {
	case <-pt.done:
		return true
	default:
		return false
	}
}

// findingsSink writes findings lines whole: to a file or standard output,
// or published on a subject; acknowledged by JetStream when a stream
// captures the subject (setStream).
type findingsSink struct {
	mu      sync.Mutex
	w       *bufio.Writer
	file    *os.File
	nc      *nats.Conn
	js      jetstream.JetStream // the subject's stream's, acknowledged (nil: core NATS)
	subject string
	err     error        // a write that failed: findings lost, fatal
	refused atomic.Int64 // findings the subject's stream refused
	refusal atomic.Pointer[error]

	resendMu sync.Mutex  // not s.mu: flush holds that while the callbacks run
	resend   []*nats.Msg // findings whose acknowledgement a reconnect lost
}

// errNotConnected is a flush while NATS is away: the findings wait in the
// client's buffer, and no checkpoint goes past them meanwhile.
var errNotConnected = errors.New("not connected to NATS: the findings published wait to be sent")

func newFindingsSink(w io.Writer, file *os.File, nc *nats.Conn, subject string) *findingsSink {
	if file != nil {
		if st, err := file.Stat(); err != nil || !st.Mode().IsRegular() {
			file = nil // a pipe, a device: nothing to sync
		}
	}
	s := &findingsSink{file: file, subject: subject, nc: nc}
	if subject == "" {
		s.w = bufio.NewWriterSize(w, 64<<10)
	}
	return s
}

// setStream has the findings published through JetStream, each one
// acknowledged, when a stream captures the subject: a refusal is then a
// finding lost, which stops the consumer at its next checkpoint.
func (s *findingsSink) setStream(ctx context.Context, js jetstream.JetStream) (string, error) {
	name, err := js.StreamNameBySubject(ctx, s.subject)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	s.js, err = jetstream.New(s.nc, jetstream.WithPublishAsyncMaxPending(4096),
		jetstream.WithPublishAsyncErrHandler(func(_ jetstream.JetStream, m *nats.Msg, err error) {
			if errors.Is(err, nats.ErrDisconnected) {
				// Its acknowledgement was lost with the connection: sent
				// again at the next flush (stored once: its id).
				s.resendMu.Lock()
				s.resend = append(s.resend, m)
				s.resendMu.Unlock()
				return
			}
			s.refused.Add(1)
			s.refusal.CompareAndSwap(nil, &err)
		}))
	return name, err
}

func (s *findingsSink) write(line []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.subject != "" {
		s.publish(bytes.TrimSuffix(line, []byte{'\n'}))
		return
	}
	if s.w.Available() < len(line) && s.w.Buffered() > 0 {
		// Lines go out whole: a crash leaves no torn line for the
		// next start to append to.
		if err := s.w.Flush(); err != nil && s.err == nil {
			s.err = err
		}
	}
	if _, err := s.w.Write(line); err != nil && s.err == nil {
		s.err = err
	}
}

// publish sends a finding on the subject.
func (s *findingsSink) publish(data []byte) {
	data = bytes.Clone(data)
	var err error
	if s.js != nil {
		// Its id is its hash: a finding sent again (after a reconnect, or
		// judged again after a crash) is stored once in the duplicate
		// window of the findings' stream.
		h := fnv.New64a()
		h.Write(data)
		m := &nats.Msg{Subject: s.subject, Data: data, Header: nats.Header{}}
		m.Header.Set(jetstream.MsgIDHeader, strconv.FormatUint(h.Sum64(), 36))
		_, err = s.js.PublishMsgAsync(m, jetstream.WithStallWait(time.Minute))
	} else {
		err = s.nc.Publish(s.subject, data)
	}
	if err != nil && s.err == nil {
		s.err = err
	}
}

// flushEvery flushes the findings every d, so that they show at once; the
// function returned stops it.
func (s *findingsSink) flushEvery(d time.Duration) func() {
	if s.subject != "" {
		return func() {} // published as they come
	}
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				s.mu.Lock()
				if s.w.Buffered() > 0 {
					if err := s.w.Flush(); err != nil && s.err == nil {
						s.err = err
					}
				}
				s.mu.Unlock()
			}
		}
	}()
	return func() { close(quit); <-done }
}

// flush makes the findings written so far durable: flushed and synced to
// the file, or flushed to the NATS server.
func (s *findingsSink) flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	if s.subject != "" {
		if !s.nc.IsConnected() {
			return errNotConnected
		}
		if s.js != nil {
			for {
				select {
				case <-s.js.PublishAsyncComplete():
				case <-time.After(10 * time.Second):
					return errNotConnected
				}
				s.resendMu.Lock()
				again := s.resend
				s.resend = nil
				s.resendMu.Unlock()
				if len(again) == 0 {
					break
				}
				if !s.nc.IsConnected() {
					s.resendMu.Lock()
					s.resend = append(again, s.resend...)
					s.resendMu.Unlock()
					return errNotConnected
				}
				for _, m := range again {
					if _, err := s.js.PublishMsgAsync(m, jetstream.WithStallWait(time.Minute)); err != nil {
						s.err = err
						return err
					}
				}
			}
			if e := s.refusal.Load(); e != nil {
				s.err = fmt.Errorf("the findings' stream refused %d findings: %w", s.refused.Load(), *e)
				return s.err
			}
			return nil
		}
		if err := s.nc.FlushTimeout(10 * time.Second); err != nil {
			if !s.nc.IsConnected() {
				return errNotConnected
			}
			return err
		}
		return nil
	}
	if err := s.w.Flush(); err != nil {
		s.err = err
		return err
	}
	if s.file != nil {
		return s.file.Sync()
	}
	return nil
}

// serveOps serves /metrics and /healthz on ops; the function returned
// stops it.
func (c *consumer) serveOps(ops net.Listener) func() {
	if ops == nil {
		return func() {}
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", c.m.handler)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		var msg string
		if !c.nc.IsConnected() || !c.ctl.IsConnected() {
			msg += "not connected to NATS: " + c.nc.Status().String() + "\n"
		}
		c.mu.Lock()
		for p, why := range c.failed {
			msg += "partition " + strconv.Itoa(p) + " cannot start: " + why + "\n"
		}
		c.mu.Unlock()
		if msg != "" {
			http.Error(w, strings.TrimSuffix(msg, "\n"), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ops)
	c.cfg.log.Info("metrics and health on http://"+ops.Addr().String(), "metrics_addr", ops.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), opsStopWait)
		defer cancel()
		srv.Shutdown(ctx)
	}
}
