package tracker

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
	"github.com/wcsfsm/wcsfsm/wcs"
	"pgregory.net/rapid"
)

// testLogs returns the lines of every JSON Lines log under testdata/, by
// file, blank lines dropped.
func testLogs(t testing.TB) [][]string {
	t.Helper()
	var names []string
	for _, pat := range []string{"../testdata/*.jsonl", "../testdata/*/*.jsonl"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, m...)
	}
	sort.Strings(names)
	if len(names) == 0 {
		t.Fatal("no logs under ../testdata")
	}
	var out [][]string
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, l := range strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n") {
			if strings.TrimSpace(l) != "" {
				lines = append(lines, l)
			}
		}
		out = append(out, lines)
	}
	return out
}

// statusNames lists every status of every family, for perturbations.
func statusNames() []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range wcs.Families() {
		m := f.Machine()
		for _, s := range m.Statuses() {
			if n := m.String(s); !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	sort.Strings(out)
	return out
}

// rename gives the ids of a line a suffix, so that copies of one log are
// different sessions; a line that is not a JSON object is kept as it is.
func rename(line, suffix string) string {
	var m map[string]any
	if err := json.Unmarshal([]byte(line), &m); err != nil || suffix == "" {
		return line
	}
	for _, k := range []string{"sessionId", "callId", "mediaSessionId", "operationId"} {
		if s, ok := m[k].(string); ok {
			m[k] = s + suffix
		}
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// genLog draws a log from the logs under testdata: a few copies of them,
// their ids renamed or not (copies that share ids collide, on purpose),
// interleaved, some lines dropped, repeated, swapped, given another status,
// or garbled.
func genLog(logs [][]string) *rapid.Generator[[]string] {
	statuses := statusNames()
	return rapid.Custom(func(t *rapid.T) []string {
		copies := rapid.IntRange(1, 5).Draw(t, "copies")
		var streams [][]string
		for c := 0; c < copies; c++ {
			src := logs[rapid.IntRange(0, len(logs)-1).Draw(t, "log")]
			suffix := rapid.SampledFrom([]string{"", "#a", "#b", "#c", "#d"}).Draw(t, "suffix")
			var lines []string
			for _, l := range src {
				lines = append(lines, rename(l, suffix))
			}
			streams = append(streams, lines)
		}
		var out []string
		for {
			var live []int
			for i, s := range streams {
				if len(s) > 0 {
					live = append(live, i)
				}
			}
			if len(live) == 0 {
				break
			}
			i := live[rapid.IntRange(0, len(live)-1).Draw(t, "next")]
			l := streams[i][0]
			streams[i] = streams[i][1:]
			switch rapid.IntRange(0, 19).Draw(t, "perturb") {
			case 0: // dropped
				continue
			case 1: // repeated
				out = append(out, l)
			case 2: // another status
				var m map[string]any
				if json.Unmarshal([]byte(l), &m) == nil {
					m["status"] = rapid.SampledFrom(statuses).Draw(t, "status")
					b, _ := json.Marshal(m)
					l = string(b)
				}
			case 3: // garbled
				l = l[:rapid.IntRange(0, len(l)).Draw(t, "cut")]
			case 4: // swapped with the line before
				if n := len(out); n > 0 {
					out[n-1], l = l, out[n-1]
				}
			}
			out = append(out, l)
		}
		return out
	})
}

var genOptions = rapid.Custom(func(t *rapid.T) Options {
	return Options{
		Partial:     rapid.Bool().Draw(t, "partial"),
		MaxEntities: rapid.SampledFrom([]int{0, 1, 2, 3, 5, 8, 20}).Draw(t, "maxEntities"),
		MaxMarks:    rapid.SampledFrom([]int{0, 1, 2, 3, 5, 8}).Draw(t, "maxMarks"),
	}
})

// segmentName names the file of line i (0-based) of a log cut at cuts: a
// rotated log has one name per part.
func segmentName(cuts []int, i int) string {
	n := 0
	for _, c := range cuts {
		if i >= c {
			n++
		}
	}
	return fmt.Sprintf("hooks.log.%d", n)
}

// validateLines feeds lines[from:to] (numbered from 1 within their part) to
// v.
func validateLines(v *feeder, lines []string, cuts []int, from, to int) {
	for i := from; i < to; i++ {
		start := 0
		for _, c := range cuts {
			if c <= i {
				start = c
			}
		}
		v.JSONLine(segmentName(cuts, i), i-start+1, []byte(lines[i]))
	}
}

// outcome is everything a run reports.
type outcome struct {
	Findings []Finding
	Stats    Stats
	Coverage Coverage
}

// TestSnapshotResume is the checkpoint property: validating a log in parts,
// with a snapshot after each part restored into a fresh tracker for the
// next, reports exactly what one run over the whole log reports, and the
// restored tracker writes the very bytes it was restored from.
func TestSnapshotResume(t *testing.T) {
	logs := testLogs(t)
	gen := genLog(logs)
	rapid.Check(t, func(t *rapid.T) {
		lines := gen.Draw(t, "log")
		opts := genOptions.Draw(t, "options")
		cuts := rapid.SliceOfNDistinct(rapid.IntRange(0, len(lines)), 1, 3, rapid.ID[int]).Draw(t, "cuts")
		sort.Ints(cuts)

		var whole outcome
		v := &feeder{Tracker: New(opts), Report: func(f Finding) { whole.Findings = append(whole.Findings, f) }}
		validateLines(v, lines, cuts, 0, len(lines))
		v.End()
		whole.Stats, whole.Coverage = v.Tracker.Stats(), v.Tracker.Coverage()

		var split outcome
		report := func(f Finding) { split.Findings = append(split.Findings, f) }
		tr := New(opts)
		from := 0
		for _, c := range cuts {
			validateLines(&feeder{Tracker: tr, Report: report}, lines, cuts, from, c)
			var buf bytes.Buffer
			if err := tr.Snapshot(&buf); err != nil {
				t.Fatal(err)
			}
			tr = new(Tracker) // the zero value: Restore sets the options too
			if err := tr.Restore(bytes.NewReader(buf.Bytes())); err != nil {
				t.Fatalf("restore at line %d: %v", c, err)
			}
			var again bytes.Buffer
			if err := tr.Snapshot(&again); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), again.Bytes()) {
				t.Fatalf("at line %d the restored tracker's snapshot differs from the one it was restored from", c)
			}
			from = c
		}
		v = &feeder{Tracker: tr, Report: report}
		validateLines(v, lines, cuts, from, len(lines))
		v.End()
		split.Stats, split.Coverage = tr.Stats(), tr.Coverage()
		if diff := cmp.Diff(whole, split); diff != "" {
			t.Fatalf("cut at %v, options %+v: the split run differs (-whole +split):\n%s", cuts, opts, diff)
		}
	})
}

// TestSnapshotOptionsAndZero: a zero tracker's snapshot restores to a
// tracker with the default options; Restore replaces the options.
func TestSnapshotOptionsAndZero(t *testing.T) {
	var zero Tracker
	var buf bytes.Buffer
	if err := zero.Snapshot(&buf); err != nil {
		t.Fatal(err)
	}
	tr := New(Options{Partial: true, MaxEntities: 7})
	if err := tr.Restore(&buf); err != nil {
		t.Fatal(err)
	}
	want := Options{MaxEntities: DefaultMaxEntities, MaxMarks: DefaultMaxMarks, MaxID: DefaultMaxID}
	if diff := cmp.Diff(want, tr.Options()); diff != "" {
		t.Errorf("options after restoring a zero tracker (-want +got):\n%s", diff)
	}
}

// TestRestoreReadsOnlyTheSnapshot: a snapshot may be followed by other
// data, which Restore leaves in the reader; a reader that hands out one
// byte at a time works as well.
func TestRestoreReadsOnlyTheSnapshot(t *testing.T) {
	tr := New(Options{})
	v := &feeder{Tracker: tr}
	for i, l := range testLogs(t)[0] {
		v.JSONLine("a", i+1, []byte(l))
	}
	var buf bytes.Buffer
	if err := tr.Snapshot(&buf); err != nil {
		t.Fatal(err)
	}
	snap := buf.Bytes()
	r := bytes.NewReader(append(append([]byte{}, snap...), "after"...))
	var got Tracker
	if err := got.Restore(r); err != nil {
		t.Fatal(err)
	}
	if rest, _ := io.ReadAll(r); string(rest) != "after" {
		t.Errorf("left in the reader: %q, want %q", rest, "after")
	}
	var slow Tracker
	if err := slow.Restore(iotest.OneByteReader(bytes.NewReader(snap))); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(tr.Stats(), slow.Stats()); diff != "" {
		t.Errorf("stats after a byte-by-byte restore (-want +got):\n%s", diff)
	}
}

// payload builds snapshot payloads section by section, for the table of bad
// snapshots: the defaults are a tracker with one session "s1" ESTABLISHED.
type payload struct {
	options, seq, stats, coverage, files, entities, sessions, marks []byte
}

func uv(vs ...uint64) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.AppendUvarint(b, v)
	}
	return b
}

