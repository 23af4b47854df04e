package eventlog_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wcsfsm/wcsfsm/eventlog"
	"github.com/wcsfsm/wcsfsm/tracker"
)

// Hostile logs: whatever a line holds, it gets a finding (or is judged as
// the event it is) and reading goes on. Every test appends a probe after the
// junk, on a fresh line, and checks that the probe's illegal transition is
// still reported at its line: junk neither stops the reading nor hides what
// follows.

// probeID is the session of the probe. No junk below names it.
const probeID = "probe"

// probe is a connection that fails twice: the first FAILED is legal from
// NEW or ESTABLISHED, the second never is (FAILED is terminal), whatever
// the junk did to the session before. So the second line is an
// illegal-transition finding in any log that leaves the tracker working.
func probe(id string) string {
	line := `{"event":"ConnectionStatusEvent","sessionId":` + jsonString(id) + `,"status":"FAILED"}`
	return line + "\n" + line
}

func jsonString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// withProbe returns junk, a newline, and the probe of id, and the line of
// the probe's illegal transition. With final set the log ends in a newline.
func withProbe(junk []byte, id string, final bool) ([]byte, int) {
	out := append(append(bytes.Clone(junk), '\n'), probe(id)...)
	if final {
		out = append(out, '\n')
	}
	return out, bytes.Count(junk, []byte{'\n'}) + 3
}

// hostileFinding is a finding reduced to what the tables state.
type hostileFinding struct {
	Line   int
	Kind   string
	Entity string
}

// readLog reads data as one log through v (a fresh Validator when nil)
// and returns every finding in order, End's included.
func readLog(t testing.TB, v *eventlog.Validator, r io.Reader) []tracker.Finding {
	t.Helper()
	if v == nil {
		v = &eventlog.Validator{}
	}
	var out []tracker.Finding
	v.Report = func(f tracker.Finding) { out = append(out, f) }
	if err := v.ReadJSONL("hostile.jsonl", r); err != nil && !errors.Is(err, eventlog.ErrNoHook) {
		t.Fatalf("ReadJSONL: %v", err)
	}
	v.End()
	return out
}

func reduce(fs []tracker.Finding) []hostileFinding {
	out := make([]hostileFinding, 0, len(fs))
	for _, f := range fs {
		out = append(out, hostileFinding{f.Line, f.Kind.String(), f.Entity})
	}
	return out
}

// hostileCase is junk and the findings it must get. The probe's finding is
// added to want by the test.
type hostileCase struct {
	name, why string
	junk      []byte
	maxLine   int
	opts      tracker.Options
	noFinalNL bool             // the log ends without a newline
	want      []hostileFinding // the junk's findings, in order
}

func connLine(id, status string) string {
	return `{"event":"ConnectionStatusEvent","sessionId":` + jsonString(id) + `,"status":"` + status + `"}`
}

// nested is an event of session id with a field nested depth-1 levels
// deep, so that the line nests depth levels in all.
func nested(id string, depth int) string {
	return `{"event":"ConnectionStatusEvent","sessionId":"` + id + `","status":"DISCONNECTED","x":` +
		strings.Repeat("[", depth-1) + strings.Repeat("]", depth-1) + "}"
}

// padTo pads the JSON object line with spaces before its closing brace to
// exactly n bytes.
func padTo(line string, n int) string {
	return line[:len(line)-1] + strings.Repeat(" ", n-len(line)) + "}"
}

// randomJunk is n random bytes (seeded) and the malformed findings they
// get: one for every line that is not blank.
func randomJunk(seed uint64, n int) ([]byte, []hostileFinding) {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	var want []hostileFinding
	for i, line := range bytes.Split(b, []byte{'\n'}) {
		if len(bytes.TrimLeft(line, " \t\r\n")) > 0 {
			want = append(want, hostileFinding{i + 1, "malformed", ""})
		}
	}
	return b, want
}

