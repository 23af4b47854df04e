package eventlog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"sync/atomic"
)

// Format is the format of an input log.
type Format uint8

const (
	JSONL  Format = iota // JSON Lines, one event a line (log-format.md)
	WCSLog               // WCS's own server log, flashphoner.log (docs/wcslog.md)
)

var formatNames = [...]string{JSONL: "jsonl", WCSLog: "wcslog"}

// String returns the format's name as the -input flag spells it: "jsonl"
// or "wcslog".
func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return "Format(" + itoa(int(f)) + ")"
}

// ParseFormat returns the format named s ("jsonl" or "wcslog").
func ParseFormat(s string) (Format, bool) {
	for f, n := range formatNames {
		if n == s {
			return Format(f), true
		}
	}
	return 0, false
}

// SniffLen is the length of the prefix that Sniff needs to decide: give it
// that many bytes of the input, or all of it when it is shorter.
const SniffLen = 4096

// The markers of the entries of a server log that carry REST hooks.
const (
	sendMarker = "SEND REST OBJECT"
	recvMarker = "RECEIVED REST OBJECT"
)

var bom = []byte("\xef\xbb\xbf")

// Sniff tells the format of a log from its first bytes (see SniffLen),
// without any other context. The first line that tells is decisive: a line
// that holds a whole JSON object, or its start ('{' followed by more than
// the brace alone), is JSON Lines; a line that starts with a log4j
// timestamp (13:39:39,893 or 2024-05-06 13:39:39,893) or names a REST
// object sent or received is a server log. Blank lines and lines that tell
// neither (a stack trace, the middle of a pretty-printed object) are passed
// over. A prefix that never tells is JSON Lines, the format of log-format.md.
func Sniff(prefix []byte) Format {
	f, _ := sniff(prefix)
	return f
}

// sniff is Sniff that also reports whether a line told.
func sniff(prefix []byte) (Format, bool) {
	p := bytes.TrimPrefix(prefix, bom)
	for len(p) > 0 {
		line, rest, _ := bytes.Cut(p, []byte{'\n'})
		p = rest
		t := bytes.TrimSpace(line)
		switch {
		case len(t) == 0:
		case t[0] == '{':
			if len(t) > 1 {
				return JSONL, true
			}
			// A lone brace opens a pretty-printed object: a server log cut
			// in the middle of an entry.
		case logStart(line) || bytes.Contains(line, []byte(sendMarker)) || bytes.Contains(line, []byte(recvMarker)):
			return WCSLog, true
		}
	}
	return JSONL, false
}

// SniffReader tells the format of what br reads as Sniff does, peeking no
// further than it needs: to the end of the first whole line that tells, or
// SniffLen bytes, or the end of the input. So a log read as it is written
// (from a pipe) is told by its first line, without waiting for more. What it
// peeks at stays in br to be read. A read error is not reported here: it
// shows when reading if the reader gives it again, as files do.
func SniffReader(br *bufio.Reader) Format {
	for n := 1; ; {
		head, err := br.Peek(n)
		if err == nil {
			head, _ = br.Peek(br.Buffered()) // all that is at hand
		}
		if err != nil || len(head) >= SniffLen {
			return Sniff(head[:min(len(head), SniffLen)])
		}
		if i := bytes.LastIndexByte(head, '\n'); i >= 0 {
			if f, ok := sniff(head[:i+1]); ok {
				return f
			}
		}
		n = len(head) + 1 // wait for more than is at hand
	}
}

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
	Object     []byte // the object, as logged; valid only during the call that gets the Hook (nil for a hook whose URL names no family and that is longer than the limit)
}

// Family returns the family the hook's URL names by its last segment, if
// any (the /connect, /publishStream, … hooks name none).
func (h *Hook) Family() (Family, bool) { return FamilyOf(h.URL) }

// malformed explains why the hook's object is not what the decoder took:
// err is the decoder's error. The position is given as a line of the log.
func (h *Hook) malformed(err *DecodeError) string {
	msg := "not valid JSON: " + err.Msg
	if err.Offset < 0 {
		msg = "not a JSON object but " + err.Msg
	} else if err.Offset <= len(h.Object) {
		msg += " at line " + itoa(h.ObjectLine+bytes.Count(h.Object[:err.Offset], []byte{'\n'}))
	}
	return entryName(h.URL) + ": the object is " + msg + "; skipped"
}

