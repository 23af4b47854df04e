package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wcsfsm/wcsfsm/eventlog"
	"github.com/wcsfsm/wcsfsm/tracker"
	"github.com/wcsfsm/wcsfsm/wcs"
)

func init() {
	commands["validate"] = command{"check a log of WCS events against the machines and the rules", runValidate}
}

func runValidate(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("wcsfsm validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "output `format`: text or json")
	lf := addLogFlags(fs)
	nf := addReadFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: wcsfsm validate [-format text|json] [-input auto|jsonl|wcslog] [-partial] [-tail] [-strict] [-j N] [FILE ...]")
		fmt.Fprintln(stderr, "\nReads the files (standard input for none or -) as one log and reports every finding.")
		fmt.Fprintln(stderr, "The files may be JSON Lines or WCS server logs (flashphoner.log); -input auto tells them")
		fmt.Fprintln(stderr, "apart, file by file, from their first lines. A file compressed with gzip is read as")
		fmt.Fprintln(stderr, "it is, whatever its name. Rotated server logs go oldest first:")
		fmt.Fprintln(stderr, "  wcsfsm validate flashphoner.log.2.gz flashphoner.log.1 flashphoner.log")
		fmt.Fprintln(stderr, "Use -partial for a log that carries only some families (a backend subscribed to")
		fmt.Fprintln(stderr, "some hooks), -tail for one that begins after its sessions did (a rotated file,")
		fmt.Fprintln(stderr, "tail -F, a receiver restarted).")
		fmt.Fprintln(stderr, "With -nats URL: judge the JetStream stream -stream of serve -nats instead of files, from")
		fmt.Fprintln(stderr, "-from-seq or -from-time to its end, each hook as wcsfsm consume judges it: a finding's file")
		fmt.Fprintln(stderr, "is the hook's subject, its line the hook's stream sequence.")
		fmt.Fprintln(stderr, "Exit status: 0 no error, 1 errors found, 2 could not do the job (bad flags, a")
		fmt.Fprintln(stderr, "file that cannot be read, a file with lines but not one hook).")
		fs.PrintDefaults()
	}
	rest, err := parseArgs(fs, args)
	if err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "wcsfsm validate: -format must be text or json, not %q\n", *format)
		return 2
	}
	in, ok := lf.check(stderr, "wcsfsm validate")
	if !ok {
		return 2
	}
	var names []string
	var files []io.Reader
	if *nf.url != "" {
		if len(rest) > 0 {
			fmt.Fprintln(stderr, "wcsfsm validate: -nats reads the stream: no files")
			return 2
		}
		nf.parsed(fs)
	} else {
		names, files, err = openInputs(rest, stdin)
		if err != nil {
			fmt.Fprintf(stderr, "wcsfsm validate: %v\n", err)
			return 2
		}
	}
	defer closeAll(files)

	batchGC()
	out := bufio.NewWriterSize(stdout, 64<<10)
	var buf []byte
	v := lf.validator()
	// A log read from a pipe may be one being written (tail -f): its
	// findings are shown within a tenth of a second (liveFlush), without a
	// write for each. Files are written in large pieces.
	var mu sync.Mutex
	v.Report = func(f tracker.Finding) {
		mu.Lock()
		if *format == "json" {
			buf = append(f.AppendJSON(buf[:0]), '\n')
		} else {
			buf = append(append(buf[:0], f.String()...), '\n')
		}
		out.Write(buf)
		mu.Unlock()
	}
	stopFlush := func() {}
	if !regularFiles(files) {
		stopFlush = liveFlush(out, &mu)
	}
	total, _ := inputSize(files) // 0 when unknown: no percent
	stop := progress(stderr, v, total, func() int64 { return inputRead(files) })
	var formats [2]int
	var noHooks int
	if *nf.url != "" {
		log, _ := newCommandLogger(stderr, "text", "wcsfsm validate")
		var first, last uint64
		var n int64
		first, last, n, err = nf.judge(context.Background(), v, log)
		if err == nil {
			fmt.Fprintf(stderr, "wcsfsm: stream %s: %s, sequences %d to %d\n", *nf.stream, plural(n, "hook"), first, last)
			names = []string{"nats:" + *nf.stream}
			if n == 0 {
				err = fmt.Errorf("stream %s holds no hook from there", *nf.stream)
			}
		}
	} else {
		formats, noHooks, err = readLog(v, in, names, files, stderr, "wcsfsm validate")
	}
	stopFlush()
	if err != nil {
		stop()
		out.Flush()
		fmt.Fprintf(stderr, "wcsfsm validate: %v\n", err)
		return 2
	}
	v.End()
	stop()
	if err := out.Flush(); err != nil {
		fmt.Fprintf(stderr, "wcsfsm validate: %v\n", err)
		return 2
	}
	st := v.Stats()
	fmt.Fprintln(stderr, summary(len(names), v.Lines.Load(), st)+inputNote(in, formats))
	if st.Findings[tracker.KindUnknownEvent] > 0 {
		fmt.Fprintln(stderr, knownHooks())
	}
	if noHooks > 0 {
		return 2
	}
	if st.Errors() > 0 || *lf.strict && st.Warnings() > 0 {
		return 1
	}
	return 0
}

// batchGC gives the garbage collector twice its default room (GOGC=200),
// unless GOGC says otherwise: a validation allocates its buffers and tables
// once, at the start, and the collections that this first growth sets off
// at the default cost it a few percent of its time; its live memory still
// follows the sessions open at once (docs/performance.md).
func batchGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
}

