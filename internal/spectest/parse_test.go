package spectest_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wcsfsm/wcsfsm/internal/spectest"
)

const heading = "## FooEvent (package `foo`, key `fooId`)\n\n"
const header = "| status | may follow | why |\n|---|---|---|\n"

func TestParse(t *testing.T) {
	tests := []struct {
		why  string
		md   string
		want []spectest.Table
	}{
		{
			why: "rows, code spans unwrapped, Terminal and Final sentences in one paragraph, other sections ignored",
			md: "# Title\n\nNotation: **Terminal**: no status may follow. **Final**: ends.\n\n" + heading + header +
				"| UP | NEW, DOWN | `up()` was called |\n| DOWN | UP | the end |\n\n" +
				"Terminal: none. Final: NEW, DOWN (a comment).\nMore text.\n\n## Rules across families\n\n| a | b | c |\n",
			want: []spectest.Table{{
				Event: "FooEvent", Package: "foo", Key: "fooId",
				Rows: []spectest.Row{
					{Status: "UP", From: []string{"NEW", "DOWN"}, Why: "up() was called"},
					{Status: "DOWN", From: []string{"UP"}, Why: "the end"},
				},
				Terminal: []string{}, Final: []string{"DOWN", "NEW"},
			}},
		},
		{
			why: "Terminal and final, Final also, and notices over two lines",
			md: heading + header + "| A | NEW | a |\n| B | NEW, A | b |\n\n" +
				"Notices that do not change the state, legal only while A: X,\nY; while A or B: Z. (Kept.)\n\n" +
				"Terminal and final: B (why). Final also: NEW.\n",
			want: []spectest.Table{{
				Event: "FooEvent", Package: "foo", Key: "fooId",
				Rows: []spectest.Row{
					{Status: "A", From: []string{"NEW"}, Why: "a"},
					{Status: "B", From: []string{"NEW", "A"}, Why: "b"},
				},
				Notices: []spectest.Notice{
					{Status: "X", From: []string{"A"}},
					{Status: "Y", From: []string{"A"}},
					{Status: "Z", From: []string{"A", "B"}},
				},
				Terminal: []string{"B"}, Final: []string{"B", "NEW"},
			}},
		},
		{
			why: "every state: the initial state and every row's status",
			md:  heading + header + "| A | NEW, A | a |\n\nTerminal: none. Final: every state.\n",
			want: []spectest.Table{{
				Event: "FooEvent", Package: "foo", Key: "fooId",
				Rows:     []spectest.Row{{Status: "A", From: []string{"NEW", "A"}, Why: "a"}},
				Terminal: []string{}, Final: []string{"A", "NEW"},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			got, err := spectest.Parse(strings.NewReader(tt.md))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("Parse (-want +got):\n%s", d)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		why, md, want string
	}{
		{"a row with a fourth cell", heading + header + "| A | NEW | a | b |\n\nTerminal: none. Final: NEW.\n", "4 cells"},
		{"a state that is no name", heading + header + "| A | NEW, b | a |\n\nTerminal: none. Final: NEW.\n", "bad may-follow list"},
		{"a row without the header", heading + "| A | NEW | a |\n\nTerminal: none. Final: NEW.\n", "without the header"},
		{"an empty why", heading + header + "| A | NEW |  |\n\nTerminal: none. Final: NEW.\n", "empty why"},
		{"a status twice", heading + header + "| A | NEW | a |\n| A | A | a |\n\nTerminal: none. Final: NEW.\n", "second row"},
		{"no Terminal sentence", heading + header + "| A | NEW | a |\n\nFinal: NEW.\n", "no Terminal or Final"},
		{"a bad Final list", heading + header + "| A | NEW | a |\n\nTerminal: none. Final: NEW and A.\n", "bad list"},
		{"no table", heading + "Terminal: none. Final: NEW.\n", "no table rows"},
		{"no family section", "# Title\n", "no family section"},
		{"a notices paragraph the parser cannot read", heading + header + "| A | NEW | a |\n\nNotices that do not change the state: X.\n\nTerminal: none. Final: NEW.\n", "notices paragraph"},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			_, err := spectest.Parse(strings.NewReader(tt.md))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse: err = %v, want one that says %q", err, tt.want)
			}
		})
	}
}

