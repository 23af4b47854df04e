package main

import (
	"flag"
	"fmt"
	"io"
	"runtime"

	"github.com/wcsfsm/wcsfsm/eventlog"
	"github.com/wcsfsm/wcsfsm/tracker"
)

// logFlags are validate's flags that say how a log is read and judged:
// report takes the same.
type logFlags struct {
	input                                 *string
	partial, tail, strict                 *bool
	maxLine, maxEntities, maxID, maxMarks *int
	jobs                                  *int
}

func addLogFlags(fs *flag.FlagSet) *logFlags {
	return &logFlags{
		input:       fs.String("input", "auto", "input `format`: auto, jsonl or wcslog"),
		partial:     fs.Bool("partial", false, "the log carries only some families: check a rule across families only where its other side appeared"),
		tail:        fs.Bool("tail", false, "the log may begin after some of its sessions began: take each entity's first status as it comes (implies -partial)"),
		strict:      fs.Bool("strict", false, "warnings count as errors"),
		maxLine:     fs.Int("max-line", eventlog.DefaultMaxLine, "longest line in `bytes`; longer lines are findings and skipped"),
		maxEntities: fs.Int("max-entities", tracker.DefaultMaxEntities, "most entities tracked at once"),
		maxID:       fs.Int("max-id", tracker.DefaultMaxID, "longest id in `bytes` (a key, a sessionId, a nodeId); an event with a longer one is a finding, not tracked"),
		maxMarks:    fs.Int("max-marks", tracker.DefaultMaxMarks, "most marks of forgotten sessions and entities kept (late teardown events are judged against them)"),
		jobs:        fs.Int("j", runtime.NumCPU(), "validate JSON Lines with `N` trackers in parallel, sharded by session (same findings, same order)"),
	}
}

// check says on stderr, after cmd, what is wrong with the flags; false:
// exit 2.
func (lf *logFlags) check(stderr io.Writer, cmd string) (inputFormat, bool) {
	in, ok := parseInput(*lf.input)
	if !ok {
		fmt.Fprintf(stderr, "%s: -input must be auto, jsonl or wcslog, not %q\n", cmd, *lf.input)
		return in, false
	}
	if *lf.jobs < 1 {
		fmt.Fprintf(stderr, "%s: -j must be at least 1\n", cmd)
		return in, false
	}
	if *lf.maxLine <= 0 || *lf.maxEntities <= 0 || *lf.maxMarks <= 0 || *lf.maxID <= 0 {
		fmt.Fprintf(stderr, "%s: -max-line, -max-entities, -max-marks and -max-id must be positive\n", cmd)
		return in, false
	}
	if *lf.maxEntities > tracker.MaxMaxEntities || *lf.maxMarks > tracker.MaxMaxMarks || *lf.maxLine > eventlog.MaxMaxLine {
		fmt.Fprintf(stderr, "%s: -max-entities and -max-marks take at most %d, -max-line at most %d\n", cmd, tracker.MaxMaxEntities, eventlog.MaxMaxLine)
		return in, false
	}
	return in, true
}

// validator returns a Validator as the flags set it, without Report.
func (lf *logFlags) validator() *eventlog.Validator {
	return &eventlog.Validator{
		Tracker: tracker.New(tracker.Options{Partial: *lf.partial, Tail: *lf.tail, MaxEntities: *lf.maxEntities, MaxMarks: *lf.maxMarks, MaxID: *lf.maxID}),
		MaxLine: *lf.maxLine,
		Jobs:    *lf.jobs,
	}
}