// wrongTypes is a line for each field the checks read with each JSON type
// that does not belong there, and the findings they get: a missing-field
// finding each, nothing else (every line is otherwise a legal event). A
// null is an absent field: a finding only where the field is required.
func wrongTypes() ([]byte, []hostileFinding) {
	values := []string{`1`, `-1.5e3`, `[]`, `["x"]`, `{}`, `{"a":"b"}`, `null`, `true`, `false`, `""`}
	var b strings.Builder
	var want []hostileFinding
	line := 0
	add := func(s, entity string) {
		line++
		b.WriteString(s + "\n")
		want = append(want, hostileFinding{line, "missing-field", entity})
	}
	for i, v := range values {
		id := fmt.Sprintf("w%d", i)
		// Where a missing field stops the judging, the finding names the
		// entity only when its key was a string.
		add(`{"event":`+v+`,"sessionId":"`+id+`","status":"FAILED"}`, "")
		add(`{"event":"ConnectionStatusEvent","sessionId":"`+id+`","status":`+v+`}`, id)
		add(`{"event":"ConnectionStatusEvent","sessionId":`+v+`,"status":"FAILED"}`, "")
		add(`{"event":"CallStatusEvent","callId":`+v+`,"status":"FAILED"}`, "")
		add(`{"event":"StreamStatusEvent","mediaSessionId":`+v+`,"status":"FAILED"}`, "")
		if v != `""` && v != `null` { // operationId is optional: an empty or null one is no finding
			add(`{"event":"DataStatusEvent","operationId":`+v+`,"status":"ACCEPTED"}`, "")
		}
		if v == `""` || v == `null` {
			continue // an empty or null nodeId, callId, … is an absent one (log-format.md)
		}
		// A field of the wrong type that is not needed: a finding, then the
		// event is judged (a legal FAILED from NEW).
		add(`{"event":"ConnectionStatusEvent","sessionId":"n`+id+`","nodeId":`+v+`,"status":"FAILED"}`, "n"+id)
		add(`{"event":"ConnectionStatusEvent","sessionId":"c`+id+`","callId":`+v+`,"status":"FAILED"}`, "c"+id)
		add(`{"event":"ConnectionStatusEvent","sessionId":"m`+id+`","mediaSessionId":`+v+`,"status":"FAILED"}`, "m"+id)
		add(`{"event":"ConnectionStatusEvent","sessionId":"o`+id+`","operationId":`+v+`,"status":"FAILED"}`, "o"+id)
		if v != `true` && v != `false` {
			add(`{"event":"ConnectionStatusEvent","sessionId":"p`+id+`","published":`+v+`,"status":"FAILED"}`, "p"+id)
		}
	}
	add(`{"event":"ConnectionStatusEvent","sessionId":"ps","published":"true","status":"FAILED"}`, "ps")
	return []byte(b.String()), want
}

