package eventlog

import (
	"bufio"
	"bytes"
	"strconv"

	"github.com/wcsfsm/wcsfsm/wcslog"
)

// Format is the format of an input log.
type Format uint8

const (
	FormatJSONL  Format = iota // JSON Lines, one event a line (log-format.md)
	FormatWCSLog               // WCS's own server log, flashphoner.log (docs/wcslog.md)
)

var formatNames = [...]string{FormatJSONL: "jsonl", FormatWCSLog: "wcslog"}

// String returns the format's name as the -input flag spells it: "jsonl"
// or "wcslog".
func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return "Format(" + strconv.Itoa(int(f)) + ")"
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

// bom is the UTF-8 byte order mark, skipped at the start of a file.
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
				return FormatJSONL, true
			}
			// A lone brace opens a pretty-printed object: a server log cut
			// in the middle of an entry.
		case wcslog.IsLogLine(line):
			return FormatWCSLog, true
		}
	}
	return FormatJSONL, false
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
