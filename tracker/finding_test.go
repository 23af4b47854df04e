package tracker

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wcsfsm/wcsfsm/wcs"
	"pgregory.net/rapid"
)

// encoderString is what json.Encoder with SetEscapeHTML(false) writes for
// s: the reference appendString must agree with.
func encoderString(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return strings.TrimSuffix(buf.String(), "\n")
}

func TestAppendStringAgreesWithEncoder(t *testing.T) {
	for _, row := range []struct{ why, s string }{
		{"empty", ""},
		{"plain ASCII stays as it is", "CallStatusEvent c1 in RING got HOLD"},
		{"quote and backslash are escaped", `a"b\c`},
		{"the five short escapes", "\b\f\n\r\t"},
		{"other control characters as \\u00XX, lower-case hex", "\x00\x01\x1f"},
		{"DEL is not escaped", "\x7f"},
		{"HTML characters are kept (SetEscapeHTML(false))", "<a & b>"},
		{"valid UTF-8 is kept", "Соединение установлено"},
		{"invalid UTF-8 becomes \\ufffd, byte by byte", "a\xff\xfeb\xc3"},
		{"U+2028 and U+2029 are escaped", "x\u2028y\u2029z"},
		{"U+FFFD itself is kept", "\ufffd"},
	} {
		if diff := cmp.Diff(encoderString(row.s), string(appendString(nil, row.s))); diff != "" {
			t.Errorf("%s (-encoder +appendString):\n%s", row.why, diff)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.OneOf(rapid.String(), rapid.StringMatching(`[\x00-\x7f]*`),
			rapid.Map(rapid.SliceOf(rapid.Byte()), func(b []byte) string { return string(b) })).Draw(t, "s")
		if got, want := string(appendString([]byte("x"), s)), "x"+encoderString(s); got != want {
			t.Fatalf("appendString(%q) = %s, want %s", s, got, want)
		}
	})
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", `"\`, "\x00\u2028", "\xff", "Соединение"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(appendString(nil, s)), encoderString(s); got != want {
			t.Fatalf("appendString(%q) = %s, want %s", s, got, want)
		}
	})
}

// TestAppendJSONNoAlloc: writing a finding into a buffer with room
// allocates nothing (it took 32 allocations when each string went through
// a json.Encoder).
func TestAppendJSONNoAlloc(t *testing.T) {
	f := Finding{File: "hooks.jsonl", Line: 7, Kind: KindIllegalTransition, Event: "CallStatusEvent", Entity: "c\"1",
		Node: "n1", From: "RING", Status: "HOLD", Allowed: []string{"BUSY", "ESTABLISHED", "FAILED"},
		Message: "CallStatusEvent c1 in RING got HOLD; allowed: BUSY, ESTABLISHED, FAILED\n"}
	dangling := Finding{File: "hooks.jsonl", Last: 52, Severity: SeverityWarning, Kind: KindDangling, Event: "TransferStatusEvent", Entity: "c1",
		From: "ACCEPTED", Allowed: []string{"COMPLETED", "FAILED", "TRYING"}, Message: "TransferStatusEvent c1 is left in ACCEPTED"}
	for _, f := range []Finding{f, dangling} {
		buf := make([]byte, 0, 1024)
		if n := testing.AllocsPerRun(100, func() { buf = f.AppendJSON(buf[:0]) }); n != 0 {
			t.Errorf("AppendJSON of %v: %v allocations, want 0", f.Kind, n)
		}
		var back Finding
		if err := json.Unmarshal(buf, &back); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(f, back); diff != "" {
			t.Errorf("round trip (-written +read):\n%s", diff)
		}
	}
}

// TestFindingJSONLast: "last", the line of a dangling entity's last event,
// is written for dangling findings only, whatever Last holds, and read back
// (log-format.md: the fixed fields stay as they are, this one is added).
func TestFindingJSONLast(t *testing.T) {
	for _, row := range []struct {
		why      string
		f        Finding
		wantLast bool // "last" in the JSON
		back     int  // Last read back
	}{
		{"a dangling finding says where its entity was last seen", Finding{Kind: KindDangling, Severity: SeverityWarning, Last: 52, Allowed: []string{}}, true, 52},
		{"a dangling finding of an entity never placed says 0", Finding{Kind: KindDangling, Severity: SeverityWarning, Allowed: []string{}}, true, 0},
		{"any other finding has a line of its own: no last", Finding{Kind: KindIllegalTransition, Line: 7, Last: 3, Allowed: []string{}}, false, 0},
	} {
		b := row.f.AppendJSON(nil)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %s: %v", row.why, b, err)
		}
		if _, ok := m["last"]; ok != row.wantLast {
			t.Errorf("%s: %s: last present %v, want %v", row.why, b, ok, row.wantLast)
		}
		var back Finding
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if back.Last != row.back {
			t.Errorf("%s: Last read back %d, want %d", row.why, back.Last, row.back)
		}
	}
}

// TestStatsAddEveryField: Add sums every field of Stats, so that a field
// added to Stats and forgotten in Add fails here, not silently in -j.
func TestStatsAddEveryField(t *testing.T) {
	var one Stats
	fill(reflect.ValueOf(&one).Elem())
	var sum Stats
	sum.Add(one)
	sum.Add(one)
	var two Stats
	fill(reflect.ValueOf(&two).Elem())
	fill(reflect.ValueOf(&two).Elem())
	if diff := cmp.Diff(two, sum); diff != "" {
		t.Errorf("Add(one) twice (-every field twice +Add):\n%s", diff)
	}
}

// fill adds 1 to every number in v.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Int, reflect.Int64:
		v.SetInt(v.Int() + 1)
	case reflect.Array:
		for i := range v.Len() {
			fill(v.Index(i))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i))
		}
	default:
		panic("fill: a field of kind " + v.Kind().String())
	}
}

// TestEndTwice: End may be called again (the tracker stays usable); the
// statistics count each dangling entity once, as of the last End.
func TestEndTwice(t *testing.T) {
	var tr Tracker
	tr.Take(&wcs.Event{Event: "ConnectionStatusEvent", Status: "ESTABLISHED", SessionID: "s1"})
	for i, want := range []int{1, 1} {
		if got := len(tr.End()); got != want {
			t.Fatalf("End #%d: %d findings, want %d", i+1, got, want)
		}
		if s := tr.Stats(); s.Warnings() != 1 {
			t.Fatalf("after End #%d: %d warnings counted, want 1", i+1, s.Warnings())
		}
	}
	tr.Take(&wcs.Event{Event: "ConnectionStatusEvent", Status: "ESTABLISHED", SessionID: "s2"})
	tr.End()
	if s := tr.Stats(); s.Warnings() != 2 {
		t.Errorf("after a third End with two sessions open: %d warnings counted, want 2", s.Warnings())
	}
	tr.Take(&wcs.Event{Event: "ConnectionStatusEvent", Status: "DISCONNECTED", SessionID: "s1"})
	tr.Take(&wcs.Event{Event: "ConnectionStatusEvent", Status: "DISCONNECTED", SessionID: "s2"})
	fs := tr.End()
	if s := tr.Stats(); len(fs) != 0 || s.Warnings() != 0 {
		t.Errorf("after both closed: %d findings, %d warnings counted, want 0 and 0", len(fs), s.Warnings())
	}
}

// TestDanglingLast: a dangling finding's Last is the line of its entity's
// last event, not of its first, nor of another entity's.
func TestDanglingLast(t *testing.T) {
	var tr Tracker
	for _, ev := range []wcs.Event{
		{File: "a.jsonl", Line: 1, Event: "ConnectionStatusEvent", Status: "ESTABLISHED", SessionID: "s1"},
		{File: "a.jsonl", Line: 2, Event: "CallStatusEvent", Status: "TRYING", SessionID: "s1", CallID: "c1"},
		{File: "a.jsonl", Line: 3, Event: "CallStatusEvent", Status: "RING", SessionID: "s1", CallID: "c1"},
		{File: "a.jsonl", Line: 4, Event: "ConnectionStatusEvent", Status: "DISCONNECTED", SessionID: "s1"},
	} {
		tr.Take(&ev)
	}
	fs := tr.End()
	if len(fs) != 1 || fs[0].Entity != "c1" || fs[0].Last != 3 || fs[0].Line != 0 {
		t.Fatalf("End: %+v, want one dangling finding of c1 with Last 3, Line 0", fs)
	}
}
