package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/wcsfsm/wcsfsm/eventlog"
	"github.com/wcsfsm/wcsfsm/hookbody"
	"github.com/wcsfsm/wcsfsm/tracker"
	"github.com/wcsfsm/wcsfsm/wcs"
	"github.com/wcsfsm/wcsfsm/wcslog"
)

func init() {
	commands["convert"] = command{"turn WCS server logs (flashphoner.log) into JSON Lines", runConvert}
}

func runConvert(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("wcsfsm convert", flag.ContinueOnError)
	fs.SetOutput(stderr)
	maxLine := fs.Int("max-line", eventlog.DefaultMaxLine, "longest entry in `bytes`; longer ones are reported and skipped")
	nf := addReadFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: wcsfsm convert [-max-line N] [FILE ...]")
		fmt.Fprintln(stderr, "\nReads WCS server logs (standard input for none or -) and writes each REST hook they show")
		fmt.Fprintln(stderr, "sent as one line of JSON Lines on standard output, with \"event\" set from the last segment")
		fmt.Fprintln(stderr, "of the hook's URL. Entries that cannot be read are reported on standard error and skipped.")
		fmt.Fprintln(stderr, "Rotated logs go oldest first: wcsfsm convert flashphoner.log.1 flashphoner.log")
		fmt.Fprintln(stderr, "With -nats URL: write the JSON Lines export of the JetStream stream -stream of serve")
		fmt.Fprintln(stderr, "-nats instead (from -from-seq or -from-time to its end), each hook a line as serve")
		fmt.Fprintln(stderr, "-state's journal holds it: its body with \"event\" set from the hook's name.")
		fmt.Fprintln(stderr, "Exit status: 0 all read, 1 bad entries skipped, 2 could not do the job (a file that")
		fmt.Fprintln(stderr, "cannot be read, or one with lines but not one SEND REST OBJECT entry).")
		fs.PrintDefaults()
	}
	rest, err := parseArgs(fs, args)
	if err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *nf.url != "" {
		if len(rest) > 0 {
			fmt.Fprintln(stderr, "wcsfsm convert: -nats reads the stream: no files")
			return 2
		}
		nf.parsed(fs)
		log, _ := newCommandLogger(stderr, "text", "wcsfsm convert")
		first, last, n, err := nf.export(context.Background(), stdout, log)
		if err != nil {
			fmt.Fprintf(stderr, "wcsfsm convert: %v\n", err)
			return 2
		}
		fmt.Fprintf(stderr, "wcsfsm convert: stream %s: %s, sequences %d to %d\n", *nf.stream, plural(n, "hook"), first, last)
		return 0
	}
	if *maxLine <= 0 {
		fmt.Fprintln(stderr, "wcsfsm convert: -max-line must be positive")
		return 2
	}
	names, files, err := openInputs(rest, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "wcsfsm convert: %v\n", err)
		return 2
	}
	defer closeAll(files)

	out := bufio.NewWriterSize(stdout, 64<<10)
	var (
		name                string
		line                []byte
		dec                 hookbody.Decoder
		events, other, bads int64
	)
	bad := func(n int, k tracker.Kind, msg string) {
		bads++
		f := tracker.Finding{File: name, Line: n, Severity: k.Severity(), Kind: k, Message: msg}
		fmt.Fprintln(stderr, f.String())
	}
	r := &wcslog.Reader{
		MaxEntry: *maxLine,
		Bad: func(err *wcslog.EntryError) {
			k := tracker.KindMalformed
			if errors.Is(err, wcslog.ErrTooLong) {
				k = tracker.KindLineTooLong
			}
			bad(err.Line, k, err.Msg)
		},
		Hook: func(h *wcslog.Hook) {
			if m, ok := h.Method(); ok && m.Kind == wcs.MethodKindOther && h.Object == nil {
				other++ // over the limit, and not checked: not written
				return
			}
			var err error
			if line, err = h.AppendJSONL(line[:0], &dec); err != nil {
				bad(h.Line, tracker.KindMalformed, err.Error())
				return
			}
			events++
			out.Write(append(line, '\n'))
		},
	}
	empty := 0
	for i, f := range files {
		name = names[i]
		before, lines := events+other+bads, r.LinesRead()
		if err := r.Read(f); err != nil {
			out.Flush()
			fmt.Fprintf(stderr, "wcsfsm convert: %s: %v\n", name, err)
			return 2
		}
		if events+other+bads == before && r.LinesRead() > lines {
			fmt.Fprintf(stderr, "wcsfsm convert: %s: not one SEND REST OBJECT entry: not a WCS server log, or not the log of the node that sent the hooks\n", name)
			empty++
		}
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintf(stderr, "wcsfsm convert: %v\n", err)
		return 2
	}
	skipped := ""
	if other > 0 {
		skipped = fmt.Sprintf(", %s over the limit skipped", plural(other, "other hook"))
	}
	fmt.Fprintf(stderr, "wcsfsm convert: %s, %s, %s written, %s%s\n", plural(int64(len(names)), "file"),
		plural(r.LinesRead(), "line"), plural(events, "hook"), plural(bads, "bad entry"), skipped)
	if empty > 0 {
		return 2
	}
	if bads > 0 {
		return 1
	}
	return 0
}