// TestMachinesMD reads the repository's own spec: eight family sections, in
// the order of the page, with their packages and keys, and what the tables
// imply about edges and paths.
func TestMachinesMD(t *testing.T) {
	tables := spectest.Load(t)
	type section struct{ Event, Package, Key string }
	var got []section
	for _, tab := range tables {
		got = append(got, section{tab.Event, tab.Package, tab.Key})
	}
	want := []section{
		{"ConnectionStatusEvent", "connection", "sessionId"},
		{"RegistrationStatusEvent", "connection", "sessionId"},
		{"SessionDebugStatusEvent", "connection", "sessionId"},
		{"DataStatusEvent", "connection", "operationId"},
		{"CallStatusEvent", "call", "callId"},
		{"TransferStatusEvent", "transfer", "callId"},
		{"StreamStatusEvent", "stream", "mediaSessionId"},
		{"StreamKeepAliveEvent", "stream", "mediaSessionId"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("sections (-want +got):\n%s", d)
	}

	stream := spectest.Lookup(t, "StreamStatusEvent")
	checks := []struct {
		why  string
		got  any
		want any
	}{
		{"a notice keeps the state", first(stream.Next("PLAYING", "RESIZE")), "PLAYING"},
		{"SNAPSHOT_COMPLETE is legal while publishing", first(stream.Next("PUBLISHING", "SNAPSHOT_COMPLETE")), "PUBLISHING"},
		{"the allowed statuses are sorted", stream.Allowed("PUBLISHING"), []string{"FAILED", "PUBLISHING", "SNAPSHOT_COMPLETE", "UNPUBLISHED"}},
		{"a terminal state allows nothing, as an empty list", stream.Allowed("STOPPED"), []string{}},
		{"a shortest path to PAUSED", first(stream.PathTo("PAUSED")), []string{"PLAYING", "PAUSED"}},
		{"the initial state is reached by nothing", first(stream.PathTo("NEW")), []string(nil)},
	}
	for _, c := range checks {
		if d := cmp.Diff(c.want, c.got); d != "" {
			t.Errorf("%s (-want +got):\n%s", c.why, d)
		}
	}
}

func first[T any](v T, _ bool) T { return v }

// TestCopyOfSharedSpec: every file of testdata/spec (machines.md, the
// oracle of the machines; hooks.md, of the catalogue in package wcs) is a
// copy of the project's shared specification, which sits beside the
// repository where the project is worked on (../shared/spec, or the
// directory named by WCSFSM_SHARED_SPEC). Where it is there, each copy must
// be the same, so that a change to the specification fails the tests until
// the copy, and the tables checked against it, follow. A clean checkout
// alone skips.
func TestCopyOfSharedSpec(t *testing.T) {
	copyPath, err := spectest.Path()
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("WCSFSM_SHARED_SPEC")
	if dir == "" {
		dir = filepath.Join(filepath.Dir(copyPath), "..", "..", "..", "shared", "spec")
	}
	copies, err := filepath.Glob(filepath.Join(filepath.Dir(copyPath), "*.md"))
	if err != nil || len(copies) < 2 {
		t.Fatalf("testdata/spec: %v, %d files", err, len(copies))
	}
	for _, c := range copies {
		name := filepath.Base(c)
		shared, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			t.Skipf("no shared specification at %s", filepath.Join(dir, name))
		}
		if err != nil {
			t.Fatal(err)
		}
		mine, err := os.ReadFile(c)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(strings.Split(string(shared), "\n"), strings.Split(string(mine), "\n")); diff != "" {
			t.Errorf("testdata/spec/%s differs from %s (-shared +copy): copy it over, then mend what the tests find:\n%s",
				name, filepath.Join(dir, name), diff)
		}
	}
}
