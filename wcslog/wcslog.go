package wcslog

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
	"sync/atomic"
	"unsafe"

	"github.com/wcsfsm/wcsfsm/hookbody"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// DefaultMaxEntry is the longest entry a Reader reads, in bytes after its
// first line, unless told otherwise: 1 MiB.
const DefaultMaxEntry = 1 << 20

// The markers of the entries of a server log that carry REST hooks.
const (
	sendMarker = "SEND REST OBJECT"
	recvMarker = "RECEIVED REST OBJECT"
)

// bom is the UTF-8 byte order mark, skipped at the start of a file.
var bom = []byte("\xef\xbb\xbf")

// The causes of an [EntryError], for errors.Is.
var (
	// ErrMalformed: the entry cannot be read: no URL: or OBJECT: line, or an
	// object that never closes.
	ErrMalformed = errors.New("malformed entry")
	// ErrTooLong: the entry is longer than the limit (MaxEntry).
	ErrTooLong = errors.New("entry too long")
)

// EntryError is an entry of a server log that could not be read. Its
// cause (Unwrap) is ErrMalformed or ErrTooLong; Msg is the sentence that a
// finding about it carries.
type EntryError struct {
	Line int    // the line of the SEND REST OBJECT entry, from 1
	Err  error  // ErrMalformed or ErrTooLong
	Msg  string // what was wrong, for a person
}

func (e *EntryError) Error() string { return "line " + itoa(e.Line) + ": " + e.Msg }

// Unwrap returns the cause.
func (e *EntryError) Unwrap() error { return e.Err }

// IsLogLine reports whether line tells a server log: it starts with a log4j
// timestamp (13:39:39,893 or 2024-05-06 13:39:39,893) or names a REST
// object sent or received.
func IsLogLine(line []byte) bool {
	return logStart(line) || bytes.Contains(line, []byte(sendMarker)) || bytes.Contains(line, []byte(recvMarker))
}

func itoa(i int) string { return strconv.Itoa(i) }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// logStart reports whether line starts as a log4j entry does: with the time
// of day, HH:MM:SS, optionally after the date, YYYY-MM-DD.
func logStart(b []byte) bool {
	if len(b) >= 11 && isDigit(b[0]) && isDigit(b[1]) && isDigit(b[2]) && isDigit(b[3]) && b[4] == '-' &&
		isDigit(b[5]) && isDigit(b[6]) && b[7] == '-' && isDigit(b[8]) && isDigit(b[9]) && (b[10] == ' ' || b[10] == 'T') {
		b = b[11:]
	}
	return len(b) >= 8 && isDigit(b[0]) && isDigit(b[1]) && b[2] == ':' && isDigit(b[3]) && isDigit(b[4]) &&
		b[5] == ':' && isDigit(b[6]) && isDigit(b[7])
}

// Hook is one REST hook that WCS sent, as its server log shows it: a
// "SEND REST OBJECT ==>" entry, its URL: line and its pretty-printed
// OBJECT:.
type Hook struct {
	Line       int    // the line of the SEND REST OBJECT entry, from 1
	ObjectLine int    // the line where the object starts
	URL        string // the URL, as logged; valid only during the call that gets the Hook
	Object     []byte // the object, as logged; valid only during the call that gets the Hook (nil for a hook that is not checked, hooks.md section 4, and is longer than the limit)
}

// Method returns the REST method the hook's URL names by its last segment,
// if it names one WCS posts (hooks.md).
func (h *Hook) Method() (wcs.Method, bool) { return wcs.LookupMethod(h.URL) }

// Malformed explains, in a finding's message, why the hook's object is not
// what the decoder took: err is the decoder's error (an *hookbody.Error).
// The position is given as a line of the log.
func (h *Hook) Malformed(err error) string {
	var derr *hookbody.Error
	if !errors.As(err, &derr) {
		return entryName(h.URL) + ": " + err.Error() + "; skipped"
	}
	msg := "not valid JSON: " + derr.Msg
	if derr.Offset < 0 {
		msg = "not a JSON object but " + derr.Msg
	} else if derr.Offset <= len(h.Object) {
		msg += " at line " + itoa(h.ObjectLine+bytes.Count(h.Object[:derr.Offset], []byte{'\n'}))
	}
	return entryName(h.URL) + ": the object is " + msg + "; skipped"
}

