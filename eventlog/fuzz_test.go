package eventlog_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/wcsfsm/wcsfsm/eventlog"
	"github.com/wcsfsm/wcsfsm/tracker"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// The validator under go test -fuzz. Without -fuzz, go test runs the seeds:
// those added below and the corpus in testdata/fuzz/<Target>/. To fuzz one
// target for longer (docs/reliability.md):
//
//	go test -run '^$' -fuzz '^FuzzValidate$' -fuzztime 10m ./eventlog

// chunkReader returns data in reads of the sizes that sizes gives, in turn
// (1 to 192 bytes, or 1 to 64 KiB for the bytes from 0xC0 up); the last
// read returns io.EOF with the data.
type chunkReader struct {
	data  []byte
	sizes []byte
	i     int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := 1
	if len(r.sizes) > 0 {
		b := int(r.sizes[r.i%len(r.sizes)])
		r.i++
		n = b + 1
		if b >= 0xC0 {
			n = (b - 0xBF) << 10
		}
	}
	n = copy(p, r.data[:min(n, len(r.data))])
	r.data = r.data[n:]
	if len(r.data) == 0 {
		return n, io.EOF
	}
	return n, nil
}

// fuzzReaders are the ways the same bytes may arrive.
func fuzzReaders(data, sizes []byte) map[string]io.Reader {
	return map[string]io.Reader{
		"one-byte":  iotest.OneByteReader(bytes.NewReader(data)),
		"half":      iotest.HalfReader(bytes.NewReader(data)),
		"data-err":  iotest.DataErrReader(bytes.NewReader(data)),
		"chunks":    &chunkReader{data: data, sizes: sizes},
		"one-chunk": &chunkReader{data: data, sizes: []byte{0xFF}},
	}
}

// validateWith reads r as one log with a fresh default tracker and the line
// limit, and returns every finding (End's included) and the lines read.
func validateWith(t *testing.T, maxLine int, r io.Reader) ([]tracker.Finding, int64) {
	t.Helper()
	var out []tracker.Finding
	v := &eventlog.Validator{MaxLine: maxLine, Report: func(f tracker.Finding) { out = append(out, f) }}
	if err := v.ReadJSONL("fuzz.jsonl", r); err != nil && !errors.Is(err, eventlog.ErrNoHook) {
		t.Fatalf("ReadJSONL: %v", err)
	}
	v.End()
	return out, v.Lines.Load()
}

// checkFindings checks what every finding promises (log-format.md): a known
// kind of its severity, a line in the log (0 at the end), the file named,
// Allowed sorted and never nil, and the same finding after a JSON round
// trip.
func checkFindings(t *testing.T, fs []tracker.Finding, lines int64) {
	t.Helper()
	for _, f := range fs {
		if f.Kind >= tracker.NumKinds || f.Severity != f.Kind.Severity() {
			t.Fatalf("%v: kind %d, severity %v", f, f.Kind, f.Severity)
		}
		if f.Line < 0 || int64(f.Line) > lines || (f.Line == 0) != (f.Kind == tracker.KindDangling) {
			t.Fatalf("%v: line %d of %d", f, f.Line, lines)
		}
		if f.File != "fuzz.jsonl" && !(f.Kind == tracker.KindDangling && f.File == "") {
			t.Fatalf("%v: file %q", f, f.File)
		}
		if f.Allowed == nil || !slices.IsSorted(f.Allowed) {
			t.Fatalf("%v: allowed %q", f, f.Allowed)
		}
		if f.Message == "" {
			t.Fatalf("%v: no message", f)
		}
		var back tracker.Finding
		if err := json.Unmarshal(f.AppendJSON(nil), &back); err != nil {
			t.Fatalf("%v: its JSON %s does not read back: %v", f, f.AppendJSON(nil), err)
		}
		if diff := cmp.Diff(f, back); diff != "" {
			t.Fatalf("JSON round trip (-before +after):\n%s", diff)
		}
	}
}

