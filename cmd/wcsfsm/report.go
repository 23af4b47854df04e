package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/wcsfsm/wcsfsm/report"
)

func init() {
	commands["report"] = command{"write an HTML audit page of a log: summary, findings, a timeline per session with findings, coverage", runReport}
}

// runReport is "wcsfsm report": validate's pass over the log, with a
// recorder of the sessions fed along, then one self-contained HTML page.
func runReport(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("wcsfsm report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	lf := addLogFlags(fs)
	// The recorder follows the events in the order taken: one tracker.
	j := fs.Lookup("j")
	j.Usage, j.DefValue = "taken as validate takes it, and not used: report reads with one tracker", "1"
	j.Value.Set("1")
	outFile := fs.String("o", "", "write the page to `FILE` (default standard output)")
	timelines := fs.Int("timelines", report.DefaultTimelines, "draw at most `N` timelines, the sessions with findings first")
	all := fs.Bool("all", false, "draw the sessions without findings too, in the room the others leave")
	window := fs.Int("window", report.DefaultWindow, "show `N` events of a session before and after each of its findings")
	maxFindings := fs.Int("max-findings", report.DefaultFindings, "list at most `N` findings in the table (the summary counts them all)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: wcsfsm report [validate's flags] [-o FILE] [-timelines N] [-all] [-window N] [-max-findings N] [FILE ...]")
		fmt.Fprintln(stderr, "\nReads the files (standard input for none or -) as one log, as validate does, and writes")
		fmt.Fprintln(stderr, "one self-contained HTML page (it loads nothing): a summary, the findings in a table that")
		fmt.Fprintln(stderr, "sorts and filters, a timeline per session with findings (its entities as lanes, each")
		fmt.Fprintln(stderr, "event a box at its line, the box a finding names in red with its message), and the")
		fmt.Fprintln(stderr, "coverage of each machine as a diagram with the counts on its edges. The page is bounded")
		fmt.Fprintln(stderr, "whatever the log: -timelines, -window, -max-findings; its memory follows the sessions")
		fmt.Fprintln(stderr, "open at once and the sessions drawn, not the length of the log.")
		fmt.Fprintln(stderr, "Exit status as validate's: 0 no error, 1 errors found, 2 could not do the job (and")
		fmt.Fprintln(stderr, "then no page: a file that cannot be read, a file with lines but not one hook).")
		fs.PrintDefaults()
	}
	rest, err := parseArgs(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	in, ok := lf.check(stderr, "wcsfsm report")
	if !ok {
		return 2
	}
	if *timelines < 1 || *window < 1 || *maxFindings < 1 {
		fmt.Fprintln(stderr, "wcsfsm report: -timelines, -window and -max-findings must be at least 1")
		return 2
	}
	names, files, err := openInputs(rest, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "wcsfsm report: %v\n", err)
		return 2
	}
	defer closeAll(files)

	batchGC()
	rec := report.NewRecorder(report.Options{Timelines: *timelines, All: *all, Window: *window, Findings: *maxFindings, Tail: *lf.tail})
	v := lf.validator()
	v.Observe = rec.Event
	v.Report = rec.Finding
	formats, noHooks, err := readLog(v, in, names, files, stderr, "wcsfsm report")
	if err != nil {
		fmt.Fprintf(stderr, "wcsfsm report: %v\n", err)
		return 2
	}
	v.End()
	st := v.Stats()
	if noHooks > 0 {
		// A file without a hook, said: no page of a log not read (as coverage).
		fmt.Fprintln(stderr, summary(len(names), v.Lines.Load(), st)+inputNote(in, formats))
		return 2
	}
	page := rec.Page(report.Input{Files: names, Lines: v.Lines.Load(), Stats: st, Coverage: v.Coverage()})
	if err := writePage(page, *outFile, stdout); err != nil {
		fmt.Fprintf(stderr, "wcsfsm report: %v\n", err)
		return 2
	}
	fmt.Fprintln(stderr, summary(len(names), v.Lines.Load(), st)+inputNote(in, formats))
	if st.Errors() > 0 || *lf.strict && st.Warnings() > 0 {
		return 1
	}
	return 0
}

// writePage writes the page to the file named, or to stdout for "": a
// regular file (or a new one) atomically, so that a page half written is
// never left under its name; anything else (a device such as /dev/null, a
// pipe) is written into, never replaced.
func writePage(p *report.Page, name string, stdout io.Writer) error {
	if name == "" || name == "-" {
		return p.WriteHTML(stdout)
	}
	if fi, err := os.Stat(name); err == nil && !fi.Mode().IsRegular() {
		f, err := os.OpenFile(name, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		if err := p.WriteHTML(f); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), ".report-*.html")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := p.WriteHTML(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