// AppendJSONL appends the hook as one line of JSON Lines, without the
// newline: a compact object with "event" first, set to the hook its URL
// names by its last segment, then the object's fields in their order, their
// values as logged (but for the insignificant white space); a URL without
// a last segment is the event whole. An "event" field of the object itself
// is dropped: the URL wins. The error (and dst unchanged) is for an entry
// without a URL, or an object that is not a valid JSON object; its message
// is the one validate reports.
func (h *Hook) AppendJSONL(dst []byte, d *hookbody.Decoder) ([]byte, error) {
	name := wcs.LastSegment(h.URL)
	if m, ok := h.Method(); ok {
		name = m.Name
	} else if name == "" {
		name = h.URL // it names no hook: validate says so (unknown-event)
	}
	if name == "" {
		return dst, errors.New(entryName(h.URL) + ": the URL names no hook; skipped")
	}
	if h.Object == nil {
		return dst, errors.New(entryName(h.URL) + ": the object is longer than the limit; skipped")
	}
	if d == nil {
		d = new(hookbody.Decoder)
	}
	out, err := d.AppendWithEvent(dst, h.Object, name)
	if err != nil {
		return dst, errors.New(h.Malformed(err))
	}
	return out, nil
}

// entryName names an entry in messages: by the last segment of its URL.
func entryName(url string) string {
	seg := wcs.LastSegment(url)
	if seg == "" {
		return "SEND REST OBJECT entry"
	}
	return "SEND REST OBJECT entry to " + seg
}

// Reader splits WCS server logs into the REST hooks WCS sent, in one
// pass, as a stream: it holds one entry at a time, at most MaxEntry bytes
// of it. Every other line of the log (other loggers, the answers received,
// stack traces, SIP dumps) is passed over. An entry it cannot read (no URL:
// or OBJECT: line, an object that never closes, one longer than MaxEntry)
// goes to Bad, and reading goes on at the next entry. docs/wcslog.md has
// the format.
type Reader struct {
	MaxEntry int               // longest entry in bytes, after its first line; 0: DefaultMaxEntry
	Hook     func(h *Hook)     // each SEND REST OBJECT entry read whole; nil: none
	Bad      func(*EntryError) // each entry that cannot be read; nil: none

	// Lines and Bytes count the lines and bytes read so far, as they are
	// read (safe to read meanwhile); nil: counted in the Reader's own,
	// which LinesRead gives.
	Lines, Bytes *atomic.Int64

	s            wcsScanner
	lines, bytes atomic.Int64
}

// Held returns how many bytes of the entry in progress the Reader holds,
// and the capacity it keeps for them: bounded by MaxEntry, whatever the
// log.
func (r *Reader) Held() (n, capacity int) { return len(r.s.obj), cap(r.s.obj) }

// LinesRead returns the lines read so far.
func (r *Reader) LinesRead() int64 {
	if r.Lines != nil {
		return r.Lines.Load()
	}
	return r.lines.Load()
}

// Read reads one server log from r. Several calls continue counting lines
// and bytes; each input starts at its line 1. The error is only for a
// failing reader.
func (r *Reader) Read(src io.Reader) error {
	r.s.maxEntry = r.MaxEntry
	if r.s.maxEntry <= 0 {
		r.s.maxEntry = DefaultMaxEntry
	}
	r.s.lines, r.s.bytes = r.Lines, r.Bytes
	if r.s.lines == nil {
		r.s.lines = &r.lines
	}
	if r.s.bytes == nil {
		r.s.bytes = &r.bytes
	}
	r.s.hook, r.s.bad = r.Hook, r.Bad
	if r.s.hook == nil {
		r.s.hook = func(*Hook) {}
	}
	if r.s.bad == nil {
		r.s.bad = func(*EntryError) {}
	}
	return r.s.scan(src)
}

// The states of the scanner: where in an entry it is.
const (
	wIdle       uint8 = iota // between entries
	wURL                     // after a SEND line: the URL: line next
	wObjectLine              // after the URL: line: the OBJECT: line next
	wOpen                    // after the OBJECT: line: the object's '{' next
	wObject                  // in the object
)

// maxURL bounds the bytes of a URL: line kept, whatever the limit of an
// entry (the URL names the entry even when the entry is too long).
const maxURL = 8 << 10