func str(s string) []byte { return append(uv(uint64(len(s))), s...) }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func validPayload() payload {
	cov := uv(uint64(wcs.NumFamilies))
	for _, f := range wcs.Families() {
		cov = append(cov, uv(uint64(len(f.Machine().Transitions())))...)
		cov = append(cov, make([]byte, len(f.Machine().Transitions()))...)
	}
	est, _ := wcs.FamilyConnection.Machine().ParseState("ESTABLISHED")
	return payload{
		options:  cat(uv(0, 100, 10, 4096), make([]byte, 8)),
		seq:      uv(1),
		stats:    cat(uv(1, 1), uv(0), uv(0), uv(0)),
		coverage: cov,
		files:    cat(uv(1), str("f")),
		entities: cat(uv(1), str("\x00\x00s1"), uv(uint64(est), 0, 0, 0, 0), binary.AppendVarint(nil, 1)),
		sessions: cat(uv(1), str("\x00s1"), uv(0, 1, 0)),
		marks:    uv(0),
	}
}

func (p payload) bytes() []byte {
	return cat(p.options, p.seq, p.stats, p.coverage, p.files, p.entities, p.sessions, p.marks)
}

// frame wraps a payload in the header and the checksum.
func frame(p []byte) []byte {
	b := append([]byte(snapshotMagic), uv(snapshotVersion, uint64(len(p)))...)
	b = append(b, p...)
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

func TestRestoreErrors(t *testing.T) {
	good := frame(validPayload().bytes())
	with := func(edit func(*payload)) []byte {
		p := validPayload()
		edit(&p)
		return frame(p.bytes())
	}
	disconnected, _ := wcs.FamilyConnection.Machine().ParseState("DISCONNECTED")
	est, _ := wcs.FamilyConnection.Machine().ParseState("ESTABLISHED")
	type tc struct {
		why   string
		input []byte
		want  string // in the error
	}
	cases := []tc{
		{"nothing at all", nil, "empty input"},
		{"a short header", []byte("WCSF"), "truncated header"},
		{"another file", []byte("{\"event\":\"CallStatusEvent\"}"), "not a tracker snapshot"},
		{"a version from the future", cat([]byte(snapshotMagic), uv(snapshotVersion+1, 0), make([]byte, 4)), "this build reads versions 3 to 5"},
		{"version 1, which kept a window of ended sessions", cat([]byte(snapshotMagic), uv(1, 0), make([]byte, 4)), "version 1"},
		{"the header ends before the length", cat([]byte(snapshotMagic), uv(snapshotVersion)), "truncated header"},
		{"cut in the payload", good[:len(good)-10], "truncated"},
		{"cut in the checksum", good[:len(good)-2], "truncated"},
		{"a flipped bit", func() []byte { b := bytes.Clone(good); b[12] ^= 1; return b }(), "checksum mismatch"},
		{"an absurd payload length", cat([]byte(snapshotMagic), uv(snapshotVersion, 1<<62), []byte("x")), "truncated"},
		{"unknown option flags", with(func(p *payload) { p.options = cat(uv(4, 100, 10, 4096), make([]byte, 8)) }), "unknown option flags"},
		{"unknown entity flags", with(func(p *payload) {
			p.entities = cat(uv(1), str("\x00\x00s1"), uv(1, 0, 4, 0, 0), uv(0))
		}), "unknown flags 0x4"},
		{"a zero bound", with(func(p *payload) { p.options = cat(uv(0, 0, 10, 4096), make([]byte, 8)) }), "is 0"},
		{"more kinds than this build knows", with(func(p *payload) { p.stats = cat(uv(1, 1, uint64(NumKinds)+1)) }), "stats: kinds"},
		{"a coverage that does not fit the machine", with(func(p *payload) { p.coverage = uv(1, 99) }), "transitions; its machine has"},
		{"a file twice", with(func(p *payload) { p.files = cat(uv(2), str("f"), str("f")) }), "listed twice"},
		{"an unknown family", with(func(p *payload) {
			p.entities = cat(uv(1), str("\x09\x00s1"), uv(1, 0, 0, 0, 0), uv(0))
		}), "unknown family 9"},
		{"a state out of range for the family", with(func(p *payload) {
			p.entities = cat(uv(1), str("\x00\x00s1"), uv(99, 0, 0, 0, 0), uv(0))
		}), "state 99 is no state of ConnectionStatusEvent"},
		{"a key without its separator", with(func(p *payload) {
			p.entities = cat(uv(1), str("\x00s1"), uv(1, 0, 0, 0, 0), uv(0))
		}), "is not a family, a node, 0, an id"},
		{"a bad direction", with(func(p *payload) {
			p.entities = cat(uv(1), str("\x00\x00s1"), uv(1, 3, 0, 0, 0), uv(0))
		}), "direction 3"},
		{"a seq not below the counter", with(func(p *payload) {
			p.entities = cat(uv(1), str("\x00\x00s1"), uv(1, 0, 0, 1, 0), uv(0))
		}), "seq 1"},
		{"a dangling file", with(func(p *payload) {
			p.entities = cat(uv(1), str("\x00\x00s1"), uv(1, 0, 0, 0, 5), uv(0))
		}), "file 5 of 1"},
		{"more entities than the input holds", with(func(p *payload) { p.entities = uv(1000) }), "cannot hold them"},
		{"a dangling member", with(func(p *payload) { p.sessions = cat(uv(1), str("\x00s1"), uv(0, 1, 7)) }), "member 0 is entity 7 of 1"},
		{"an entity in two sessions", with(func(p *payload) {
			p.sessions = cat(uv(2), str("\x00s1"), uv(0, 1, 0), str("\x00s2"), uv(0, 1, 0))
		}), "belongs to two sessions"},
		{"a session twice", with(func(p *payload) {
			p.sessions = cat(uv(2), str("\x00s1"), uv(0, 1, 0), str("\x00s1"), uv(0, 0))
		}), "listed twice"},
		{"more entities than the bound (forged: a tracker never holds them)", with(func(p *payload) {
			p.options = cat(uv(0, 1, 10, 4096), make([]byte, 8))
			p.seq = uv(3)
			p.entities = cat(uv(2), str("\x00\x00s1"), uv(uint64(est), 0, 0, 0, 0), binary.AppendVarint(nil, 1),
				str("\x00\x00s2"), uv(uint64(est), 0, 0, 1, 0), binary.AppendVarint(nil, 1))
			p.sessions = cat(uv(2), str("\x00s1"), uv(0, 1, 0), str("\x00s2"), uv(0, 1, 1))
		}), "2 entities, more than MaxEntities 1"},
		{"a connection in another session", with(func(p *payload) { p.sessions = cat(uv(1), str("\x00s2"), uv(0, 1, 0)) }), "not in its own"},
		{"a connection in no session", with(func(p *payload) { p.sessions = uv(0) }), "is in no session"},
		{"an empty session", with(func(p *payload) {
			p.sessions = cat(uv(2), str("\x00s1"), uv(0, 1, 0), str("\x00s2"), uv(0, 0))
		}), "no member"},
		{"sessions out of order", with(func(p *payload) {
			p.seq = uv(3)
			p.entities = cat(uv(2), str("\x00\x00s1"), uv(uint64(est), 0, 0, 0, 0), binary.AppendVarint(nil, 1),
				str("\x00\x00s2"), uv(uint64(est), 0, 0, 1, 0), binary.AppendVarint(nil, 1))
			p.sessions = cat(uv(2), str("\x00s2"), uv(0, 1, 1), str("\x00s1"), uv(0, 1, 0))
		}), "out of order"},
		{"a revived session whose connection has not ended", with(func(p *payload) { p.sessions = cat(uv(1), str("\x00s1"), uv(1, 1, 0)) }), "not ended"},
		{"an absurd bound of marks", with(func(p *payload) { p.options = cat(uv(0, 100, 1<<40, 4096), make([]byte, 8)) }), "MaxMarks"},
		{"a revived session without its connection", with(func(p *payload) { p.sessions = cat(uv(1), str("\x00s1"), uv(1, 0)) }), "revived without"},
		{"a mark of no state of any family", with(func(p *payload) { p.marks = cat(uv(1), make([]byte, 8), uv(60)) }), "no state it may hold"},
		{"a mark twice", with(func(p *payload) {
			p.marks = cat(uv(2), make([]byte, 8), uv(uint64(disconnected)), make([]byte, 8), uv(uint64(disconnected)))
		}), "repeats the hash"},
		{"more marks than the bound", with(func(p *payload) {
			p.options = cat(uv(0, 100, 1, 4096), make([]byte, 8))
			p.marks = cat(uv(2), make([]byte, 8), uv(uint64(disconnected)), []byte{1, 0, 0, 0, 0, 0, 0, 0}, uv(uint64(disconnected)))
		}), "more than the limit of 1"},
		{"an entity mark with a direction that is none", with(func(p *payload) {
			p.marks = cat(uv(1), make([]byte, 8), uv(uint64(3<<6)))
		}), "no state it may hold"},
		{"bytes after the marks", with(func(p *payload) { p.marks = cat(uv(0), uv(0)) }), "bytes after the marks"},
	}
	var ok Tracker
	if err := ok.Restore(bytes.NewReader(good)); err != nil {
		t.Fatalf("the valid payload of the table does not restore: %v", err)
	}
	for _, c := range cases {
		t.Run(c.why, func(t *testing.T) {
			tr := New(Options{MaxEntities: 3})
			tr.Take(&wcs.Event{Event: "ConnectionStatusEvent", SessionID: "x", Status: "ESTABLISHED"})
			before := tr.Stats()
			err := tr.Restore(bytes.NewReader(c.input))
			if err == nil {
				t.Fatalf("%s: restored, want an error with %q", c.why, c.want)
			}
			if !errors.Is(err, ErrSnapshot) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: error %q, want ErrSnapshot with %q", c.why, err, c.want)
			}
			if diff := cmp.Diff(before, tr.Stats()); diff != "" || tr.Options().MaxEntities != 3 {
				t.Errorf("%s: a failed restore changed the tracker:\n%s", c.why, diff)
			}
		})
	}
}

