package eventlog

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"sync/atomic"
)

// DefaultMaxLine is the longest line a Validator reads, in bytes, unless
// told otherwise: 1 MiB.
const DefaultMaxLine = 1 << 20

// Validator reads logs as one stream of events and reports every finding,
// in order, to Report. It reads each input once, line by line, and holds no
// more than one line (at most MaxLine bytes) of it at a time.
//
// The zero value reads JSON Lines with a default Tracker and drops the
// findings; set the fields before the first Read.
type Validator struct {
	Tracker *Tracker      // the engine; nil: a default one, made on first use
	MaxLine int           // longest line in bytes; 0: DefaultMaxLine
	Report  func(Finding) // where findings go; nil: nowhere

	Lines atomic.Int64 // lines read so far, blank ones included
	Bytes atomic.Int64 // bytes read so far (safe to read while reading goes on)
	Hooks atomic.Int64 // server logs: hooks sent whose URL names no family (connect, publishStream, …), skipped

	dec  Decoder
	ev   Event
	long []byte
	br   *bufio.Reader
	wcs  wcsScanner // ReadWCSLog
}

func (v *Validator) setup() {
	if v.Tracker == nil {
		v.Tracker = NewTracker(Options{})
	}
	if v.MaxLine <= 0 {
		v.MaxLine = DefaultMaxLine
	}
	if v.Report == nil {
		v.Report = func(Finding) {}
	}
}

func (v *Validator) emit(fs []Finding) {
	for _, f := range fs {
		v.Report(f)
	}
}

// ReadJSONL reads a log in the JSON Lines format of log-format.md from r;
// name is how findings name it ("-" for standard input). Several calls
// continue one log. Bad lines are findings and reading goes on; the error
// is only for a failing reader.
func (v *Validator) ReadJSONL(name string, r io.Reader) error {
	v.setup()
	return v.lines(name, r, func(lineNo int, line []byte) {
		v.JSONLine(name, lineNo, line)
	})
}

// JSONLine judges one line of JSON Lines (without its newline): blank lines
// are skipped, a line that is not an event gets a finding.
func (v *Validator) JSONLine(name string, lineNo int, line []byte) {
	v.setup()
	if len(bytes.TrimLeft(line, " \t\r\n")) == 0 {
		return
	}
	v.ev.File, v.ev.Line = name, lineNo
	if err := v.dec.Decode(line, &v.ev); err != nil {
		v.emit([]Finding{v.Tracker.Reject(name, lineNo, Malformed, err.Error())})
		return
	}
	v.emit(v.Tracker.Take(&v.ev))
}

// lines calls fn for each line of r, numbered from 1 and without its line
// ending; a line longer than MaxLine gets a line-too-long finding instead
// and is skipped without being held in memory. A UTF-8 byte order mark at
// the start is skipped.
func (v *Validator) lines(name string, r io.Reader, fn func(int, []byte)) error {
	if v.br == nil {
		v.br = bufio.NewReaderSize(r, 64<<10)
	} else {
		v.br.Reset(r)
	}
	br := v.br
	for lineNo := 1; ; lineNo++ {
		chunk, err := br.ReadSlice('\n')
		v.Bytes.Add(int64(len(chunk)))
		size := len(chunk)
		line := chunk
		tooLong := false
		if err == bufio.ErrBufferFull {
			v.long = append(v.long[:0], chunk...)
			for err == bufio.ErrBufferFull {
				chunk, err = br.ReadSlice('\n')
				v.Bytes.Add(int64(len(chunk)))
				size += len(chunk)
				if !tooLong && len(v.long)+len(chunk) > v.MaxLine+2 {
					tooLong = true
				}
				if !tooLong {
					v.long = append(v.long, chunk...)
				}
			}
			line = v.long
		}
		if err != nil && err != io.EOF {
			return err
		}
		if size == 0 {
			return nil
		}
		v.Lines.Add(1)
		n := size
		if !tooLong {
			line = bytes.TrimSuffix(line, []byte{'\n'})
			line = bytes.TrimSuffix(line, []byte{'\r'})
			n = len(line)
		}
		if lineNo == 1 {
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
		}
		if tooLong || n > v.MaxLine {
			size := "line of " + itoa(n) + " bytes"
			if tooLong {
				size = "line of over " + itoa(v.MaxLine) + " bytes"
			}
			v.emit([]Finding{v.Tracker.Reject(name, lineNo, LineTooLong,
				size+" is longer than the limit of "+itoa(v.MaxLine)+" bytes; skipped")})
		} else {
			fn(lineNo, line)
		}
		if err == io.EOF {
			return nil
		}
	}
}

// End reports the entities left open (dangling warnings).
func (v *Validator) End() {
	v.setup()
	v.emit(v.Tracker.End())
}

// Reject counts and returns a finding about an input that is not an event
// at all (malformed, line-too-long, …): the readers of log formats use it so
// that the tracker's statistics count every finding.
func (t *Tracker) Reject(file string, line int, k Kind, msg string) Finding {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lazyInit()
	t.stats.Findings[k]++
	return Finding{File: strings.Clone(file), Line: line, Severity: k.Severity(), Kind: k, Allowed: []string{}, Message: msg}
}