// wcsScanner is the state of the reading of a server log.
type wcsScanner struct {
	maxEntry     int
	lines, bytes *atomic.Int64
	hook         func(*Hook)
	bad          func(*EntryError)

	br      *bufio.Reader
	lineNo  int
	state   uint8
	h       Hook
	url     []byte
	obj     []byte
	size    int  // bytes of the entry after its SEND line
	tooLong bool // the entry is longer than maxEntry: no more of it is held
	depth   int  // braces open, outside strings
	inStr   bool
	esc     bool
	closed  bool // the object's last brace is read; the rest of its line follows
	skip    bool // the rest of the current line is of no interest
}

// scan reads r to its end, line by line: each line comes in chunks of at
// most the buffer's size, so that no line, however long, is held whole.
func (s *wcsScanner) scan(r io.Reader) error {
	if s.br == nil {
		s.br = bufio.NewReaderSize(r, 64<<10)
	} else {
		s.br.Reset(r)
	}
	s.lineNo, s.state, s.skip = 0, wIdle, false
	first := true // the chunk starts a line
	for {
		chunk, err := s.br.ReadSlice('\n')
		s.bytes.Add(int64(len(chunk)))
		last := err != bufio.ErrBufferFull
		if len(chunk) > 0 {
			if first {
				s.lineNo++
				s.lines.Add(1)
				if s.lineNo == 1 {
					chunk = bytes.TrimPrefix(chunk, bom)
				}
			}
			s.chunk(chunk, first, last)
		}
		first = last
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			s.end()
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// chunk takes one piece of a line: first if it starts the line, last if it
// ends it (then with its line ending, if any).
func (s *wcsScanner) chunk(c []byte, first, last bool) {
	if !first && s.skip {
		s.skip = !last
		return
	}
	switch s.state {
	case wIdle:
		if first && s.isSend(c) {
			s.h = Hook{Line: s.lineNo}
			s.url, s.obj = s.url[:0], s.obj[:0]
			s.size, s.tooLong = 0, false
			s.state = wURL
			s.skip = !last // the rest of the SEND line
		}
	case wURL:
		if first {
			if !bytes.HasPrefix(c, []byte("URL:")) {
				s.fail(ErrMalformed, "SEND REST OBJECT entry without its URL: line (line "+itoa(s.lineNo)+" is not one); skipped")
				s.chunk(c, first, last)
				return
			}
		}
		s.grow(len(c))
		if first {
			c = c[4:]
		}
		if room := maxURL - len(s.url); room > 0 {
			s.url = append(s.url, c[:min(len(c), room)]...)
		}
		if last {
			s.url = bytes.TrimSpace(s.url)
			s.h.URL = bytesToString(s.url)
			s.state = wObjectLine
		}
	case wObjectLine:
		if first {
			if !bytes.HasPrefix(c, []byte("OBJECT:")) {
				s.fail(ErrMalformed, entryName(s.h.URL)+" without its OBJECT: line (line "+itoa(s.lineNo)+" is not one); skipped")
				s.chunk(c, first, last)
				return
			}
			s.grow(7)
			s.state = wOpen
			if rest := c[7:]; len(bytes.TrimSpace(rest)) > 0 {
				s.chunk(rest, true, last) // the object starts on the OBJECT: line
			} else {
				s.grow(len(rest))
			}
			return
		}
		s.grow(len(c))
	case wOpen:
		t := bytes.TrimLeft(c, " \t\r\n")
		if len(t) == 0 {
			s.grow(len(c))
			return
		}
		if t[0] != '{' {
			s.fail(ErrMalformed, entryName(s.h.URL)+": OBJECT: is not followed by a JSON object (line "+itoa(s.lineNo)+"); skipped")
			s.chunk(c, first, last)
			return
		}
		s.h.ObjectLine = s.lineNo
		s.depth, s.inStr, s.esc, s.closed = 0, false, false, false
		s.state = wObject
		s.feed(c, last)
	case wObject:
		if first && s.interrupts(c) {
			s.fail(s.unclosedCause(), s.unclosed("line "+itoa(s.lineNo)+" starts a new log entry"))
			s.chunk(c, first, last)
			return
		}
		s.feed(c, last)
	}
}

// isSend reports whether the line starts a SEND REST OBJECT entry.
func (s *wcsScanner) isSend(c []byte) bool {
	if len(c) == 0 || c[0] == ' ' || c[0] == '\t' {
		return false
	}
	return bytes.Contains(c, []byte(sendMarker))
}

// interrupts reports whether a line in an object starts a new log entry
// instead: the lines of a pretty-printed object start with white space or
// a closing brace, a log entry with its time or a REST marker.
func (s *wcsScanner) interrupts(c []byte) bool {
	switch c[0] {
	case ' ', '\t', '}', ']', '\r', '\n':
		return false
	}
	return logStart(c) || bytes.Contains(c, []byte(sendMarker)) || bytes.Contains(c, []byte(recvMarker))
}

// grow counts n more bytes of the entry.
func (s *wcsScanner) grow(n int) {
	s.size += n
	if s.size > s.maxEntry {
		s.tooLong = true
	}
}

// wcsSpecial marks the bytes the brace count looks at, outside strings.
var wcsSpecial = [256]bool{'{': true, '}': true, '"': true}

// feed takes a piece of the object: it counts the braces outside strings
// until the object closes, holds the piece (unless the entry is too long),
// and at the end of the line that closes the object, finishes the entry.
func (s *wcsScanner) feed(c []byte, last bool) {
	s.grow(len(c))
	if !s.tooLong {
		s.obj = append(s.obj, c...)
	}
	if !s.closed {
	scan:
		for i := 0; i < len(c); i++ {
			if s.inStr {
				if s.esc {
					s.esc = false // the escaped byte
					continue
				}
				for i < len(c) && strPlain[c[i]] {
					i++
				}
				if i >= len(c) {
					break
				}
				switch c[i] {
				case '\\':
					s.esc = true
				case '"':
					s.inStr = false
				}
				continue
			}
			for i < len(c) && !wcsSpecial[c[i]] {
				i++
			}
			if i >= len(c) {
				break
			}
			switch c[i] {
			case '"':
				s.inStr = true
			case '{':
				s.depth++
			case '}':
				s.depth--
				if s.depth == 0 {
					s.closed = true
					break scan
				}
			}
		}
	}
	if !last {
		return
	}
	// JSON strings do not span lines: a quote left open is the decoder's
	// to report, not a reason to read the rest of the log as a string.
	s.inStr, s.esc = false, false
	if s.closed {
		s.finish()
	}
}

// finish hands on the entry whose object closed.
func (s *wcsScanner) finish() {
	s.state = wIdle
	s.h.Object = s.obj
	if s.tooLong {
		if s.event() {
			s.bad(&EntryError{Line: s.h.Line, Err: ErrTooLong, Msg: entryName(s.h.URL) + " of " + itoa(s.size) + " bytes is longer than the limit of " +
				itoa(s.maxEntry) + " bytes; skipped"})
			return
		}
		s.h.Object = nil // a hook that is no event: its size does not matter
	}
	s.hook(&s.h)
}

// event reports whether the entry's hook is checked: any but the other
// hooks of hooks.md (section 4), whose size does not matter.
func (s *wcsScanner) event() bool {
	m, ok := wcs.LookupMethod(s.h.URL)
	return !ok || m.Kind != wcs.MethodKindOther
}

// fail reports the entry in progress as one that cannot be read, and goes
// back to looking for the next entry.
func (s *wcsScanner) fail(cause error, msg string) {
	s.state = wIdle
	s.bad(&EntryError{Line: s.h.Line, Err: cause, Msg: msg})
}

// unclosedCause is the cause for an object that never closes: an entry
// already over the limit is reported as such, once.
func (s *wcsScanner) unclosedCause() error {
	if s.tooLong && s.event() {
		return ErrTooLong
	}
	return ErrMalformed
}

func (s *wcsScanner) unclosed(why string) string {
	msg := entryName(s.h.URL) + ": its object, from line " + itoa(s.h.ObjectLine) + ", never closes: " + why
	if s.tooLong && s.event() {
		msg += ", and the entry is longer than the limit of " + itoa(s.maxEntry) + " bytes"
	}
	return msg + "; skipped"
}

// end closes the input: an entry left open is reported.
func (s *wcsScanner) end() {
	const eof = "the file ends (truncated, or cut by rotation?)"
	switch s.state {
	case wURL:
		s.fail(ErrMalformed, "SEND REST OBJECT entry without its URL: line ("+eof+"); skipped")
	case wObjectLine:
		s.fail(ErrMalformed, entryName(s.h.URL)+" without its OBJECT: line ("+eof+"); skipped")
	case wOpen:
		s.fail(ErrMalformed, entryName(s.h.URL)+": OBJECT: is not followed by a JSON object ("+eof+"); skipped")
	case wObject:
		s.fail(s.unclosedCause(), s.unclosed(eof))
	}
}

// bytesToString is b as a string, without a copy: valid while b is.
func bytesToString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// strPlain marks the bytes that may stand in a JSON string as they are.
var strPlain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return
}()