// AppendJSONL appends the hook as one line of JSON Lines, without the
// newline: a compact object with "event" first, set to the family its URL
// names, then the object's fields in their order, their values as logged
// (but for the insignificant white space). An "event" field of the object
// itself is dropped: the URL wins. The error (and dst unchanged) is for a
// URL that names no family, or an object that is not a valid JSON object;
// its message is the one validate reports.
func (h *Hook) AppendJSONL(dst []byte, d *Decoder) ([]byte, error) {
	fam, ok := h.Family()
	if !ok {
		return dst, errors.New(entryName(h.URL) + ": the URL names no event family; skipped")
	}
	if d == nil {
		d = new(Decoder)
	}
	var ev Event
	if err := d.Decode(h.Object, &ev); err != nil {
		return dst, errors.New(h.malformed(err))
	}
	b := h.Object
	dst = append(dst, `{"event":"`...)
	dst = append(dst, fam.String()...)
	dst = append(dst, '"')
	i := skipWS(b, skipWS(b, 0)+1)
	for i < len(b) && b[i] == '"' {
		ks := i
		ke, esc, _ := scanString(b, i)
		vs := skipWS(b, skipWS(b, ke)+1)
		ve, _ := d.skipValue(b, vs, 1)
		var key string
		if esc {
			json.Unmarshal(b[ks:ke], &key)
		} else {
			key = bytesToString(b[ks+1 : ke-1])
		}
		if key != "event" {
			dst = append(dst, ',')
			dst = append(dst, b[ks:ke]...)
			dst = append(dst, ':')
			dst = appendCompact(dst, b[vs:ve])
		}
		i = skipWS(b, ve)
		if i < len(b) && b[i] == ',' {
			i = skipWS(b, i+1)
		}
	}
	return append(dst, '}'), nil
}

// appendCompact appends the valid JSON value v without the white space
// outside its strings.
func appendCompact(dst, v []byte) []byte {
	for i := 0; i < len(v); {
		switch c := v[i]; c {
		case ' ', '\t', '\n', '\r':
			i++
		case '"':
			e, _, _ := scanString(v, i)
			dst = append(dst, v[i:e]...)
			i = e
		default:
			j := i + 1
			for j < len(v) && v[j] != ' ' && v[j] != '\t' && v[j] != '\n' && v[j] != '\r' && v[j] != '"' {
				j++
			}
			dst = append(dst, v[i:j]...)
			i = j
		}
	}
	return dst
}

// entryName names an entry in messages: by the last segment of its URL.
func entryName(url string) string {
	seg := url
	if i := strings.IndexAny(seg, "?#"); i >= 0 {
		seg = seg[:i]
	}
	seg = strings.TrimRight(seg, "/")
	if i := strings.LastIndexByte(seg, '/'); i >= 0 {
		seg = seg[i+1:]
	}
	if seg == "" {
		return "SEND REST OBJECT entry"
	}
	return "SEND REST OBJECT entry to " + seg
}

// WCSLogReader splits WCS server logs into the REST hooks WCS sent, in one
// pass, as a stream: it holds one entry at a time, at most MaxEntry bytes
// of it. Every other line of the log (other loggers, the answers received,
// stack traces, SIP dumps) is passed over. An entry it cannot read (no URL:
// or OBJECT: line, an object that never closes, one longer than MaxEntry)
// goes to Bad, and reading goes on at the next entry. docs/wcslog.md has
// the format.
type WCSLogReader struct {
	MaxEntry int                                // longest entry in bytes, after its first line; 0: DefaultMaxLine
	Hook     func(h *Hook)                      // each SEND REST OBJECT entry read whole; nil: none
	Bad      func(line int, k Kind, msg string) // each entry that cannot be read: malformed or line-too-long; nil: none

	Lines atomic.Int64 // lines read so far
	Bytes atomic.Int64 // bytes read so far

	s wcsScanner
}

// Read reads one server log from r. Several calls continue counting lines
// and bytes; each input starts at its line 1. The error is only for a
// failing reader.
func (r *WCSLogReader) Read(src io.Reader) error {
	r.s.maxEntry = r.MaxEntry
	if r.s.maxEntry <= 0 {
		r.s.maxEntry = DefaultMaxLine
	}
	r.s.lines, r.s.bytes = &r.Lines, &r.Bytes
	r.s.hook, r.s.bad = r.Hook, r.Bad
	if r.s.hook == nil {
		r.s.hook = func(*Hook) {}
	}
	if r.s.bad == nil {
		r.s.bad = func(int, Kind, string) {}
	}
	return r.s.scan(src)
}

