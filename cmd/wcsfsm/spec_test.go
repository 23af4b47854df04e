package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/wcsfsm/wcsfsm/internal/spectest"
)

// The -update flag rewrites golden files. Other test files of this package
// may want one too: define it only once, whoever comes first, and read it
// when the tests run.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files under testdata/")
	}
}

func specUpdate() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// TestSpecGolden runs "wcsfsm spec" in-process and compares its exit status,
// standard output and standard error with testdata/spec/NAME.golden.
func TestSpecGolden(t *testing.T) {
	tests := []struct {
		why  string
		name string
		args []string
	}{
		{"every machine, as JSON by default, in the order of the source page", "all-json", []string{"spec"}},
		{"the same with the format named", "all-json-explicit", []string{"spec", "-format", "json"}},
		{"every machine as Mermaid, one diagram each", "all-mermaid", []string{"spec", "-format", "mermaid"}},
		{"every machine as DOT, one digraph each", "all-dot", []string{"spec", "-format", "dot"}},
		{"one family: a machine with notices that keep the state", "stream-json", []string{"spec", "StreamStatusEvent"}},
		{"families in the order named, each once", "two-json", []string{"spec", "DataStatusEvent", "SessionDebugStatusEvent", "DataStatusEvent"}},
		{"one family as Mermaid", "call-mermaid", []string{"spec", "-format", "mermaid", "CallStatusEvent"}},
		{"one family as DOT", "keepalive-dot", []string{"spec", "-format=dot", "StreamKeepAliveEvent"}},
		{"an unknown event: exit 2, the reason on stderr", "unknown-event", []string{"spec", "CallStatusEvent", "CallEvent"}},
		{"a hook path is no event name here", "hook-path", []string{"spec", "/StreamStatusEvent"}},
		{"an unknown format: exit 2", "unknown-format", []string{"spec", "-format", "svg"}},
		{"an unknown flag: exit 2 with the usage", "unknown-flag", []string{"spec", "-partial"}},
		{"-h: the usage, exit 0", "help", []string{"spec", "-h"}},
		{"the hook catalogue, sorted by name", "hooks", []string{"spec", "-hooks"}},
		{"the same with the format named", "hooks-json", []string{"spec", "-hooks", "-format", "json"}},
		{"the catalogue has no diagram: exit 2", "hooks-mermaid", []string{"spec", "-hooks", "-format", "mermaid"}},
		{"nor a DOT graph, whatever the order of the flags", "hooks-dot", []string{"spec", "-format=dot", "-hooks"}},
		{"the catalogue is not selected by family: exit 2", "hooks-event", []string{"spec", "-hooks", "CallStatusEvent"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runGolden(tt.args)
			path := filepath.Join("testdata", "spec", tt.name+".golden")
			if specUpdate() {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./cmd/wcsfsm -run TestSpecGolden -update)", err)
			}
			if d := cmp.Diff(string(want), got); d != "" {
				t.Errorf("%s: wcsfsm %s (-%s +got):\n%s", tt.why, strings.Join(tt.args, " "), path, d)
			}
		})
	}
}

// runGolden runs the command and returns what a golden file holds.
func runGolden(args []string) string {
	var stdout, stderr bytes.Buffer
	code := run(args, strings.NewReader(""), &stdout, &stderr)
	return fmt.Sprintf("# wcsfsm %s\nexit %d\n-- stdout --\n%s-- stderr --\n%s", strings.Join(args, " "), code, stdout.String(), stderr.String())
}

// TestSpecJSONMatchesMachinesMD decodes "wcsfsm spec -format json" and
// compares it, family by family, with the oracle read from
// testdata/spec/machines.md and testdata/spec/hooks.md: the same families,
// and for each its package, initial state, states, terminal and final
// states, transitions edge for edge (the PENDING edges that only hooks
// take included) with the table's why; the statuses its own status event
// may carry (the table's, but those only invocations deliver); and the
// invocations that deliver a status to it, each starting an entity from
// NEW.
func TestSpecJSONMatchesMachinesMD(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"spec", "-format", "json"}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var got []specMachine
	dec := json.NewDecoder(&stdout)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatal(err)
	}
	tables := spectest.Load(t)
	hooks := spectest.LoadHooks(t)
	byEvent := map[string]specMachine{}
	var events []string
	for _, m := range got {
		byEvent[m.Event] = m
		events = append(events, m.Event)
	}
	var want []string
	for _, tab := range tables {
		want = append(want, tab.Event)
	}
	if d := cmp.Diff(want, events, cmpopts.SortSlices(func(a, b string) bool { return a < b })); d != "" {
		t.Errorf("families (-machines.md +spec):\n%s", d)
	}
	for _, tab := range tables {
		t.Run(tab.Event, func(t *testing.T) {
			m, ok := byEvent[tab.Event]
			if !ok {
				t.Skip("not in the output")
			}
			why := map[string]string{}
			for _, r := range tab.Rows {
				why[r.Status] = r.Why
			}
			wantM := specMachine{
				Event:       tab.Event,
				Package:     tab.Package,
				Initial:     spectest.Initial,
				States:      tab.States(),
				Statuses:    hooks.EventCarries(tab),
				Terminal:    tab.Terminal,
				Final:       tab.Final,
				Transitions: []specTransition{},
				Hooks:       []specDelivery{},
			}
			for _, h := range hooks.Invocations(tab.Event) {
				wantM.Hooks = append(wantM.Hooks, specDelivery{Hook: h.Name, Status: h.Status})
				if _, ok := tab.Next(spectest.Initial, h.Status); !ok {
					t.Errorf("machines.md: %s delivers %s, which may not follow %s", h.Name, h.Status, spectest.Initial)
				}
			}
			for _, e := range tab.Edges() {
				wantM.Transitions = append(wantM.Transitions, specTransition{From: e.From, Status: e.Status, To: e.To, Why: why[e.Status]})
			}
			// machines.md gives no why for notices and no sources: those
			// are only required to be there.
			gotM := m
			gotM.Transitions = []specTransition{}
			for _, tr := range m.Transitions {
				if tr.Why == "" || tr.Source == "" {
					t.Errorf("%s --%s-->: empty why or source", tr.From, tr.Status)
				}
				if _, ok := why[tr.Status]; !ok {
					tr.Why = ""
				}
				tr.Source = ""
				gotM.Transitions = append(gotM.Transitions, tr)
			}
			if d := cmp.Diff(wantM, gotM); d != "" {
				t.Errorf("spec -format json (-machines.md +spec):\n%s", d)
			}
		})
	}
}

// TestSpecHooksMatchesHooksMD decodes "wcsfsm spec -hooks" and compares it
// with the oracle read from testdata/spec/hooks.md: every method, once, in
// byte order of its name, with its kind, family, key and the status an
// invocation delivers.
func TestSpecHooksMatchesHooksMD(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"spec", "-hooks"}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var got []specHook
	dec := json.NewDecoder(&stdout)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, h := range got {
		names = append(names, h.Hook)
	}
	if !sort.StringsAreSorted(names) {
		t.Errorf("hooks not sorted by name: %v", names)
	}
	var want []specHook
	for _, h := range spectest.LoadHooks(t).List {
		want = append(want, specHook{Hook: h.Name, Kind: h.Kind, Event: h.Family, Key: h.Key, Status: h.Status})
	}
	sort.Slice(want, func(i, j int) bool { return want[i].Hook < want[j].Hook })
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("spec -hooks (-hooks.md +spec):\n%s", d)
	}
}
