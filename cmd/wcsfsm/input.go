package main

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"github.com/wcsfsm/wcsfsm/eventlog"
)

// openInputs opens every file named ("-" is standard input; none at all
// means standard input) before anything is read, so that a missing file
// stops the job before any output. On an error the files opened are closed.
func openInputs(names []string, stdin io.Reader) ([]string, []io.Reader, error) {
	if len(names) == 0 {
		names = []string{"-"}
	}
	files := make([]io.Reader, len(names))
	for i, n := range names {
		if n == "-" {
			files[i] = stdin
			continue
		}
		f, err := os.Open(n)
		if err != nil {
			closeAll(files)
			return nil, nil, err
		}
		files[i] = f
	}
	return names, files, nil
}

func closeAll(files []io.Reader) {
	for _, f := range files {
		if c, ok := f.(*os.File); ok && c != os.Stdin {
			c.Close()
		}
	}
}

// inputFormat is the -input flag's value: "auto" or a format's name.
type inputFormat struct {
	auto   bool
	format eventlog.Format
}

func parseInput(s string) (inputFormat, bool) {
	if s == "auto" {
		return inputFormat{auto: true}, true
	}
	f, ok := eventlog.ParseFormat(s)
	return inputFormat{format: f}, ok
}

// readLog reads the files into v as one log, in the order given, each in
// its format: the one -input names, or, with auto, the one its first bytes
// show. It returns how many files of each format it read; an error is a
// file that failed to read, named.
func readLog(v *eventlog.Validator, in inputFormat, names []string, files []io.Reader) ([2]int, error) {
	var formats [2]int
	for i, r := range files {
		f := in.format
		if in.auto {
			br := bufio.NewReaderSize(r, 64<<10)
			head, _ := br.Peek(eventlog.SniffLen) // an error shows again when reading
			f, r = eventlog.Sniff(head), br
		}
		formats[f]++
		read := v.ReadJSONL
		if f == eventlog.WCSLog {
			read = v.ReadWCSLog
		}
		if err := read(names[i], r); err != nil {
			return formats, fmt.Errorf("%s: %w", names[i], err)
		}
	}
	return formats, nil
}

// inputNote ends the summary: the format of the input, as -input auto
// chose it, and the hooks of a server log that name no family.
func inputNote(in inputFormat, formats [2]int, hooks int64) string {
	w, j := formats[eventlog.WCSLog], formats[eventlog.JSONL]
	switch {
	case w == 0 && !in.auto:
		return ""
	case w == 0:
		return "; input jsonl"
	case j == 0:
		return fmt.Sprintf("; input wcslog, %s skipped", plural(hooks, "other hook"))
	}
	return fmt.Sprintf("; input wcslog (%s) and jsonl (%s), %s skipped", plural(int64(w), "file"), plural(int64(j), "file"), plural(hooks, "other hook"))
}
