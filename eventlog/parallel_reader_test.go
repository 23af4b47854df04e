package eventlog_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wcsfsm/wcsfsm/eventlog"
	"github.com/wcsfsm/wcsfsm/tracker"
)

// readAll validates data with jobs trackers, max-line limit, through the
// reader that wrap gives, and returns the findings and the counters.
func readAll(t *testing.T, data []byte, jobs, maxLine int, wrap func(io.Reader) io.Reader) ([]string, int64, int64) {
	t.Helper()
	var out []string
	v := &eventlog.Validator{
		Tracker: tracker.New(tracker.Options{}),
		MaxLine: maxLine,
		Jobs:    jobs,
		Report:  func(f tracker.Finding) { out = append(out, f.String()) },
	}
	if err := v.ReadJSONL("f", wrap(bytes.NewReader(data))); err != nil {
		t.Fatal(err)
	}
	v.End()
	return out, v.Lines.Load(), v.Bytes.Load()
}

// referenceRead is an oracle of the reader: the data split at its
// newlines by bytes.Split, each line without its CR and the first without
// its byte order mark, a line over the limit a line-too-long finding (with
// "over" in its message where a reader holding at most 64 KiB at a time
// has to stream it: a line of at least that many bytes before its newline,
// more than the limit with its line ending), every other line judged by
// JSONLine.
func referenceRead(data []byte, maxLine int) ([]string, int64, int64) {
	if maxLine <= 0 {
		maxLine = eventlog.DefaultMaxLine
	}
	var out []string
	tr := tracker.New(tracker.Options{})
	v := &eventlog.Validator{Tracker: tr, MaxLine: maxLine, Report: func(f tracker.Finding) { out = append(out, f.String()) }}
	lines := bytes.Split(data, []byte{'\n'})
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1] // after the final newline: no line
	}
	for i, line := range lines {
		L, S := len(line), len(line)+1
		if i == len(lines)-1 && !bytes.HasSuffix(data, []byte{'\n'}) {
			S = L
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if i == 0 {
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
		}
		n := len(bytes.TrimSuffix(lines[i], []byte{'\r'}))
		switch {
		case L >= 64<<10 && S > maxLine+2:
			out = append(out, tr.Reject("f", i+1, tracker.KindLineTooLong, fmt.Sprintf("line of over %d bytes is longer than the limit of %d bytes; skipped", maxLine, maxLine)).String())
		case n > maxLine:
			out = append(out, tr.Reject("f", i+1, tracker.KindLineTooLong, fmt.Sprintf("line of %d bytes is longer than the limit of %d bytes; skipped", n, maxLine)).String())
		default:
			v.JSONLine("f", i+1, line)
		}
	}
	v.End()
	return out, int64(len(lines)), int64(len(data))
}

// TestParallelReaderEdges: the reader (blocks read straight from the
// input, lines split by the decoders), at -j 1 and sharded, gives what an
// oracle that splits the whole input at once gives (referenceRead), for
// the edges of lines: their limit and the read buffer's size, line
// endings, a byte order mark, the end of the input, and reads of any size.
// With -short, the largest inputs are read in one piece and in halves
// only.
func TestParallelReaderEdges(t *testing.T) {
	ok := `{"event":"ConnectionStatusEvent","sessionId":"s1","status":"ESTABLISHED"}`
	bad := `{"event":"ConnectionStatusEvent","sessionId":"s1","status":"NEW"}`
	pad := func(n int) string { // a JSON line of exactly n bytes
		s := `{"event":"DataStatusEvent","sessionId":"s9","status":"ACCEPTED","x":"`
		return s + strings.Repeat("a", max(0, n-len(s)-2)) + `"}`
	}
	tests := []struct {
		why     string
		data    string
		maxLine int
	}{
		{"empty input", "", 0},
		{"blank lines only", "\n\n  \n\r\n", 0},
		{"no final newline", ok + "\n" + bad, 0},
		{"CRLF line endings and a final CR", ok + "\r\n" + bad + "\r\n" + bad + "\r", 0},
		{"a byte order mark before the first line", "\xef\xbb\xbf" + ok + "\n" + bad + "\n", 0},
		{"a byte order mark on a later line is junk", ok + "\n\xef\xbb\xbf" + bad + "\n", 0},
		{"lines around a small limit", pad(60) + "\n" + pad(61) + "\n" + pad(62) + "\r\n" + pad(63) + "\n" + bad + "\n", 61},
		{"lines around the read buffer (64 KiB)", pad(65535) + "\n" + pad(65536) + "\n" + pad(65537) + "\n" + bad + "\n", 0},
		{"long lines over a limit below the read buffer", pad(65535) + "\n" + pad(70000) + "\r\n" + bad + "\n", 1000},
		{"long lines around a limit above the read buffer", pad(99999) + "\n" + pad(100000) + "\n" + pad(100002) + "\n" + pad(100003) + "\n" + bad + "\n", 100000},
		{"a line over the block and the limit", strings.Repeat(pad(100)+"\n", 3000) + pad(600000) + "\n" + bad + "\n", 0},
		{"a line over the limit at the end, no newline", ok + "\n" + pad(2<<20), 0},
		{"a line over the limit at the end, CR", ok + "\n" + pad(2<<20) + "\r", 0},
		{"many blocks of lines", strings.Repeat(ok+"\n"+bad+"\n", 20000), 0},
	}
	wraps := map[string]func(io.Reader) io.Reader{
		"one read": func(r io.Reader) io.Reader { return r },
		"one byte": func(r io.Reader) io.Reader { return iotest.OneByteReader(r) },
		"halves":   func(r io.Reader) io.Reader { return iotest.HalfReader(r) },
		"data+EOF": func(r io.Reader) io.Reader { return iotest.DataErrReader(r) },
	}
	for _, tt := range tests {
		want, wantLines, wantBytes := referenceRead([]byte(tt.data), tt.maxLine)
		for name, wrap := range wraps {
			if name == "one byte" && len(tt.data) > 200<<10 || testing.Short() && len(tt.data) > 200<<10 && name != "one read" && name != "halves" {
				continue // slow; "halves" reads in small pieces too
			}
			for _, jobs := range []int{1, 2, 3} {
				got, lines, n := readAll(t, []byte(tt.data), jobs, tt.maxLine, wrap)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s, %s, -j %d: findings differ from the oracle's (-want +got):\n%s", tt.why, name, jobs, diff)
				}
				if lines != wantLines || n != wantBytes {
					t.Errorf("%s, %s, -j %d: %d lines, %d bytes; the oracle counts %d, %d", tt.why, name, jobs, lines, n, wantLines, wantBytes)
				}
			}
		}
	}
}

