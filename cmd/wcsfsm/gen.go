package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/wcsfsm/wcsfsm/synth"
)

func init() {
	commands["gen"] = command{"write a synthetic, valid event log, for load tests and benchmarks", runGen}
}

// runGen is "wcsfsm gen" (log-format.md): a log from package synth, which
// walks the same tables the validator uses, with every kind of hook of
// hooks.md, so that "validate -strict" reports nothing on it.
func runGen(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("wcsfsm gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	seed := fs.Uint64("seed", 1, "random `seed`: the same seed writes the same log")
	events := fs.Int("events", synth.DefaultEvents, "`number` of events (hooks, one a line) to write, exactly")
	sessions := fs.Int("sessions", synth.DefaultSessions, "`number` of sessions open at the same time (more sessions start and end as the log goes on)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: wcsfsm gen [-seed N] [-events N] [-sessions N]")
		fmt.Fprintln(stderr, "\nWrites a synthetic, valid WCS event log (JSON Lines, realistic hook bodies, sessions")
		fmt.Fprintln(stderr, "interleaved) to standard output: the whole hook stream a backend receives, the status")
		fmt.Fprintln(stderr, "events of all eight families with the invocations (connect, publishStream, call, ...),")
		fmt.Fprintln(stderr, "commands (hold, hangup, stopStream, ...) and other hooks WCS posts among them. Every")
		fmt.Fprintln(stderr, "entity walks its family's machine and every rule across families is kept: validate")
		fmt.Fprintln(stderr, "-strict reports nothing on it.")
		fs.PrintDefaults()
	}
	rest, err := parseArgs(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "wcsfsm gen: unexpected argument %q\n", rest[0])
		return 2
	}
	if *events <= 0 || *sessions <= 0 {
		fmt.Fprintln(stderr, "wcsfsm gen: -events and -sessions must be positive")
		return 2
	}
	w := bufio.NewWriterSize(stdout, 64<<10)
	_, err = synth.Write(w, synth.NewSource(*seed), synth.Options{Events: *events, Sessions: *sessions})
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		fmt.Fprintf(stderr, "wcsfsm gen: %v\n", err)
		return 2
	}
	return 0
}