// summary is the line on standard error after the findings.
func summary(files int, lines int64, st tracker.Stats) string {
	var b strings.Builder
	fmt.Fprintf(&b, "wcsfsm: %s, %s, %s, %s: ", plural(int64(files), "file"), plural(lines, "line"),
		hookCounts(st), plural(st.Entities, "entity"))
	byKind := func(sev tracker.Severity) string {
		var parts []string
		var n int64
		for k := tracker.Kind(0); k < tracker.NumKinds; k++ {
			if c := st.Findings[k]; c > 0 && k.Severity() == sev {
				parts = append(parts, fmt.Sprintf("%s %d", k, c))
				n += c
			}
		}
		sort.Strings(parts)
		s := plural(n, sev.String())
		if len(parts) > 0 {
			s += " (" + strings.Join(parts, ", ") + ")"
		}
		return s
	}
	b.WriteString(byKind(tracker.SeverityError))
	b.WriteString(", ")
	b.WriteString(byKind(tracker.SeverityWarning))
	return b.String()
}

// hookCounts counts the hooks read, by kind (hooks.md): "50 hooks (32
// status events, 6 invocations, 8 commands, 4 other)".
func hookCounts(st tracker.Stats) string {
	var parts []string
	for k, word := range []string{wcs.MethodKindStatus: "status event", wcs.MethodKindInvocation: "invocation", wcs.MethodKindCommand: "command"} {
		if n := st.Hooks(wcs.MethodKind(k)); n > 0 {
			parts = append(parts, plural(n, word))
		}
	}
	if n := st.Hooks(wcs.MethodKindOther); n > 0 {
		parts = append(parts, fmt.Sprintf("%d other", n))
	}
	if n := st.Unknown(); n > 0 {
		parts = append(parts, fmt.Sprintf("%d unknown", n))
	}
	s := plural(st.Events, "hook")
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	return s
}

// knownHooks lists the hooks WCS posts, once a run, after the summary of a
// log with unknown-event findings.
func knownHooks() string {
	var b strings.Builder
	b.WriteString("wcsfsm: the hooks WCS posts (hooks.md; wcsfsm spec -hooks):")
	for k, word := range []string{wcs.MethodKindStatus: "status events", wcs.MethodKindInvocation: "invocations", wcs.MethodKindCommand: "commands", wcs.MethodKindOther: "other"} {
		var names []string
		for _, m := range wcs.Methods() {
			if m.Kind == wcs.MethodKind(k) {
				names = append(names, m.Name)
			}
		}
		fmt.Fprintf(&b, " %s: %s;", word, strings.Join(names, ", "))
	}
	b.WriteString(" names are case-sensitive; if WCS posts one that is not listed, please report it")
	return b.String()
}

func plural(n int64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(word, "y"))
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// liveFlush flushes out, under mu, every tenth of a second while there is
// something to flush; the returned function stops it.
func liveFlush(out *bufio.Writer, mu *sync.Mutex) func() {
	quit := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				mu.Lock()
				if out.Buffered() > 0 {
					out.Flush()
				}
				mu.Unlock()
			case <-quit:
				return
			}
		}
	}()
	return func() {
		close(quit)
		<-stopped
	}
}

// progress shows, on a terminal only, how far the reading got, once a
// second after the first: lines and bytes read, and when the size of the
// input is known (total > 0: regular files), the percent of it read (done
// gives the bytes read of it) and the time left at the rate so far. The
// returned function stops it and clears the line.
func progress(stderr io.Writer, v *eventlog.Validator, total int64, done func() int64) func() {
	f, ok := stderr.(*os.File)
	if !ok || !isTerminal(f) {
		return func() {}
	}
	start := time.Now()
	quit := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		ticker := time.NewTicker(time.Second)
		defer ticker.Stop()
		shown := false
		for {
			select {
			case <-ticker.C:
				fmt.Fprint(f, "\r"+progressLine(v.Lines.Load(), v.Bytes.Load(), done(), total, time.Since(start))+"\033[K")
				shown = true
			case <-quit:
				if shown {
					fmt.Fprint(f, "\r\033[K")
				}
				return
			}
		}
	}()
	return func() {
		close(quit)
		<-stopped
	}
}

// progressLine is the line progress shows after elapsed: the lines and the
// bytes read (MiB, as the files hold them once decompressed), and when
// total, the size of the inputs on disk, is known (> 0), the percent of it
// done (bytes read from the disk) and the time left at the rate so far.
//
//	wcsfsm: 1200000 lines, 512.0 MiB read, 42%, 1m05s left…
func progressLine(lines, bytes, done, total int64, elapsed time.Duration) string {
	s := fmt.Sprintf("wcsfsm: %d lines, %.1f MiB read", lines, float64(bytes)/(1<<20))
	if total <= 0 {
		return s + "…"
	}
	done = min(max(done, 0), total) // a file that grows while it is read: 100% at most
	s += fmt.Sprintf(", %d%%", done*100/total)
	if done > 0 && done < total && elapsed > 0 {
		left := elapsed.Seconds() * float64(total-done) / float64(done)
		s += ", " + shortDuration(time.Duration(min(left, 100*3600)*float64(time.Second))) + " left"
	}
	return s + "…"
}

// shortDuration writes d to the second, as a person reads it: 5s, 1m05s,
// 2h03m (at most 99h59m; an hour or more without its seconds).
func shortDuration(d time.Duration) string {
	sec := int64((d + time.Second/2) / time.Second)
	switch {
	case sec < 60:
		return fmt.Sprintf("%ds", sec)
	case sec < 3600:
		return fmt.Sprintf("%dm%02ds", sec/60, sec%60)
	}
	m := min((sec+30)/60, 99*60+59)
	return fmt.Sprintf("%dh%02dm", m/60, m%60)
}
