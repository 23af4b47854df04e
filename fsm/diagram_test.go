package fsm_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wcsfsm/wcsfsm/fsm"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-golden +got); if the change is right, run go test -update\n%s", path, diff)
	}
}

// edgeCounts counts how often each transition of m is taken by seqs:
// counts[i] belongs to m.Transitions()[i]. Refused statuses count nothing.
func edgeCounts[S ~uint8](m *fsm.Machine[S], seqs ...[]S) []int {
	trans := m.Transitions()
	index := map[[2]S]int{}
	for i, tr := range trans {
		index[[2]S{tr.From, tr.Status}] = i
	}
	counts := make([]int, len(trans))
	for _, seq := range seqs {
		st := m.Initial()
		for _, s := range seq {
			to, ok := m.Next(st, s)
			if !ok {
				continue
			}
			counts[index[[2]S{st, s}]]++
			st = to
		}
	}
	return counts
}

// jobRuns is a small log of jobs: most finish, some fail, one is paused.
// Some edges (IDLE got FAILED, PAUSED got FAILED, …) are never taken.
func jobRuns() [][]Phase {
	var runs [][]Phase
	for range 12 {
		runs = append(runs, []Phase{Queued, Running, Progress, Progress, Done})
	}
	for range 3 {
		runs = append(runs, []Phase{Queued, Failed})
	}
	runs = append(runs, []Phase{Queued, Running, Paused, Progress, Running, Running, Failed})
	return runs
}

func TestDiagramGolden(t *testing.T) {
	counts := edgeCounts(job, jobRuns()...)
	tests := []struct {
		why  string
		file string
		got  string
	}{
		{"Mermaid", "job.mermaid.golden", job.Mermaid()},
		{"DOT", "job.dot.golden", job.DOT()},
		{"MermaidCounts: edges labelled with counts", "job.mermaid-counts.golden", job.MermaidCounts(counts)},
		{"DOTCounts: edges labelled and weighted; never taken dashed", "job.dot-counts.golden", job.DOTCounts(counts)},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) { golden(t, tt.file, tt.got) })
	}
}

func TestDiagramCounts(t *testing.T) {
	tests := []struct {
		why       string
		counts    []int
		mermaid   string
		dot       string
		wantPlain bool
	}{
		{why: "nil counts draw the plain diagram", counts: nil, wantPlain: true},
		{why: "a short counts slice: the missing counts are 0", counts: []int{5},
			mermaid: "    IDLE --> FAILED: FAILED ×5\n    IDLE --> QUEUED: QUEUED ×0\n",
			dot:     "    \"IDLE\" -> \"FAILED\" [label=\"FAILED ×5\", penwidth=2];\n    \"IDLE\" -> \"QUEUED\" [label=\"QUEUED ×0\", style=dashed, color=gray, fontcolor=gray];\n"},
		{why: "widths grow with the number of digits", counts: []int{1234, 10},
			mermaid: "    IDLE --> FAILED: FAILED ×1234\n    IDLE --> QUEUED: QUEUED ×10\n",
			dot:     "    \"IDLE\" -> \"FAILED\" [label=\"FAILED ×1234\", penwidth=5];\n    \"IDLE\" -> \"QUEUED\" [label=\"QUEUED ×10\", penwidth=3];\n"},
	}
	for _, tt := range tests {
		gm, gd := job.MermaidCounts(tt.counts), job.DOTCounts(tt.counts)
		if tt.wantPlain {
			if gm != job.Mermaid() || gd != job.DOT() {
				t.Errorf("%s: differs from Mermaid(), DOT()", tt.why)
			}
			continue
		}
		if !strings.Contains(gm, tt.mermaid) {
			t.Errorf("%s: MermaidCounts lacks\n%s\nin\n%s", tt.why, tt.mermaid, gm)
		}
		if !strings.Contains(gd, tt.dot) {
			t.Errorf("%s: DOTCounts lacks\n%s\nin\n%s", tt.why, tt.dot, gd)
		}
	}
}

// TestMermaidOnlyStateSyntax guards against statements that a Mermaid state
// diagram does not know: it would read them as new states.
func TestMermaidOnlyStateSyntax(t *testing.T) {
	for _, d := range []string{job.Mermaid(), job.MermaidCounts(edgeCounts(job, jobRuns()...)), job.MermaidCounts(make([]int, 12))} {
		lines := strings.Split(strings.TrimSuffix(d, "\n"), "\n")
		if lines[0] != "stateDiagram-v2" {
			t.Errorf("first line %q, want stateDiagram-v2", lines[0])
		}
		for _, l := range lines[1:] {
			l = strings.TrimSpace(l)
			switch {
			case strings.HasPrefix(l, "classDef "), strings.HasPrefix(l, "class "), strings.Contains(l, " --> "):
			default:
				t.Errorf("unexpected Mermaid line %q", l)
			}
		}
	}
}

// TestDiagramDeterministic builds the machine again and again and checks
// that every rendering is the same each time.
func TestDiagramDeterministic(t *testing.T) {
	counts := edgeCounts(job, jobRuns()...)
	render := func(m *fsm.Machine[Phase]) []string {
		return []string{m.Mermaid(), m.DOT(), m.MermaidCounts(counts), m.DOTCounts(counts)}
	}
	want := render(job)
	for i := range 50 {
		spec := jobSpec()
		if i%2 == 1 {
			// The order of From lists and of Terminal and Final does
			// not matter either.
			for _, r := range spec.Rules {
				reverse(r.From)
			}
			reverse(spec.Terminal)
			reverse(spec.Final)
		}
		if diff := cmp.Diff(want, render(fsm.MustBuild(spec))); diff != "" {
			t.Fatalf("build %d renders differently (-first +now)\n%s", i, diff)
		}
	}
}

func reverse[T any](s []T) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

func BenchmarkDiagram(b *testing.B) {
	b.Run("Mermaid", func(b *testing.B) {
		for b.Loop() {
			_ = job.Mermaid()
		}
	})
	b.Run("DOT", func(b *testing.B) {
		for b.Loop() {
			_ = job.DOT()
		}
	})
}