// manyFields is one legal event with n other fields, before and after.
func manyFields(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{`)
	for i := range n / 2 {
		fmt.Fprintf(&b, `"f%d":%d,`, i, i)
	}
	b.WriteString(`"event":"ConnectionStatusEvent","sessionId":"many","status":"FAILED"`)
	for i := n / 2; i < n; i++ {
		fmt.Fprintf(&b, `,"f%d":"v"`, i)
	}
	b.WriteString("}")
	return b.Bytes()
}

func hostileCases() []hostileCase {
	random, randomWant := randomJunk(1, 64<<10)
	random2, random2Want := randomJunk(2, 4<<10)
	wrong, wrongWant := wrongTypes()
	const mib = 1 << 20
	tooLong := []hostileFinding{{1, "line-too-long", ""}}
	return []hostileCase{
		{name: "random-bytes", why: "64 KiB of random bytes: every line that is not blank is malformed",
			junk: random, want: randomWant},
		{name: "random-bytes-crlf", why: "random bytes with CRLF line endings",
			junk: bytes.ReplaceAll(random2, []byte{'\n'}, []byte("\r\n")), want: random2Want},
		{name: "line-8MiB", why: "a line of 8 MiB and more is one line-too-long finding, skipped",
			junk: bytes.Repeat([]byte("x"), 8*mib+1), want: tooLong},
		{name: "event-8MiB", why: "an event padded to 8 MiB is skipped too, not judged (its illegal DISCONNECTED goes unseen)",
			junk: []byte(padTo(connLine("big", "DISCONNECTED"), 8*mib+3)), want: tooLong},
		{name: "line-1MiB+1", why: "one byte over the default limit",
			junk: []byte(padTo(connLine("edge", "DISCONNECTED"), mib+1)), want: tooLong},
		{name: "line-1MiB", why: "a line of exactly the default limit is read and judged",
			junk: []byte(padTo(connLine("edge", "DISCONNECTED"), mib)), want: []hostileFinding{{1, "illegal-transition", "edge"}}},
		{name: "line-1MiB-crlf", why: "the line ending does not count against the limit",
			junk: []byte(padTo(connLine("edge", "DISCONNECTED"), mib) + "\r\n"), want: []hostileFinding{{1, "illegal-transition", "edge"}}},
		{name: "max-line-101", why: "with MaxLine 100, a line of 101 bytes is too long", maxLine: 100,
			junk: []byte(padTo(connLine("edge", "DISCONNECTED"), 101)), want: tooLong},
		{name: "max-line-100", why: "with MaxLine 100, a line of 100 bytes is judged", maxLine: 100,
			junk: []byte(padTo(connLine("edge", "DISCONNECTED"), 100)), want: []hostileFinding{{1, "illegal-transition", "edge"}}},
		{name: "max-line-long-tail", why: "with MaxLine 100, a line of 300 KiB, longer than the read buffer", maxLine: 100,
			junk: bytes.Repeat([]byte("{"), 300<<10), want: tooLong},
		{name: "nesting-10000", why: "10000 levels, encoding/json's limit, are read and judged",
			junk: []byte(nested("deep", 10000)), want: []hostileFinding{{1, "illegal-transition", "deep"}}},
		{name: "nesting-10001", why: "10001 levels are malformed, as encoding/json says",
			junk: []byte(nested("deep", 10001)), want: []hostileFinding{{1, "malformed", ""}}},
		{name: "nesting-100k", why: "100k levels, closed",
			junk: []byte(nested("deep", 100000)), want: []hostileFinding{{1, "malformed", ""}}},
		{name: "nesting-100k-open", why: "100k open brackets, never closed",
			junk: bytes.Repeat([]byte("[{\"a\":"), 100000), want: []hostileFinding{{1, "malformed", ""}}},
		{name: "nul-bytes", why: "a line of NULs, a NUL in a string, a NUL after the object, NULs alone between lines",
			junk: []byte("\x00\x00\x00\n" +
				`{"event":"ConnectionStatusEvent","sessionId":"a` + "\x00" + `b","status":"FAILED"}` + "\n" +
				connLine("nul", "FAILED") + "\x00\n" +
				"\x00"),
			want: []hostileFinding{{1, "malformed", ""}, {2, "malformed", ""}, {3, "malformed", ""}, {4, "malformed", ""}}},
		{name: "invalid-utf8", why: "invalid UTF-8 in an id becomes U+FFFD (as encoding/json reads it), in a key it names no field, in a skipped value it is skipped, outside strings it is malformed",
			junk: []byte(
				`{"event":"ConnectionStatusEvent","sessionId":"a` + "\xff" + `b","status":"DISCONNECTED"}` + "\n" +
					`{"event":"ConnectionStatusEvent","sessionId` + "\xfe" + `":"u2","status":"FAILED"}` + "\n" +
					`{"event":"ConnectionStatusEvent","x":"` + "\xfe\xff\xc0\x80\xed\xa0\x80" + `","sessionId":"u3","status":"FAILED"}` + "\n" +
					`{"event":"ConnectionStatusEvent","sessionId":"u4","status":"FAILED"}` + "\xff\n" +
					`{"event":"Connection` + "\xff" + `StatusEvent","sessionId":"u5","status":"FAILED"}` + "\n" +
					`{"event":"ConnectionStatusEvent","sessionId":"u6","status":"FAIL` + "\xff" + `ED"}`),
			want: []hostileFinding{
				{1, "illegal-transition", "a\uFFFDb"},
				{2, "missing-field", ""},
				{4, "malformed", ""},
				{5, "unknown-event", ""},
				{6, "unknown-status", "u6"},
			}},
		{name: "crlf", why: "CRLF endings are line endings; a lone CR is not",
			junk: []byte("\r\n" + connLine("c1", "DISCONNECTED") + "\r\n\r\n" + connLine("c2", "FAILED") + "\r" + connLine("c3", "FAILED") + "\r\n"),
			want: []hostileFinding{{2, "illegal-transition", "c1"}, {4, "malformed", ""}}},
		{name: "no-final-newline", why: "the last line, the probe's, has no newline", noFinalNL: true,
			junk: []byte(connLine("n1", "FAILED"))},
		{name: "wrong-types", why: "numbers, arrays, objects, null, booleans and empty strings where strings belong (and strings where a boolean does)",
			junk: wrong, want: wrongWant},
		{name: "blank-lines", why: "a file of blank lines only has no finding",
			junk: []byte("\n\n   \n\t\t\n\r\n \r\n\n")},
		{name: "bom", why: "a byte order mark at the start is skipped, and a line of only a BOM is blank",
			junk: []byte("\xef\xbb\xbf\n" + connLine("b1", "DISCONNECTED")), want: []hostileFinding{{2, "illegal-transition", "b1"}}},
		{name: "bom-event", why: "a byte order mark before the first event",
			junk: []byte("\xef\xbb\xbf" + connLine("b1", "DISCONNECTED")), want: []hostileFinding{{1, "illegal-transition", "b1"}}},
		{name: "bom-later", why: "a byte order mark after the first line is not JSON",
			junk: []byte(connLine("b1", "FAILED") + "\n\xef\xbb\xbf" + connLine("b2", "FAILED") + "\n\xef\xbb\xbf\xef\xbb\xbf"),
			want: []hostileFinding{{2, "malformed", ""}, {3, "malformed", ""}}},
		{name: "many-fields", why: "an event among 100k other fields (a line of 1.4 MiB, so MaxLine 4 MiB) is found and judged", maxLine: 4 << 20,
			junk: append(manyFields(100000), "\n"+`{"event":"ConnectionStatusEvent","sessionId":"many","status":"FAILED","status":"DISCONNECTED"}`...),
			want: []hostileFinding{{2, "illegal-transition", "many"}}},
	}
}

func TestHostileLogs(t *testing.T) {
	for _, tc := range hostileCases() {
		t.Run(tc.name, func(t *testing.T) {
			data, line := withProbe(tc.junk, probeID, !tc.noFinalNL)
			v := &eventlog.Validator{Tracker: tracker.New(tc.opts), MaxLine: tc.maxLine}
			got := reduce(readLog(t, v, bytes.NewReader(data)))
			want := append(append([]hostileFinding{}, tc.want...), hostileFinding{line, "illegal-transition", probeID})
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: findings (-want +got):\n%s", tc.why, diff)
			}
			if n := v.Lines.Load(); n != int64(line) {
				t.Errorf("%s: read %d lines, want %d", tc.why, n, line)
			}
			if n := v.Bytes.Load(); n != int64(len(data)) {
				t.Errorf("%s: read %d bytes, want %d", tc.why, n, len(data))
			}
		})
	}
}

// The decoder's nesting limit is encoding/json's, exactly.
func TestHostileNestingAgreesWithEncodingJSON(t *testing.T) {
	for _, depth := range []int{9999, 10000, 10001} {
		line := []byte(nested("deep", depth))
		var got []tracker.Finding
		v := &eventlog.Validator{Report: func(f tracker.Finding) { got = append(got, f) }}
		v.JSONLine("t", 1, line)
		malformed := len(got) == 1 && got[0].Kind == tracker.KindMalformed
		if valid := json.Valid(line); valid == malformed {
			t.Errorf("depth %d: json.Valid says %v, the validator says %v", depth, valid, got)
		}
	}
}

// A huge number of distinct entities open at once: each is tracked, none
// is a finding, and the probe after them is still judged.
func TestHostileManyEntities(t *testing.T) {
	const n = 100000
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, `{"event":"ConnectionStatusEvent","sessionId":"s%d","status":"ESTABLISHED"}`+"\n", i)
	}
	data, line := withProbe(b.Bytes()[:b.Len()-1], probeID, true)
	v := &eventlog.Validator{}
	var got []hostileFinding
	v.Report = func(f tracker.Finding) { got = append(got, hostileFinding{f.Line, f.Kind.String(), f.Entity}) }
	if err := v.ReadJSONL("t", bytes.NewReader(data)); err != nil && !errors.Is(err, eventlog.ErrNoHook) {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]hostileFinding{{line, "illegal-transition", probeID}}, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if st := v.Tracker.Stats(); st.Tracked != n || st.Open != n || st.Sessions != n {
		t.Errorf("tracked %d, open %d, sessions %d; want %d each", st.Tracked, st.Open, st.Sessions, n)
	}
	v.End()
	if len(got) != 1+n {
		t.Errorf("End reported %d dangling entities, want %d", len(got)-1, n)
	}
}

// lineReader yields a line of n bytes of x, then tail, without holding the
// line: the test's own memory does not grow with n.
type lineReader struct {
	n    int
	tail string
}

func (r *lineReader) Read(p []byte) (int, error) {
	if r.n > 0 {
		k := min(r.n, len(p))
		for i := range p[:k] {
			p[i] = 'x'
		}
		r.n -= k
		return k, nil
	}
	if r.tail == "" {
		return 0, io.EOF
	}
	k := copy(p, r.tail)
	r.tail = r.tail[k:]
	return k, nil
}

// allocated returns the bytes fn allocates on the heap.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// Reading a line far longer than the limit allocates about the limit, not
// the line: the reader does not hold it. (The line kept up to the limit
// grows by append, so the bytes allocated are a few times the limit.)
func TestHostileLongLineMemory(t *testing.T) {
	tests := []struct {
		why     string
		line    int // bytes
		maxLine int
		below   uint64 // bytes allocated, at most
	}{
		{"an 8 MiB line, default limit (1 MiB)", 8 << 20, 0, 6 << 20},
		{"a 64 MiB line, default limit", 64 << 20, 0, 6 << 20},
		{"a 64 MiB line, limit 4 KiB: little more than the reader's block (256 KiB, grown once to about 512 KiB)", 64 << 20, 4 << 10, 640 << 10},
	}
	for _, tt := range tests {
		var got []tracker.Finding
		v := &eventlog.Validator{MaxLine: tt.maxLine, Report: func(f tracker.Finding) { got = append(got, f) }}
		v.Tracker = tracker.New(tracker.Options{})
		tail := "\n" + probe(probeID) + "\n"
		n := allocated(func() {
			if err := v.ReadJSONL("t", &lineReader{tt.line, tail}); err != nil && !errors.Is(err, eventlog.ErrNoHook) {
				t.Fatal(err)
			}
		})
		want := []hostileFinding{{1, "line-too-long", ""}, {3, "illegal-transition", probeID}}
		if diff := cmp.Diff(want, reduce(got)); diff != "" {
			t.Errorf("%s: findings (-want +got):\n%s", tt.why, diff)
		}
		if n > tt.below {
			t.Errorf("%s: reading allocated %d bytes, want at most %d", tt.why, n, tt.below)
		}
		t.Logf("%s: %d bytes allocated", tt.why, n)
	}
}
