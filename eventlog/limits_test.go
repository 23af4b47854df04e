package eventlog

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wcsfsm/wcsfsm/tracker"
)

// The limits that bound a Validator's memory, and what happens at each
// (docs/reliability.md).

// limFinding is a finding reduced to what the tables state.
type limFinding struct {
	Line   int
	Kind   string
	Entity string
}

func limConn(id, status string) string {
	return `{"event":"ConnectionStatusEvent","sessionId":"` + id + `","status":"` + status + `"}`
}

// limRead validates the lines (a line each, "\n" after each) through v and
// returns the findings, reduced, End's included when end is set.
func limRead(t *testing.T, v *Validator, end bool, lines ...string) []limFinding {
	t.Helper()
	var out []limFinding
	v.Report = func(f tracker.Finding) { out = append(out, limFinding{f.Line, f.Kind.String(), f.Entity}) }
	if err := v.ReadJSONL("limits.jsonl", strings.NewReader(strings.Join(lines, "\n")+"\n")); err != nil {
		t.Fatal(err)
	}
	if end {
		v.End()
	}
	return out
}

// TestLimitLineLength: a line longer than MaxLine (its line ending not
// counted) is one line-too-long finding and is skipped; one of exactly
// MaxLine is read. The event on the line after is judged either way.
func TestLimitLineLength(t *testing.T) {
	event := limConn("x", "DISCONNECTED") // illegal from NEW: judged, it is a finding
	pad := func(n int) string { return event[:len(event)-1] + strings.Repeat(" ", n-len(event)) + "}" }
	tests := []struct {
		why     string
		maxLine int
		line    string
		want    []limFinding
	}{
		{"exactly the limit: read and judged", 100, pad(100),
			[]limFinding{{1, "illegal-transition", "x"}, {2, "illegal-transition", "y"}}},
		{"one byte over: skipped", 100, pad(101),
			[]limFinding{{1, "line-too-long", ""}, {2, "illegal-transition", "y"}}},
		{"CR of a CRLF ending does not count", 100, pad(100) + "\r",
			[]limFinding{{1, "illegal-transition", "x"}, {2, "illegal-transition", "y"}}},
		{"a CR inside the line counts", 100, pad(99) + "\r ",
			[]limFinding{{1, "line-too-long", ""}, {2, "illegal-transition", "y"}}},
		{"longer than the read buffer (64 KiB), limit above it: read", 100 << 10, pad(100 << 10),
			[]limFinding{{1, "illegal-transition", "x"}, {2, "illegal-transition", "y"}}},
		{"longer than the read buffer, one byte over the limit", 100 << 10, pad(100<<10 + 1),
			[]limFinding{{1, "line-too-long", ""}, {2, "illegal-transition", "y"}}},
		{"far longer than the limit and the buffer", 100, pad(1 << 20),
			[]limFinding{{1, "line-too-long", ""}, {2, "illegal-transition", "y"}}},
		{"default limit, 1 MiB + 1", 0, pad(DefaultMaxLine + 1),
			[]limFinding{{1, "line-too-long", ""}, {2, "illegal-transition", "y"}}},
		{"default limit, 1 MiB", 0, pad(DefaultMaxLine),
			[]limFinding{{1, "illegal-transition", "x"}, {2, "illegal-transition", "y"}}},
	}
	for _, tt := range tests {
		v := &Validator{MaxLine: tt.maxLine}
		got := limRead(t, v, true, tt.line, limConn("y", "DISCONNECTED"))
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: findings (-want +got):\n%s", tt.why, diff)
		}
	}
	// The finding says how long the line is and what the limit is.
	var msgs []string
	v := &Validator{MaxLine: 10, Report: func(f tracker.Finding) { msgs = append(msgs, f.Message) }}
	if err := v.ReadJSONL("t", strings.NewReader(strings.Repeat("x", 11)+"\n"+strings.Repeat("x", 200<<10)+"\n")); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"line of 11 bytes is longer than the limit of 10 bytes; skipped",
		"line of over 10 bytes is longer than the limit of 10 bytes; skipped",
	}
	if diff := cmp.Diff(want, msgs); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
}

// TestLimitEntities: at MaxEntities, an event that would start one more
// entity gets an entity-limit finding instead of being judged against a
// state (its status is still checked), and the entity is not tracked: its
// next events meet the limit again, while it holds. Entities that end make