// TestRestoreVersion4: a snapshot of version 4 (before MaxID) restores,
// with the default MaxID.
func TestRestoreVersion4(t *testing.T) {
	p := validPayload()
	p.options = cat(uv(0, 100, 10), make([]byte, 8))
	b := p.bytes()
	framed := append([]byte(snapshotMagic), uv(4, uint64(len(b)))...)
	framed = append(framed, b...)
	framed = binary.LittleEndian.AppendUint32(framed, crc32.ChecksumIEEE(framed))
	var tr Tracker
	if err := tr.Restore(bytes.NewReader(framed)); err != nil {
		t.Fatalf("a version 4 snapshot: %v", err)
	}
	if o := tr.Options(); o.MaxID != DefaultMaxID || o.MaxEntities != 100 {
		t.Errorf("options %+v, want MaxID %d and MaxEntities 100", o, DefaultMaxID)
	}
}

// TestRestoreReaderError: the reader's own error comes back as it is.
func TestRestoreReaderError(t *testing.T) {
	boom := errors.New("boom")
	var tr Tracker
	err := tr.Restore(iotest.ErrReader(boom))
	if !errors.Is(err, boom) || errors.Is(err, ErrSnapshot) {
		t.Errorf("error %v, want the reader's", err)
	}
}

// TestSnapshotCoversTracker fails when a field is added to the tracker's
// state: snapshot.go must learn to write and restore it (or be told here
// that it is scratch space).
func TestSnapshotCoversTracker(t *testing.T) {
	fields := func(v any) []string {
		var out []string
		for f := range reflect.TypeOf(v).Fields() {
			out = append(out, f.Name)
		}
		return out
	}
	type tc struct {
		why  string
		got  []string
		want []string
	}
	cases := []tc{
		{"Tracker: keybuf is scratch, mu and init are not state, fileIdx is the index of files, others is 0 but during TakeShared, dead and free hold zeroed structs to reuse",
			fields(Tracker{}), []string{"mu", "opts", "init", "sessions", "entities", "marks", "seed", "seq", "keybuf", "stats", "cov", "files", "fileIdx",
				"others", "dead", "deadSess", "free", "freeSess"}},
		{"session: the counters are counted again",
			fields(session{}), []string{"key", "h", "conn", "members", "nonFinal", "dropped", "revived", "ents", "kbuf"}},
		{"entity: idx is the position in its session's list; mark only for detached copies of marks",
			fields(entity{}), []string{"key", "h", "fam", "state", "dir", "sess", "seq", "mark", "marked", "hookOnly", "dirHook", "idx", "file", "line", "kbuf"}},
		{"Stats: Open, Tracked and Sessions are counted again",
			fields(Stats{}), []string{"Events", "Entities", "Open", "Tracked", "Sessions", "Findings", "Families", "Methods"}},
		{"Options", fields(Options{}), []string{"Partial", "Tail", "MaxEntities", "MaxMarks", "MaxID"}},
	}
	for _, c := range cases {
		if diff := cmp.Diff(c.want, c.got); diff != "" {
			t.Errorf("%s: the fields changed; update snapshot.go and this list (-known +now):\n%s", c.why, diff)
		}
	}
}

