package eventlog

import (
	"bytes"
	"errors"
	"io"
	"strconv"

	"github.com/wcsfsm/wcsfsm/wcslog"
)

// ErrNoHook is the cause of a *NoHookError: test for it with errors.Is.
var ErrNoHook = errors.New("no hook in the input")

// A NoHookError reports an input that holds lines but not a single hook in
// the format it was read as: not one JSON object in JSON Lines, not one
// SEND REST OBJECT entry in a server log. A validator that validated
// nothing must not say the log is fine. Found says what the input holds
// instead, and how to read it.
type NoHookError struct {
	File   string // as findings name it
	Format Format // the format it was read as
	Found  string // what it holds instead, and what to do
}

func (e *NoHookError) Error() string {
	what := "not one JSON object"
	if e.Format == FormatWCSLog {
		what = "not one SEND REST OBJECT entry"
	}
	return e.File + ": " + what + " (read as " + e.Format.String() + "): " + e.Found
}

// Unwrap returns ErrNoHook.
func (e *NoHookError) Unwrap() error { return ErrNoHook }

// headLen is how much of the start of an input a Validator keeps, to say
// what an input without a hook holds.
const headLen = 16 << 10

// head keeps the first headLen bytes read from an input.
type head struct {
	r   io.Reader
	buf []byte
}

// start begins keeping the start of r, and returns the reader to read.
func (h *head) start(r io.Reader) io.Reader {
	h.r, h.buf = r, h.buf[:0]
	return h
}

func (h *head) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if room := headLen - len(h.buf); room > 0 && n > 0 {
		h.buf = append(h.buf, p[:min(n, room)]...)
	}
	return n, err
}

// noHook returns the error for the input just read as format f, which
// held no hook: what its start holds instead.
func (h *head) noHook(name string, f Format) error {
	return &NoHookError{File: name, Format: f, Found: describe(h.buf, f)}
}

// describe says what an input that held no hook in format f holds, from
// its start, and how to read it.
func describe(b []byte, f Format) string {
	truncated := len(b) >= headLen
	if truncated {
		if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
			b = b[:i+1] // whole lines only
		}
	}
	var lines, objects, logLines, indented, ellipses, pretty, sends int
	firstIndented := 0
	for n := 1; len(b) > 0; n++ {
		line, rest, _ := bytes.Cut(b, []byte{'\n'})
		b = rest
		line = bytes.TrimSuffix(line, []byte{'\r'})
		t := bytes.TrimSpace(line)
		if len(t) == 0 {
			continue
		}
		lines++
		trimmed := bytes.TrimLeft(line, " \t")
		switch {
		case bytes.Equal(t, []byte("...")) || bytes.Equal(t, []byte("…")):
			ellipses++
		case t[0] == '{' && t[len(t)-1] == '}' && len(t) > 1:
			objects++
		case wcslog.IsLogLine(line) && len(trimmed) == len(line):
			logLines++
		case len(trimmed) < len(line) && wcslog.IsLogLine(trimmed):
			indented++
			if firstIndented == 0 {
				firstIndented = n
			}
		case len(t) == 1 && t[0] == '{' || t[0] == '"' && (bytes.Contains(t, []byte(`" :`)) || bytes.Contains(t, []byte(`":`))):
			pretty++ // a lone brace, a member: an object over several lines
		}
		if bytes.Contains(line, []byte("SEND REST OBJECT")) {
			sends++
		}
	}
	ell := ""
	if ellipses > 0 {
		ell = " and the " + plural(ellipses, `"..." line`)
		if ellipses == 1 {
			ell = ` and the "..." line`
		}
	}
	switch {
	case indented > 0:
		return "it holds server-log entries indented as a page of docs shows them (the first at line " + strconv.Itoa(firstIndented) +
			"): remove the indent" + ell + " (sed -e '/^ *\\.\\.\\.$/d' -e 's/^    //'), and a comma left before a closing brace, and validate it again"
	case f == FormatJSONL && logLines > 0:
		return "its lines are those of a WCS server log (flashphoner.log), not JSON Lines: read it with -input wcslog (or auto)"
	case f == FormatWCSLog && objects > 0:
		return "its lines are JSON objects, one a line: JSON Lines, not a server log; read it with -input jsonl (or auto)"
	case f == FormatWCSLog && logLines > 0 && sends == 0:
		return "its lines are those of a server log, but not one is a SEND REST OBJECT ==> entry, which WCS writes for each REST hook it sends: is it the log of the node that sent them?"
	case f == FormatJSONL && pretty > 1:
		fix := "put each object on one line (jq -c . FILE)"
		if ellipses > 0 {
			fix = `remove the "..." lines and ` + fix
		}
		return "it holds a JSON object written over several lines (a page of docs, a pretty-printer), not JSON Lines: " + fix
	}
	switch {
	case truncated:
		return "none of its first " + plural(lines, "line") + " is a JSON object"
	case lines == 1:
		return "its one line is not a JSON object"
	}
	return "none of its " + plural(lines, "line") + " is a JSON object"
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if bytes.HasSuffix([]byte(word), []byte("entry")) {
		return strconv.Itoa(n) + " " + word[:len(word)-1] + "ies"
	}
	return strconv.Itoa(n) + " " + word + "s"
}