// ReadWCSLog reads a WCS server log (flashphoner.log) from r, as one more
// part of the log: each "SEND REST OBJECT ==>" entry whose URL names a
// family by its last segment is an event of that family (the URL wins over
// an "event" field of the object), with the fields of its object; name is
// how findings name the file, and they point at the line where the entry
// starts. Hooks whose URL names no family are counted in Hooks and skipped.
// An entry longer than MaxLine is a line-too-long finding, one that cannot
// be read a malformed one, and reading goes on. The error is only for a
// failing reader.
func (v *Validator) ReadWCSLog(name string, r io.Reader) error {
	v.setup()
	s := &v.wcs
	s.maxEntry, s.lines, s.bytes = v.MaxLine, &v.Lines, &v.Bytes
	s.hook = func(h *Hook) { v.wcsHook(name, h) }
	s.bad = func(line int, k Kind, msg string) {
		v.emit([]Finding{v.Tracker.Reject(name, line, k, msg)})
	}
	return s.scan(r)
}

// wcsHook judges one hook read from a server log.
func (v *Validator) wcsHook(name string, h *Hook) {
	fam, ok := h.Family()
	if !ok {
		v.Hooks.Add(1)
		return
	}
	v.ev.File, v.ev.Line = name, h.Line
	if err := v.dec.Decode(h.Object, &v.ev); err != nil {
		v.emit([]Finding{v.Tracker.Reject(name, h.Line, Malformed, h.malformed(err))})
		return
	}
	v.ev.Event = fam.String()
	v.ev.kinds[fEvent] = kString
	v.emit(v.take(&v.ev)) // by its shard when v is sharded (parallel.go)
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
	bad          func(line int, k Kind, msg string)

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
				s.fail(Malformed, "SEND REST OBJECT entry without its URL: line (line "+itoa(s.lineNo)+" is not one); skipped")
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
				s.fail(Malformed, entryName(s.h.URL)+" without its OBJECT: line (line "+itoa(s.lineNo)+" is not one); skipped")
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
			s.fail(Malformed, entryName(s.h.URL)+": OBJECT: is not followed by a JSON object (line "+itoa(s.lineNo)+"); skipped")
			s.chunk(c, first, last)
			return
		}
		s.h.ObjectLine = s.lineNo
		s.depth, s.inStr, s.esc, s.closed = 0, false, false, false
		s.state = wObject
		s.feed(c, last)
	case wObject:
		if first && s.interrupts(c) {
			s.fail(s.unclosedKind(), s.unclosed("line "+itoa(s.lineNo)+" starts a new log entry"))
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
			s.bad(s.h.Line, LineTooLong, entryName(s.h.URL)+" of "+itoa(s.size)+" bytes is longer than the limit of "+
				itoa(s.maxEntry)+" bytes; skipped")
			return
		}
		s.h.Object = nil // a hook that is no event: its size does not matter
	}
	s.hook(&s.h)
}

// event reports whether the entry's URL names a family.
func (s *wcsScanner) event() bool {
	_, ok := FamilyOf(s.h.URL)
	return ok
}

// fail reports the entry in progress as one that cannot be read, and goes
// back to looking for the next entry.
func (s *wcsScanner) fail(k Kind, msg string) {
	s.state = wIdle
	s.bad(s.h.Line, k, msg)
}

// unclosedKind is the kind of finding for an object that never closes: an
// entry already over the limit is reported as such, once.
func (s *wcsScanner) unclosedKind() Kind {
	if s.tooLong && s.event() {
		return LineTooLong
	}
	return Malformed
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
		s.fail(Malformed, "SEND REST OBJECT entry without its URL: line ("+eof+"); skipped")
	case wObjectLine:
		s.fail(Malformed, entryName(s.h.URL)+" without its OBJECT: line ("+eof+"); skipped")
	case wOpen:
		s.fail(Malformed, entryName(s.h.URL)+": OBJECT: is not followed by a JSON object ("+eof+"); skipped")
	case wObject:
		s.fail(s.unclosedKind(), s.unclosed(eof))
	}
}
