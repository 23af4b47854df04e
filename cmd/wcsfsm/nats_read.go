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

// export writes the JSON Lines export of the stream to w, from -from-seq
// or -from-time to the end of the stream as it is when the export starts:
// each hook a line, its body with "event" set from its name, as the journal
// of serve -state holds it (a body that is no JSON object as a JSON string,
// a body over -max-body as null). It returns the first and last sequences
// written (0, 0 for none).
func (f *readFlags) export(ctx context.Context, w io.Writer, log *slog.Logger) (first, last uint64, n int64, err error) {
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
	it, err := oc.Messages(jetstream.PullMaxMessages(4096))
	if err != nil {
		return 0, 0, 0, err
	}
	defer it.Stop()
	bw := bufio.NewWriterSize(w, 256<<10)
	var (
		dec  hookbody.Decoder
		line []byte
	)
	for last < end {
		msg, err := it.Next(jetstream.NextMaxWait(5 * time.Second))
		if errors.Is(err, nats.ErrTimeout) {
			// The rest of the stream is gone (its limits) or past a
			// filter: nothing more comes.
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
		line = exportLine(line[:0], &dec, msg.Data(), msg.Headers())
		if _, err := bw.Write(line); err != nil {
			return first, last, n, err
		}
		n++
		if meta.NumPending == 0 {
			break
		}
	}
	return first, last, n, bw.Flush()
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

// pipe returns a reader of the stream's export (an error of the export is
// the reader's); what it says of the stream goes to stderr.
func (f *readFlags) pipe(stderr io.Writer) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		log, _ := newCommandLogger(stderr, "text", "wcsfsm validate")
		first, last, n, err := f.export(context.Background(), pw, log)
		if err == nil && n > 0 {
			fmt.Fprintf(stderr, "wcsfsm: stream %s: %s, sequences %d to %d\n", *f.stream, plural(n, "hook"), first, last)
		}
		pw.CloseWithError(err)
	}()
	return pr
}