// FuzzRestore: no input makes Restore panic, framed or not; what it accepts
// it writes back in a form that restores to the same bytes again, and a tracker restored from it takes events
// and ends without a panic.
func FuzzRestore(f *testing.F) {
	f.Add(validPayload().bytes())
	f.Add(frame(validPayload().bytes()))
	for i, lines := range testLogs(f) {
		if i%3 != 0 {
			continue
		}
		tr := New(Options{MaxMarks: 2})
		v := &feeder{Tracker: tr}
		for j, l := range lines {
			v.JSONLine("f", j+1, []byte(l))
		}
		var buf bytes.Buffer
		tr.Snapshot(&buf)
		f.Add(buf.Bytes())
		f.Add(buf.Bytes()[len(snapshotMagic)+2 : buf.Len()-4])
	}
	events := testLogs(f)[0]
	f.Fuzz(func(t *testing.T, data []byte) {
		inputs := [][]byte{data}
		if !bytes.HasPrefix(data, []byte(snapshotMagic)) {
			inputs = append(inputs, frame(data))
		}
		for _, in := range inputs {
			var tr Tracker
			if err := tr.Restore(bytes.NewReader(in)); err != nil {
				if !errors.Is(err, ErrSnapshot) {
					t.Fatalf("error %v does not wrap ErrSnapshot", err)
				}
				continue
			}
			var out, again bytes.Buffer
			if err := tr.Snapshot(&out); err != nil {
				t.Fatal(err)
			}
			var tr2 Tracker
			if err := tr2.Restore(bytes.NewReader(out.Bytes())); err != nil {
				t.Fatalf("accepted %x, wrote %x, and refuses that: %v", in, out.Bytes(), err)
			}
			if tr2.Snapshot(&again); !bytes.Equal(out.Bytes(), again.Bytes()) {
				t.Fatalf("accepted %x, wrote %x, then %x", in, out.Bytes(), again.Bytes())
			}
			v := &feeder{Tracker: &tr}
			for j, l := range events {
				v.JSONLine("after", j+1, []byte(l))
			}
			v.End()
		}
	})
}
