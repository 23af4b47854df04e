package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wcsfsm/wcsfsm/hookbody"
	"github.com/wcsfsm/wcsfsm/tracker"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// The hooks on NATS JetStream (docs/scaling.md): serve -nats publishes each
// hook's body, as WCS sent it, on the subject PREFIX.<partition> of one
// stream, the partition that of wcs.Partition (the node and session of the
// hook, out of P); consume judges each partition with a tracker of its
// own; validate -nats and convert -nats read the stream back.

// Headers of a published hook.
const (
	// hookHeader names the hook, where the request path did: WCS bodies
	// carry no "event" (the journal's "event", at serve -state).
	hookHeader = "Wcs-Hook"
	// tooLargeHeader marks a request whose body was over -max-body: the
	// message has no body, the header gives the limit.
	tooLargeHeader = "Wcs-Too-Large"
	// metaPartitions and metaPrefix, in the stream's metadata, say how
	// the stream is partitioned, for every consumer to read.
	metaPartitions = "wcsfsm.partitions"
	metaPrefix     = "wcsfsm.prefix"
)

// Defaults of the NATS flags.
const (
	defaultStream     = "WCS_HOOKS"
	defaultPrefix     = "wcs.hooks"
	defaultPartitions = 16
)

// natsFlags are the flags of the stream, shared by serve, consume, validate
// and convert.
type natsFlags struct {
	url        *string
	stream     *string
	prefix     *string // serve only: a consumer reads it from the stream
	partitions *int    // serve only
	replicas   *int
	maxAge     *time.Duration
	maxBytes   *int64
	storage    *string
	dupWindow  *time.Duration
	given      map[string]bool // the flags on the command line (parsed)
}

// parsed records which flags the command line gave.
func (f *natsFlags) parsed(fs *flag.FlagSet) {
	f.given = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.given[fl.Name] = true })
}

// addNATSFlags adds the flags; creating says whether the command creates
// the stream (serve), which the stream's own flags are for.
func addNATSFlags(fs *flag.FlagSet, creating bool) *natsFlags {
	f := &natsFlags{
		url:    fs.String("nats", "", "the NATS `URL` of the JetStream server (nats://host:4222; a list, comma-separated, for a cluster)"),
		stream: fs.String("stream", defaultStream, "the JetStream stream `name` of the hooks"),
	}
	if creating {
		f.prefix = fs.String("subject-prefix", defaultPrefix, "with -nats: publish hooks on the subjects `PREFIX`.<partition>")
		f.partitions = fs.Int("partition-count", defaultPartitions, "with -nats: the number of partitions `P` of a stream serve creates (a stream that exists says its own)")
		f.replicas = fs.Int("replicas", 1, "with -nats: replicas of a stream serve creates (3 on a cluster of 3 or more)")
		f.maxAge = fs.Duration("max-age", 7*24*time.Hour, "with -nats: how long a stream serve creates keeps a hook (0: for ever)")
		f.maxBytes = fs.Int64("max-bytes", 0, "with -nats: the most `bytes` a stream serve creates keeps, the oldest hooks dropped past them (0: no bound)")
		f.storage = fs.String("storage", "file", "with -nats: the storage of a stream serve creates: file or memory")
		f.dupWindow = fs.Duration("duplicate-window", 2*time.Minute, "with -nats: how long JetStream remembers a hook's id, so that a publish tried again is stored once")
	}
	return f
}

