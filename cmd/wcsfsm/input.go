package main

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"

	"github.com/wcsfsm/wcsfsm/eventlog"
)

// openInputs opens every file named ("-" is standard input; none at all
// means standard input) before anything is read, so that a missing file
// stops the job before any output. On an error the files opened are closed.
// Each is read through gzip when it starts as gzip does (maybeGzip).
func openInputs(names []string, stdin io.Reader) ([]string, []io.Reader, error) {
	if len(names) == 0 {
		names = []string{"-"}
	}
	files := make([]io.Reader, len(names))
	for i, n := range names {
		if n == "-" {
			files[i] = &maybeGzip{src: stdin}
			continue
		}
		f, err := os.Open(n)
		if err != nil {
			closeAll(files)
			return nil, nil, err
		}
		files[i] = &maybeGzip{src: f, file: f}
	}
	return names, files, nil
}

// regularFiles reports whether every input is a regular file: otherwise
// (a pipe, a terminal, a FIFO) the log may be read as it is written, and
// its findings should be shown as they come.
func regularFiles(files []io.Reader) bool {
	_, ok := inputSize(files)
	return ok
}

// inputSize returns the bytes the inputs hold, as they are on disk
// (compressed or not), and whether it is known: every input is a regular
// file, named or redirected to standard input. It is meant for before the
// reading: it counts each file's bytes from its offset, where reading
// begins. A pipe, a terminal or a FIFO has no size.
func inputSize(files []io.Reader) (int64, bool) {
	var total int64
	for _, f := range files {
		g, ok := f.(*maybeGzip)
		if !ok {
			return 0, false
		}
		src, ok := g.src.(*os.File)
		if !ok {
			return 0, false
		}
		st, err := src.Stat()
		if err != nil || !st.Mode().IsRegular() {
			return 0, false
		}
		size := st.Size()
		if off, err := src.Seek(0, io.SeekCurrent); err == nil && off <= size {
			size -= off
		}
		total += size
	}
	return total, true
}

// inputRead returns the bytes read so far from the inputs, as they are on
// disk (what inputSize counts: a compressed file's compressed bytes).
func inputRead(files []io.Reader) int64 {
	var n int64
	for _, f := range files {
		if g, ok := f.(*maybeGzip); ok {
			n += g.raw.Load()
		}
	}
	return n
}

func closeAll(files []io.Reader) {
	for _, f := range files {
		if g, ok := f.(*maybeGzip); ok && g.file != nil {
			g.file.Close()
		}
	}
}

// maybeGzip reads src, or what src decompresses to when it starts with
// gzip's magic number (a rotated log, flashphoner.log.1.gz, whatever its
// name): it looks at the first read, not at the open, so that standard
// input is not read before its turn. A damaged stream is a read error, after
// the whole lines that came before it.
type maybeGzip struct {
	src  io.Reader
	file *os.File // to close; nil for standard input
	r    io.Reader
	err  error
	raw  atomic.Int64 // bytes read from src (safe to read while reading goes on): progress
}

func (g *maybeGzip) Read(p []byte) (int, error) {
	if g.r == nil && g.err == nil {
		br := bufio.NewReaderSize(countingReader{g.src, &g.raw}, 64<<10)
		g.r = br
		m, err := br.Peek(2)
		if err != nil && err != io.EOF && len(m) < 2 {
			g.err = err // bufio forgets it once given: keep it
		}
		if len(m) == 2 && m[0] == 0x1f && m[1] == 0x8b {
			z, err := gzip.NewReader(br) // several members are one stream, as gunzip reads them
			if err != nil {
				g.r, g.err = nil, gzipError(err)
			} else {
				g.r = z
			}
		}
	}
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	if err != nil && err != io.EOF {
		if _, ok := g.r.(*gzip.Reader); ok {
			err = gzipError(err)
		}
	}
	return n, err
}

// countingReader counts the bytes read from r in n.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n.Add(int64(k))
	return k, err
}

// gzipError says that err comes from the decompression (gzip's own errors
// say so already; an unexpected EOF does not).
func gzipError(err error) error {
	if strings.HasPrefix(err.Error(), "gzip: ") {
		return err
	}
	return fmt.Errorf("gzip: %w", err)
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
// show. It returns how many files of each format it read, and how many held
// lines but not one hook (each said on stderr, after cmd, and read past);
// an error is a file that failed to read, named.
func readLog(v *eventlog.Validator, in inputFormat, names []string, files []io.Reader, stderr io.Writer, cmd string) ([2]int, int, error) {
	var formats [2]int
	noHooks := 0
	for i, r := range files {
		f := in.format
		if in.auto {
			br := bufio.NewReaderSize(r, 64<<10)
			f, r = eventlog.SniffReader(br), br
		}
		formats[f]++
		read := v.ReadJSONL
		if f == eventlog.FormatWCSLog {
			read = v.ReadWCSLog
		}
		if err := read(names[i], r); err != nil {
			var nh *eventlog.NoHookError
			if errors.As(err, &nh) {
				fmt.Fprintf(stderr, "%s: %v\n", cmd, err)
				noHooks++
				continue
			}
			return formats, noHooks, fmt.Errorf("%s: %w", names[i], err)
		}
	}
	return formats, noHooks, nil
}

// inputNote ends the summary: the format of the input, as -input auto
// chose it.
func inputNote(in inputFormat, formats [2]int) string {
	w, j := formats[eventlog.FormatWCSLog], formats[eventlog.FormatJSONL]
	switch {
	case w == 0 && !in.auto:
		return ""
	case w == 0:
		return "; input jsonl"
	case j == 0:
		return "; input wcslog"
	}
	return fmt.Sprintf("; input wcslog (%s) and jsonl (%s)", plural(int64(w), "file"), plural(int64(j), "file"))
}
