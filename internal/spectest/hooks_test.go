package spectest_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wcsfsm/wcsfsm/internal/spectest"
)

// fooTables is a machines.md of two families for the hooks.md tests.
func fooTables(t *testing.T) []spectest.Table {
	t.Helper()
	tables, err := spectest.Parse(strings.NewReader(
		"## FooEvent (package `foo`, key `fooId`)\n\n" + header + "| WAIT | NEW | the start hook |\n| UP | NEW, WAIT | up |\n\nTerminal: none. Final: every state.\n\n" +
			"## BarEvent (package `bar`, key `fooId`)\n\n" + header + "| WAIT | NEW, WAIT | asked |\n| ON | NEW, WAIT | on |\n\nTerminal: none. Final: every state.\n"))
	if err != nil {
		t.Fatal(err)
	}
	return tables
}

const hooksMD = "# Hooks\n\n## 1. Status events\n\n`FooEvent`, `BarEvent`:\nchecked.\n\n" +
	"## 2. Invocations\n\n| hook | machine (key) | status delivered | what it means |\n|---|---|---|---|\n" +
	"| `start` | FooEvent (`fooId`) | WAIT | starts |\n| `ask` | BarEvent (`fooId`, optional) | WAIT | asks |\n\n" +
	"Only these deliver: a FooEvent whose own status is WAIT stays\n`unknown-status`. A BarEvent may carry WAIT itself.\n\n" +
	"## 3. Commands\n\n| hook | key | family it acts on |\n|---|---|---|\n" +
	"| `poke`, `prod` | `fooId` | FooEvent (`prod`: BarEvent) |\n\n" +
	"## 4. Other hooks\n\nKnown, counted, not checked: `ping`,\n`pong`.\n\nA name that is none of these is `unknown-event`.\n"

func TestParseHooks(t *testing.T) {
	tables := fooTables(t)
	h, err := spectest.ParseHooks(strings.NewReader(hooksMD), tables)
	if err != nil {
		t.Fatal(err)
	}
	want := []spectest.Hook{
		{Name: "FooEvent", Kind: "status", Family: "FooEvent", Key: "fooId"},
		{Name: "BarEvent", Kind: "status", Family: "BarEvent", Key: "fooId"},
		{Name: "start", Kind: "invocation", Family: "FooEvent", Key: "fooId", Status: "WAIT"},
		{Name: "ask", Kind: "invocation", Family: "BarEvent", Key: "fooId", Status: "WAIT"},
		{Name: "poke", Kind: "command", Family: "FooEvent", Key: "fooId"},
		{Name: "prod", Kind: "command", Family: "BarEvent", Key: "fooId"},
		{Name: "ping", Kind: "other"},
		{Name: "pong", Kind: "other"},
	}
	if d := cmp.Diff(want, h.List); d != "" {
		t.Errorf("ParseHooks (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string][]string{"FooEvent": {"WAIT"}}, h.HookOnly); d != "" {
		t.Errorf("HookOnly (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"UP"}, h.EventCarries(tables[0])); d != "" {
		t.Errorf("EventCarries(FooEvent) (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"ON", "WAIT"}, h.EventCarries(tables[1])); d != "" {
		t.Errorf("EventCarries(BarEvent) (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]spectest.Hook{}, h.Invocations("Nothing")); d != "" {
		t.Errorf("Invocations of no family (-want +got):\n%s", d)
	}
}

func TestParseHooksErrors(t *testing.T) {
	tests := []struct {
		why, old, new, want string
	}{
		{"a row of another shape", "| `start` | FooEvent (`fooId`) | WAIT |", "| `start` | FooEvent | WAIT |", "section 2: a row"},
		{"a key that machines.md does not give", "FooEvent (`fooId`) | WAIT", "FooEvent (`barId`) | WAIT", "key barId"},
		{"a status the machine does not have", "FooEvent (`fooId`) | WAIT", "FooEvent (`fooId`) | DOWN", "no status DOWN"},
		{"a family with no section", "`FooEvent`, `BarEvent`", "`FooEvent`, `BazEvent`", "BazEvent\" has no section"},
		{"an invocation neither hook-only nor carried", "A BarEvent may carry WAIT itself.", "", "must say either"},
		{"a command row of another shape", "| `poke`, `prod` | `fooId` |", "| poke | `fooId` |", "section 3: a row"},
		{"a hook twice", "`ping`,\n`pong`", "`ping`,\n`poke`", "poke: listed twice"},
		{"no section 4", "## 4. Other", "## Other", "no section 4"},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			md := strings.Replace(hooksMD, tt.old, tt.new, 1)
			if md == hooksMD {
				t.Fatalf("%q is not in the page", tt.old)
			}
			_, err := spectest.ParseHooks(strings.NewReader(md), fooTables(t))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseHooks: err = %v, want one that says %q", err, tt.want)
			}
		})
	}
}

// TestHooksMD reads the repository's own hooks.md: its sections' sizes,
// and the statuses only invocations deliver.
func TestHooksMD(t *testing.T) {
	h := spectest.LoadHooks(t)
	kinds := map[string]int{}
	for _, x := range h.List {
		kinds[x.Kind]++
	}
	if d := cmp.Diff(map[string]int{"status": 8, "invocation": 6, "command": 11, "other": 18}, kinds); d != "" {
		t.Errorf("hooks by kind (-want +got):\n%s", d)
	}
	want := map[string][]string{"ConnectionStatusEvent": {"PENDING"}, "CallStatusEvent": {"PENDING"}, "DataStatusEvent": {"PENDING"}}
	if d := cmp.Diff(want, h.HookOnly); d != "" {
		t.Errorf("HookOnly (-want +got):\n%s", d)
	}
	var names []string
	for _, x := range h.Invocations("StreamStatusEvent") {
		names = append(names, x.Name)
	}
	if d := cmp.Diff([]string{"playStream", "publishStream"}, names); d != "" {
		t.Errorf("Invocations(StreamStatusEvent) (-want +got):\n%s", d)
	}
}
