package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wcsfsm/wcsfsm/eventlog"
	"github.com/wcsfsm/wcsfsm/hookbody"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// readFlags are the flags of validate and convert that read a stream.
type readFlags struct {
	*natsFlags
	fromSeq  *uint64
	fromTime *string
}

func addReadFlags(fs *flag.FlagSet) *readFlags {
	return &readFlags{
		natsFlags: addNATSFlags(fs, false),
		fromSeq:   fs.Uint64("from-seq", 0, "with -nats: read the stream from this `sequence` (default: its first hook)"),
		fromTime:  fs.String("from-time", "", "with -nats: read the stream from the hooks stored at this `time` on (RFC 3339: 2026-12-01T10:00:00Z)"),
	}
}

// each calls fn with each hook of the stream, in order, from -from-seq or
// -from-time to the end of the stream as it is when the reading starts. It
// returns the first and last sequences read (0, 0 for none) and how many.
func (f *readFlags) each(ctx context.Context, log *slog.Logger, fn func(msg jetstream.Msg, meta *jetstream.MsgMetadata) error) (first, last uint64, n int64, err error) {
	var start time.Time
	if *f.fromTime != "" {
		if start, err = time.Parse(time.RFC3339Nano, *f.fromTime); err != nil {
			return 0, 0, 0, fmt.Errorf("-from-time: %w", err)
		}
		if *f.fromSeq != 0 {
			return 0, 0, 0, errors.New("-from-seq and -from-time: one or the other")
		}
	}
	nc, js, err := connectNATS(*f.url, "wcsfsm read", log)
	if err != nil {
		return 0, 0, 0, err
	}
	defer nc.Close()
	setup, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	l, err := f.ensureStream(setup, js)
	if err != nil {
		return 0, 0, 0, err
	}
	s, err := js.Stream(setup, l.Stream)
	if err != nil {
		return 0, 0, 0, err
	}
	info, err := s.Info(setup)
	if err != nil {
		return 0, 0, 0, err
	}
	end := info.State.LastSeq
	if info.State.Msgs == 0 || *f.fromSeq > end {
		return 0, 0, 0, nil
	}
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: []string{l.Prefix + ".*"}, DeliverPolicy: jetstream.DeliverAllPolicy}
	switch {
	case *f.fromSeq > 0:
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, *f.fromSeq
	case !start.IsZero():
		cfg.DeliverPolicy, cfg.OptStartTime = jetstream.DeliverByStartTimePolicy, &start
	}
	oc, err := js.OrderedConsumer(setup, l.Stream, cfg)
	if err != nil {
		return 0, 0, 0, err
	}
	it, err := oc.Messages(jetstream.PullMaxMessagesWithBytesLimit(4096, 8<<20))
	if err != nil {
		return 0, 0, 0, err
	}
	defer it.Stop()
	for last < end {
		msg, err := it.Next(jetstream.NextMaxWait(5 * time.Second))
		if errors.Is(err, nats.ErrTimeout) {
			// The rest of the stream is gone (its limits): nothing more
			// comes.
			if ctx.Err() != nil {
				return first, last, n, ctx.Err()
			}
			break
		}
		if err != nil {
			return first, last, n, err
		}
		meta, err := msg.Metadata()
		if err != nil {
			return first, last, n, err
		}
		if first == 0 {
			first = meta.Sequence.Stream
		}
		last = meta.Sequence.Stream
		n++
		if err := fn(msg, meta); err != nil {
			return first, last, n, err
		}
		if meta.NumPending == 0 {
			break
		}
	}
	return first, last, n, nil
}

// export writes the JSON Lines export of the stream to w: each hook a
// line, its body with "event" set from its name, as the journal of serve
// -state holds it (a body that is no JSON object as a JSON string, a body
// over -max-body as null).
func (f *readFlags) export(ctx context.Context, w io.Writer, log *slog.Logger) (first, last uint64, n int64, err error) {
	bw := bufio.NewWriterSize(w, 256<<10)
	var (
		dec  hookbody.Decoder
		line []byte
	)
	first, last, n, err = f.each(ctx, log, func(msg jetstream.Msg, _ *jetstream.MsgMetadata) error {
		line = exportLine(line[:0], &dec, msg.Data(), msg.Headers())
		_, err := bw.Write(line)
		return err
	})
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	return first, last, n, err
}

// judge has v judge every hook of the stream as consume judges it: each
// finding names the hook's subject and its stream sequence as its file and
// line.
func (f *readFlags) judge(ctx context.Context, v *eventlog.Validator, log *slog.Logger) (first, last uint64, n int64, err error) {
	var (
		dec hookbody.Decoder
		ev  wcs.Event
	)
	return f.each(ctx, log, func(msg jetstream.Msg, meta *jetstream.MsgMetadata) error {
		v.Lines.Add(1)
		subject, seq := msg.Subject(), int(meta.Sequence.Stream)
		if k, why, rejected := decodeMessage(&dec, &ev, msg.Data(), msg.Headers()); rejected {
			v.Reject(subject, seq, k, why)
			return nil
		}
		ev.File, ev.Line = subject, seq
		v.Take(&ev)
		return nil
	})
}

// exportLine is the JSON Lines line of a published hook, as the journal of
// serve -state holds the request.
func exportLine(b []byte, dec *hookbody.Decoder, body []byte, hdr nats.Header) []byte {
	if hdr.Get(tooLargeHeader) != "" {
		return append(b, journalTooLarge...)
	}
	hook := hdr.Get(hookHeader)
	var ev wcs.Event
	derr := dec.Decode(body, &ev)
	return appendJournalLine(b, body, hook, hook != "", derr)
}