// fuzzSeeds are the logs under testdata (valid ones, one per rule, the
// sample) and the hostile junk of hostile_test.go, cut to a fuzzer's size.
func fuzzSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	for _, pat := range []string{"../testdata/*.jsonl", "../testdata/*/*.jsonl"} {
		names, err := filepath.Glob(pat)
		if err != nil {
			f.Fatal(err)
		}
		for _, n := range names {
			b, err := os.ReadFile(n)
			if err != nil {
				f.Fatal(err)
			}
			seeds = append(seeds, b)
		}
	}
	for _, tc := range hostileCases() {
		if len(tc.junk) <= 8<<10 {
			seeds = append(seeds, tc.junk)
		}
	}
	return seeds
}

// FuzzValidate: the validator over arbitrary bytes never panics; it reports
// the same findings whatever the sizes of the reads the bytes arrive in;
// every finding keeps its promises; and an illegal transition on a fresh
// line after the bytes is still reported, at its line.
func FuzzValidate(f *testing.F) {
	for i, s := range fuzzSeeds(f) {
		f.Add(s, []byte{byte(i), 7, 0, 0xC0, 3})
	}
	fuzzing := flag.Lookup("test.fuzz").Value.String() != ""
	f.Fuzz(func(t *testing.T, data, sizes []byte) {
		if fuzzing && len(data) > 4<<10 {
			return
		}
		for _, maxLine := range []int{0, 100} {
			want, lines := validateWith(t, maxLine, bytes.NewReader(data))
			checkFindings(t, want, lines)
			for name, r := range fuzzReaders(data, sizes) {
				got, _ := validateWith(t, maxLine, r)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("MaxLine %d, reads %s: findings differ from one read (-one +%s):\n%s", maxLine, name, name, diff)
				}
			}
			probed, line := withProbe(data, probeID, sizes != nil)
			got, _ := validateWith(t, maxLine, &chunkReader{data: probed, sizes: sizes})
			if !slices.ContainsFunc(got, func(f tracker.Finding) bool {
				return f.Line == line && f.Kind == tracker.KindIllegalTransition && f.Entity == probeID
			}) {
				t.Fatalf("MaxLine %d: the probe's illegal transition at line %d is not reported; findings:\n%v", maxLine, line, got)
			}
		}
	})
}