// connectNATS connects to url and never gives up reconnecting: a JetStream
// server restarted is found again, and what is in flight is tried again.
func connectNATS(url, name string, log *slog.Logger) (*nats.Conn, jetstream.JetStream, error) {
	nc, err := nats.Connect(url,
		nats.Name(name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250*time.Millisecond),
		nats.RetryOnFailedConnect(false),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("NATS disconnected: "+err.Error(), "err", err.Error())
			}
		}),
		nats.ReconnectHandler(func(c *nats.Conn) {
			log.Info("NATS reconnected to "+c.ConnectedUrlRedacted(), "url", c.ConnectedUrlRedacted())
		}),
	)
	if err != nil {
		return nil, nil, fmt.Errorf("-nats %s: %w", url, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	return nc, js, nil
}

// streamLayout is how a stream is partitioned.
type streamLayout struct {
	Stream     string
	Prefix     string
	Partitions int
}

// subject is the subject of partition p.
func (l streamLayout) subject(p int) string { return l.Prefix + "." + strconv.Itoa(p) }

var (
	errNoStream  = errors.New("no such stream")
	namePattern  = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	tokenPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$`)
)

// ensureStream creates the stream of f if it is missing (serve), or checks
// it; it returns its layout, read from the stream's metadata.
func (f *natsFlags) ensureStream(ctx context.Context, js jetstream.JetStream) (streamLayout, error) {
	if !namePattern.MatchString(*f.stream) {
		return streamLayout{}, fmt.Errorf("-stream %q: a stream name is letters, digits, - and _", *f.stream)
	}
	s, err := js.Stream(ctx, *f.stream)
	if errors.Is(err, jetstream.ErrStreamNotFound) && f.partitions != nil {
		if !tokenPattern.MatchString(*f.prefix) {
			return streamLayout{}, fmt.Errorf("-subject-prefix %q: tokens of letters, digits, - and _, separated by dots", *f.prefix)
		}
		if *f.partitions < 1 || *f.partitions > 4096 {
			return streamLayout{}, fmt.Errorf("-partition-count %d: from 1 to 4096", *f.partitions)
		}
		storage := jetstream.FileStorage
		switch *f.storage {
		case "file":
		case "memory":
			storage = jetstream.MemoryStorage
		default:
			return streamLayout{}, fmt.Errorf("-storage %q: file or memory", *f.storage)
		}
		maxBytes := *f.maxBytes
		if maxBytes <= 0 {
			maxBytes = -1
		}
		s, err = js.CreateStream(ctx, jetstream.StreamConfig{
			Name:        *f.stream,
			Description: "WCS REST hooks, partitioned by wcs.Partition(nodeId, sessionId); written by wcsfsm serve -nats",
			Subjects:    []string{*f.prefix + ".*"},
			Retention:   jetstream.LimitsPolicy,
			MaxAge:      *f.maxAge,
			MaxBytes:    maxBytes,
			Storage:     storage,
			Replicas:    max(*f.replicas, 1),
			Duplicates:  *f.dupWindow,
			Discard:     jetstream.DiscardOld,
			Metadata:    map[string]string{metaPartitions: strconv.Itoa(*f.partitions), metaPrefix: *f.prefix},
		})
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			s, err = js.Stream(ctx, *f.stream) // another serve made it first
		}
	}
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return streamLayout{}, fmt.Errorf("-stream %s: %w on %s (serve -nats creates it)", *f.stream, errNoStream, *f.url)
	}
	if err != nil {
		return streamLayout{}, fmt.Errorf("-stream %s: %w", *f.stream, err)
	}
	md := s.CachedInfo().Config.Metadata
	l := streamLayout{Stream: *f.stream, Prefix: md[metaPrefix]}
	l.Partitions, err = strconv.Atoi(md[metaPartitions])
	if err != nil || l.Partitions < 1 || l.Prefix == "" {
		return streamLayout{}, fmt.Errorf("-stream %s: not a stream of wcsfsm (its metadata lacks %s and %s)", *f.stream, metaPartitions, metaPrefix)
	}
	if f.partitions != nil && *f.partitions != l.Partitions && flagSet(f, "partition-count") {
		return streamLayout{}, fmt.Errorf("-partition-count %d, but stream %s has %d: a stream keeps its partitions (see docs/scaling.md)", *f.partitions, *f.stream, l.Partitions)
	}
	if f.prefix != nil && *f.prefix != l.Prefix && flagSet(f, "subject-prefix") {
		return streamLayout{}, fmt.Errorf("-subject-prefix %s, but stream %s has %s", *f.prefix, *f.stream, l.Prefix)
	}
	return l, nil
}

// flagSet says whether the command line gave the flag name.
func flagSet(f *natsFlags, name string) bool { return f.given[name] }

// decodeMessage decodes a published hook into ev as serve judges a
// request: the body, with the hook named by the header where the path
// named it. A hook that cannot be judged (a body over serve's -max-body,
// one that is no JSON object) is rejected: the kind and message of its
// finding. consume and validate -nats judge with it, so that they agree.
func decodeMessage(dec *hookbody.Decoder, ev *wcs.Event, body []byte, hdr nats.Header) (k tracker.Kind, msg string, rejected bool) {
	if limit := hdr.Get(tooLargeHeader); limit != "" {
		msg := "request body over serve's -max-body; answered 413, not validated"
		if limit != "0" {
			msg = "request body of over " + limit + " bytes is longer than the limit of " + limit + " bytes (serve -max-body); answered 413, not validated"
		}
		return tracker.KindLineTooLong, msg, true
	}
	if err := dec.Decode(body, ev); err != nil {
		return tracker.KindMalformed, err.Error(), true
	}
	if hook := hdr.Get(hookHeader); hook != "" {
		ev.Event, ev.Types[wcs.FieldEvent] = hook, wcs.JSONTypeString
	}
	return 0, "", false
}

// hookName is the name the path of a request gives its hook, as serve
// judges it, and whether it names it (false: the body's own "event", or
// none); ev is the body, decoded by the caller. serve's judge names hooks
// the same way, and does more (the journal's UTF-8): keep the two alike.
func hookName(path string, ev *wcs.Event) (string, bool) {
	own := ev.Types[wcs.FieldEvent] == wcs.JSONTypeString
	if m, ok := wcs.LookupMethod(path); ok {
		return m.Name, !own || ev.Event != m.Name
	}
	if seg := wcs.LastSegment(path); ev.Types[wcs.FieldEvent] == wcs.JSONTypeAbsent && seg != "" {
		return seg, true
	}
	return ev.Event, false
}