// TestParallelReaderError: a reader that fails mid-file: -j 2 judges the
// whole lines read before the error, as -j 1 does, and returns the error.
func TestParallelReaderError(t *testing.T) {
	data := strings.Repeat(`{"event":"CallStatusEvent","sessionId":"s","callId":"c","status":"HOLD"}`+"\n", 5000) + `{"event":"Cal`
	boom := errors.New("boom")
	read := func(jobs int) ([]string, error) {
		var out []string
		v := &eventlog.Validator{Jobs: jobs, Report: func(f tracker.Finding) { out = append(out, f.String()) }}
		err := v.ReadJSONL("f", io.MultiReader(strings.NewReader(data), iotest.ErrReader(boom)))
		return out, err
	}
	want, err1 := read(1)
	got, err2 := read(2)
	if !errors.Is(err1, boom) || !errors.Is(err2, boom) {
		t.Fatalf("errors: -j 1 %v, -j 2 %v; want boom from both", err1, err2)
	}
	if len(want) == 0 {
		t.Fatal("-j 1 judged nothing before the error")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("-j 2 differs from -j 1 before the error (-want +got):\n%s", diff)
	}
}

// TestLiveInput: a log read as it is written (a pipe from tail -f) has
// the findings of the lines it gave so far reported before more comes,
// one tracker or several: the reader does not wait for a block to fill.
func TestLiveInput(t *testing.T) {
	for _, jobs := range []int{1, 2, 4} {
		t.Run(fmt.Sprint("j=", jobs), func(t *testing.T) {
			pr, pw := io.Pipe()
			t.Cleanup(func() { pw.Close() })
			found := make(chan tracker.Finding, 10)
			v := &eventlog.Validator{
				Tracker: tracker.New(tracker.Options{Partial: true}),
				Jobs:    jobs,
				Report:  func(f tracker.Finding) { found <- f },
			}
			done := make(chan error, 1)
			go func() { done <- v.ReadJSONL("live", pr) }()
			var written strings.Builder
			for i := range 3 {
				// One line that breaks the machine, then wait for its
				// finding before writing the next. At -j 1, the lines come
				// after 20 KB of valid ones in the same write: a burst
				// then a pause is judged at once too.
				var burst strings.Builder
				for k := 0; jobs == 1 && burst.Len() < 20<<10; k++ {
					fmt.Fprintf(&burst, "{\"event\":\"DataStatusEvent\",\"operationId\":\"b%d-%d\",\"status\":\"ACCEPTED\"}\n", i, k)
				}
				fmt.Fprintf(&burst, "{\"event\":\"DataStatusEvent\",\"operationId\":\"op%d\",\"status\":\"ACCEPTED\"}\n", i)
				fmt.Fprintf(&burst, "{\"event\":\"DataStatusEvent\",\"operationId\":\"op%d\",\"status\":\"FAILED\"}\n", i)
				before := strings.Count(written.String(), "\n")
				written.WriteString(burst.String())
				pw.Write([]byte(burst.String()))
				select {
				case f := <-found:
					if want := before + strings.Count(burst.String(), "\n"); f.Line != want || f.Kind != tracker.KindIllegalTransition {
						t.Fatalf("got %v, want the illegal transition at line %d", f, want)
					}
				case <-time.After(10 * time.Second):
					t.Fatalf("no finding for burst %d while the input waits: the reader is waiting for more input", i)
				}
			}
			pw.Close()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
}