// FuzzBadLine: a line that is not an event, put anywhere in a log, gets
// its own finding and changes nothing else: the other findings are those
// of the log without it (their lines shifted past it). A bad line neither
// hides nor cascades.
func FuzzBadLine(f *testing.F) {
	base, err := os.ReadFile("../testdata/sample.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	baseLines := bytes.SplitAfter(base, []byte{'\n'})
	if len(baseLines[len(baseLines)-1]) == 0 {
		baseLines = baseLines[:len(baseLines)-1]
	}
	for i, s := range fuzzSeeds(f) {
		if line, _, _ := bytes.Cut(s, []byte{'\n'}); len(line) > 0 {
			f.Add(line, uint16(i))
		}
	}
	f.Add([]byte(`{"event":"CallStatusEvent"`), uint16(3))
	f.Add([]byte("\xef\xbb\xbf"+`{"event":"ConnectionStatusEvent","sessionId":"s","status":"X"}`), uint16(0))
	f.Fuzz(func(t *testing.T, junk []byte, at uint16) {
		junk, _, _ = bytes.Cut(junk, []byte{'\n'})
		k := int(at) % (len(baseLines) + 1) // the junk is line k+1
		// The junk alone, at the same line, and a hook that is not checked
		// after it (an input without a single hook is an error, not a
		// finding a line): is it an event?
		alone := &eventlog.Validator{}
		var own []tracker.Finding
		alone.Report = func(f tracker.Finding) { own = append(own, f) }
		input := append(append(bytes.Repeat([]byte{'\n'}, k), junk...), "\n{\"event\":\"StreamsStatEvent\"}\n"...)
		if err := alone.ReadJSONL("fuzz.jsonl", bytes.NewReader(input)); err != nil {
			t.Fatal(err)
		}
		if alone.Tracker.Stats().Events > 1 {
			return // an event: it may change what follows
		}
		if len(own) > 1 || len(own) == 1 && (own[0].Line != k+1 ||
			own[0].Kind != tracker.KindMalformed && own[0].Kind != tracker.KindLineTooLong) {
			t.Fatalf("a line that is not an event gets %v, want one malformed or line-too-long finding at line %d", own, k+1)
		}
		var log []byte
		for i, l := range baseLines {
			if i == k {
				log = append(append(log, junk...), '\n')
			}
			log = append(log, l...)
		}
		if k == len(baseLines) {
			log = append(log, junk...)
		}
		// The findings of the log without the junk, the junk's own at its
		// line, and the lines after it shifted by one.
		clean, _ := validateWith(t, 0, bytes.NewReader(base))
		var want []tracker.Finding
		for _, f := range clean {
			if f.Line >= 1 && f.Line <= k {
				want = append(want, f)
			}
		}
		want = append(want, own...)
		for _, f := range clean {
			if f.Line > k {
				f.Line++
				want = append(want, f)
			}
		}
		for _, f := range clean {
			if f.Line == 0 {
				if f.Last > k {
					f.Last++ // the entity's last event, shifted by the junk
				}
				want = append(want, f)
			}
		}
		got, _ := validateWith(t, 0, bytes.NewReader(log))
		// A dangling finding's message names the line of the entity's last
		// event too, which the junk shifts.
		ignoreDangling := cmp.Transformer("dangling", func(f tracker.Finding) tracker.Finding {
			if f.Kind == tracker.KindDangling {
				f.Message = ""
			}
			return f
		})
		if diff := cmp.Diff(want, got, ignoreDangling); diff != "" {
			t.Fatalf("junk %q at line %d: findings (-want +got):\n%s", junk, k+1, diff)
		}
	})
}

// FuzzTracker: the tracker over arbitrary sequences of events (families,
// statuses, ids, nodes and directions drawn from small sets, so that the
// events meet) with small bounds never panics and keeps its counts: no
// more entities than MaxEntities, no session without an entity, and End
// reports exactly the entities Stats counts as open.
func FuzzTracker(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0})
	f.Add([]byte{0x3F, 0, 1, 0, 2, 3, 5, 0, 4, 1, 2, 5, 0, 2, 0})
	f.Add([]byte{0x12, 0, 1, 1, 0, 2, 1, 3, 4, 17, 0, 3, 2, 1, 1, 0, 3, 9})
	f.Add(bytes.Repeat([]byte{0x05, 1, 2, 3, 4, 5, 6, 7, 8}, 20))
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) == 0 {
			return
		}
		opts := tracker.Options{
			Partial:     ops[0]&1 != 0,
			MaxEntities: 1 + int(ops[0]>>1&7),
			MaxMarks:    1 + int(ops[0]>>4&3),
		}
		tr := tracker.New(opts)
		ids := []string{"a", "b", "c", ""}
		for i := 1; i+2 < len(ops); i += 3 {
			fam := wcs.Family(int(ops[i]) % int(wcs.NumFamilies))
			m := fam.Machine()
			statuses := m.Names(m.Statuses())
			status := "BOGUS"
			if j := int(ops[i+1]) % (len(statuses) + 1); j < len(statuses) {
				status = statuses[j]
			}
			b := ops[i+2]
			e := wcs.Event{File: "f", Line: i/3 + 1, Event: fam.String(), Status: status,
				SessionID: ids[b&3], Published: wcs.Bool(b >> 6 % 3)}
			id := ids[b>>2&3]
			switch fam {
			case wcs.FamilyCall, wcs.FamilyTransfer:
				e.CallID = id
			case wcs.FamilyStream, wcs.FamilyKeepAlive:
				e.MediaSessionID = id
			case wcs.FamilyData:
				e.OperationID = id
			}
			if b>>4&1 != 0 {
				e.NodeID = "n"
			}
			for _, f := range tr.Take(&e) {
				if f.Line != e.Line || f.Kind == tracker.KindDangling {
					t.Fatalf("event %d: finding %v", e.Line, f)
				}
			}
			st := tr.Stats()
			if st.Tracked > opts.MaxEntities || st.Sessions > st.Tracked || st.Open > st.Tracked || st.Open < 0 {
				t.Fatalf("after event %d (%+v): tracked %d (max %d), sessions %d, open %d",
					e.Line, e, st.Tracked, opts.MaxEntities, st.Sessions, st.Open)
			}
		}
		open := tr.Stats().Open
		if end := tr.End(); len(end) != open {
			t.Fatalf("End reports %d dangling entities, Stats counts %d open", len(end), open)
		}
	})
}
