package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wcsfsm/wcsfsm/eventlog"
	"github.com/wcsfsm/wcsfsm/hookbody"
	"github.com/wcsfsm/wcsfsm/wcs"
)

func init() {
	commands["publish"] = command{"publish a JSON Lines log to a JetStream stream, partitioned as serve -nats does", runPublish}
}

func runPublish(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("wcsfsm publish", flag.ContinueOnError)
	fs.SetOutput(stderr)
	nf := addNATSFlags(fs, true)
	maxLine := fs.Int("max-line", eventlog.DefaultMaxLine, "longest line in `bytes`; longer lines are reported and skipped")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: wcsfsm publish -nats URL [-stream NAME] [-partition-count P] [-max-line N] [FILE ...]")
		fmt.Fprintln(stderr, "\nPublishes each line of the JSON Lines files (standard input for none or -) to the")
		fmt.Fprintln(stderr, "JetStream stream, on the partition of its node and session, as serve -nats publishes a")
		fmt.Fprintln(stderr, "hook (the stream is created if missing): to judge an archive with consume, or to fill")
		fmt.Fprintln(stderr, "a stream again from its export (convert -nats; a line is published as it is, and its")
		fmt.Fprintln(stderr, "export is the same line). Lines that are blank are skipped, and lines too long reported.")
		fmt.Fprintln(stderr, "Exit status: 0 all published, 1 lines skipped, 2 could not do the job.")
		fs.PrintDefaults()
	}
	rest, err := parseArgs(fs, args)
	if err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	nf.parsed(fs)
	if *nf.url == "" {
		fmt.Fprintln(stderr, "wcsfsm publish: -nats URL is needed")
		return 2
	}
	if *maxLine <= 0 || *maxLine > eventlog.MaxMaxLine {
		fmt.Fprintf(stderr, "wcsfsm publish: -max-line takes 1 to %d\n", eventlog.MaxMaxLine)
		return 2
	}
	names, files, err := openInputs(rest, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "wcsfsm publish: %v\n", err)
		return 2
	}
	defer closeAll(files)
	nc, err := nats.Connect(*nf.url, nats.Name("wcsfsm publish"), nats.MaxReconnects(-1))
	if err != nil {
		fmt.Fprintf(stderr, "wcsfsm publish: -nats %s: %v\n", *nf.url, err)
		return 2
	}
	defer nc.Close()
	var refused atomic.Int64
	var refusal atomic.Pointer[error]
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(4096),
		jetstream.WithPublishAsyncErrHandler(func(_ jetstream.JetStream, _ *nats.Msg, err error) {
			refused.Add(1)
			refusal.CompareAndSwap(nil, &err)
		}))
	if err != nil {
		fmt.Fprintf(stderr, "wcsfsm publish: %v\n", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	l, err := nf.ensureStream(ctx, js)
	cancel()
	if err != nil {
		fmt.Fprintf(stderr, "wcsfsm publish: %v\n", err)
		return 2
	}
	start := time.Now()
	var (
		dec        hookbody.Decoder
		n, skipped int64
		failed     error
	)
	for i, r := range files {
		br := bufio.NewReaderSize(r, 64<<10)
		for lineNo := 1; ; lineNo++ {
			line, err := readLine(br, *maxLine)
			if errors.Is(err, errLineTooLong) {
				fmt.Fprintf(stderr, "%s:%d: line longer than -max-line %d bytes: skipped\n", names[i], lineNo, *maxLine)
				skipped++
				continue
			}
			if err == io.EOF && len(line) == 0 {
				break
			}
			if err != nil && err != io.EOF {
				fmt.Fprintf(stderr, "wcsfsm publish: %s: %v\n", names[i], err)
				return 2
			}
			if len(trimSpace(line)) > 0 {
				m := publishedMessage(&dec, l, line)
				if _, perr := js.PublishMsgAsync(m, jetstream.WithExpectStream(l.Stream)); perr != nil && failed == nil {
					failed = perr
				}
				n++
			}
			if err == io.EOF {
				break
			}
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(time.Minute):
		fmt.Fprintln(stderr, "wcsfsm publish: not every hook acknowledged in a minute")
		return 2
	}
	if failed != nil {
		fmt.Fprintf(stderr, "wcsfsm publish: %v\n", failed)
		return 2
	}
	if e := refusal.Load(); e != nil {
		fmt.Fprintf(stderr, "wcsfsm publish: the stream refused %s of %d: %v (the others are stored; publish is not idempotent: publish again only what is missing, see convert -nats -from-seq)\n",
			plural(refused.Load(), "hook"), n, *e)
		return 2
	}
	d := time.Since(start)
	fmt.Fprintf(stderr, "wcsfsm publish: %s to stream %s in %.2f s (%.0f hooks/s)\n", plural(n, "hook"), l.Stream, d.Seconds(), float64(n)/d.Seconds())
	if n == 0 && skipped == 0 {
		fmt.Fprintln(stderr, "wcsfsm publish: nothing to publish")
		return 2
	}
	if skipped > 0 {
		return 1
	}
	return 0
}

// publishedMessage is the message of one line of JSON Lines: the line, on
// the partition of its node and session; a JSON string (a body that was no
// JSON object, in an export) as the body it holds; null (a body over
// -max-body) as a message marked too large.
func publishedMessage(dec *hookbody.Decoder, l streamLayout, line []byte) *nats.Msg {
	line = trimSpace(line)
	m := &nats.Msg{Data: line, Header: nats.Header{}}
	var ev wcs.Event
	switch {
	case len(line) == 0: // blank: on partition 0, judged as the empty body it is
	case string(line) == "null":
		m.Data = nil
		m.Header[tooLargeHeader] = []string{"0"}
	case line[0] == '"':
		var body string
		if json.Unmarshal(line, &body) == nil {
			m.Data = []byte(body)
		}
	case dec.Decode(line, &ev) == nil:
		node, key := ev.ShardKey()
		m.Subject = l.subject(wcs.Partition(node, key, l.Partitions))
	}
	if m.Subject == "" {
		m.Subject = l.subject(0)
	}
	return m
}

var errLineTooLong = errors.New("line too long")

// readLine reads one line (without its newline) of at most max bytes; a
// longer one is read to its end and errLineTooLong returned. At the end of
// the input it returns io.EOF, with the last line if it had no newline.
func readLine(br *bufio.Reader, max int) ([]byte, error) {
	var line []byte
	for {
		part, err := br.ReadSlice('\n')
		if len(line)+len(part) > max+1 {
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			if err != nil && err != io.EOF {
				return nil, err
			}
			return nil, errLineTooLong
		}
		line = append(line, part...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == nil {
			line = line[:len(line)-1]
		}
		return line, err
	}
}

// trimSpace is line without the JSON white space around it.
func trimSpace(line []byte) []byte {
	for len(line) > 0 && (line[0] == ' ' || line[0] == '\t' || line[0] == '\r' || line[0] == '\n') {
		line = line[1:]
	}
	for len(line) > 0 && (line[len(line)-1] == ' ' || line[len(line)-1] == '\t' || line[len(line)-1] == '\r' || line[len(line)-1] == '\n') {
		line = line[:len(line)-1]
	}
	return line
}
