package eventlog_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wcsfsm/wcsfsm/eventlog"
	"github.com/wcsfsm/wcsfsm/hookbody"
	"github.com/wcsfsm/wcsfsm/synth"
	"github.com/wcsfsm/wcsfsm/tracker"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// jobsRun says how runLog reads a log: with jobs trackers, each file read
// chunk bytes a read (0: whole; small reads end a block at each newline
// they hold, so that a log goes through the pipeline as many blocks), and
// steer, if set, seeing and steering how each block is judged
// (eventlog.SteerBlocks).
type jobsRun struct {
	jobs, chunk int
	steer       func(idx uint64, inOrder bool) bool
}

// chunks reads r at most n bytes a read.
type chunks struct {
	r io.Reader
	n int
}

func (c *chunks) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

// runLog validates the files (name, content) as one log, as r says, and
// returns every finding, the statistics and the coverage.
func runLog(t interface {
	Helper()
	Fatal(...any)
}, r jobsRun, opts tracker.Options, files ...[2]string) ([]tracker.Finding, tracker.Stats, tracker.Coverage) {
	t.Helper()
	var out []tracker.Finding
	v := &eventlog.Validator{
		Tracker: tracker.New(opts),
		Jobs:    r.jobs,
		Report:  func(f tracker.Finding) { out = append(out, f) },
	}
	if r.steer != nil {
		eventlog.SteerBlocks(v, r.steer)
	}
	for _, f := range files {
		var in io.Reader = strings.NewReader(f[1])
		if r.chunk > 0 {
			in = &chunks{in, r.chunk}
		}
		if err := v.ReadJSONL(f[0], in); err != nil {
			t.Fatal(err)
		}
	}
	v.End()
	return out, v.Stats(), v.Coverage()
}

// runJobs is runLog with jobs trackers, each file read whole, but for the
// statistics of what the shards hold at the end, which may differ from one
// tracker's (a session of one shard's events only).
func runJobs(t *testing.T, r jobsRun, opts tracker.Options, files ...[2]string) ([]tracker.Finding, tracker.Stats, tracker.Coverage) {
	t.Helper()
	out, st, cov := runLog(t, r, opts, files...)
	st.Sessions, st.Tracked = 0, 0
	return out, st, cov
}

// damaged returns a synth log with lines dropped, repeated and swapped, so
// that findings of most kinds turn up, dangling ones included.
func damaged(seed uint64, events, sessions int) string {
	lines := synth.Generate(synth.NewSource(seed), synth.Options{Events: events, Sessions: sessions}).Lines
	var b bytes.Buffer
	for i := 0; i < len(lines); i++ {
		switch {
		case i%41 == 7:
			continue // dropped
		case i%53 == 11:
			b.Write(lines[i]) // repeated
			b.WriteByte('\n')
		case i%67 == 5 && i+1 < len(lines):
			b.Write(lines[i+1]) // swapped with the next
			b.WriteByte('\n')
			lines[i+1] = lines[i]
			continue
		case i%97 == 3:
			b.WriteString("{not json}\n")
		case i%101 == 9:
			b.WriteString("\n   \n")
		}
		b.Write(lines[i])
		b.WriteByte('\n')
	}
	return b.String()
}

// TestParallelSameAsSequential: with 2, 3 or 4 trackers, a log gives the
// findings of one tracker, in the same order, and the same statistics and
// coverage: every log under testdata/, generated logs, damaged generated
// logs, and several files as one log; and so it does when blocks are
// judged in the log's order (as at the entity cap, budget.go), all of
// them or some, the others in parallel.
func TestParallelSameAsSequential(t *testing.T) {
	type tc struct {
		why   string
		opts  tracker.Options
		files [][2]string
	}
	var cases []tc
	for _, pattern := range []string{"../testdata/*.jsonl", "../testdata/*/*.jsonl"} {
		logs, _ := filepath.Glob(pattern)
		for _, l := range logs {
			data, err := os.ReadFile(l)
			if err != nil {
				t.Fatal(err)
			}
			cases = append(cases, tc{"testdata: " + l, tracker.Options{}, [][2]string{{l, string(data)}}},
				tc{"testdata with -partial: " + l, tracker.Options{Partial: true}, [][2]string{{l, string(data)}}})
		}
	}
	valid := string(synth.Generate(synth.NewSource(7), synth.Options{Events: 20000, Sessions: 300}).Bytes())
	cases = append(cases,
		tc{"a generated valid log", tracker.Options{}, [][2]string{{"gen", valid}}},
		tc{"a generated log, damaged: findings of many kinds", tracker.Options{}, [][2]string{{"bad", damaged(3, 20000, 200)}}},
		tc{"a damaged log with few sessions: shards of uneven load", tracker.Options{}, [][2]string{{"bad", damaged(4, 5000, 3)}}},
		tc{"a damaged log, -partial", tracker.Options{Partial: true}, [][2]string{{"bad", damaged(5, 5000, 50)}}},
	)
	bad := damaged(6, 6000, 40)
	cut1 := strings.IndexByte(bad[len(bad)/3:], '\n') + len(bad)/3 + 1
	cut2 := strings.IndexByte(bad[2*len(bad)/3:], '\n') + 2*len(bad)/3 + 1
	cases = append(cases, tc{"a damaged log in three files, as one log", tracker.Options{}, [][2]string{
		{"a", bad[:cut1]}, {"b", bad[cut1:cut2]}, {"c", bad[cut2:]}}})
	inOrder := func(uint64, bool) bool { return true }
	everyThird := func(idx uint64, _ bool) bool { return idx%3 == 0 }
	runs := []struct {
		why string
		r   jobsRun
	}{
		{"-j 2", jobsRun{jobs: 2}},
		{"-j 3", jobsRun{jobs: 3}},
		{"-j 4", jobsRun{jobs: 4}},
		{"-j 2, every block in the log's order", jobsRun{jobs: 2, chunk: 700, steer: inOrder}},
		{"-j 3, every third block in the log's order", jobsRun{jobs: 3, chunk: 700, steer: everyThird}},
	}
	for _, c := range cases {
		t.Run(c.why, func(t *testing.T) {
			want, wantStats, wantCov := runJobs(t, jobsRun{jobs: 1}, c.opts, c.files...)
			for _, r := range runs {
				got, gotStats, gotCov := runJobs(t, r.r, c.opts, c.files...)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("%s: findings differ from -j 1 (-j 1 +j N):\n%s", r.why, diff)
				}
				if diff := cmp.Diff(wantStats, gotStats); diff != "" {
					t.Errorf("%s: stats differ (-j 1 +j N):\n%s", r.why, diff)
				}
				if diff := cmp.Diff(wantCov, gotCov); diff != "" {
					t.Errorf("%s: coverage differs (-j 1 +j N):\n%s", r.why, diff)
				}
			}
			if testing.Verbose() {
				fmt.Printf("%s: %d findings\n", c.why, len(want))
			}
		})
	}
}

// TestParallelNeedsAFreshTracker: a tracker that has taken events already
// is not sharded (its state cannot be split): Jobs is ignored, and the
// findings are those of the one tracker.
func TestParallelNeedsAFreshTracker(t *testing.T) {
	tr := tracker.New(tracker.Options{})
	var d hookbody.Decoder
	var ev wcs.Event
	if err := d.Decode([]byte(`{"event":"ConnectionStatusEvent","sessionId":"s1","status":"ESTABLISHED"}`), &ev); err != nil {
		t.Fatal(err)
	}
	tr.Take(&ev)
	var got []string
	v := &eventlog.Validator{Tracker: tr, Jobs: 4, Report: func(f tracker.Finding) { got = append(got, f.Kind.String()) }}
	if err := v.ReadJSONL("f", bytes.NewReader([]byte(`{"event":"StreamStatusEvent","sessionId":"s1","mediaSessionId":"m1","status":"PUBLISHING"}`+"\n"))); err != nil {
		t.Fatal(err)
	}
	v.End()
	if diff := cmp.Diff([]string{"dangling", "dangling"}, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

// BenchmarkValidateJobs reads the benchmark log with 1 and 2 trackers.
func BenchmarkValidateJobs(b *testing.B) {
	log := benchLog()
	for _, jobs := range []int{1, 2} {
		b.Run(fmt.Sprintf("j=%d", jobs), func(b *testing.B) {
			b.SetBytes(int64(len(log)))
			b.ReportAllocs()
			for b.Loop() {
				v := &eventlog.Validator{Jobs: jobs}
				if err := v.ReadJSONL("bench", bytes.NewReader(log)); err != nil {
					b.Fatal(err)
				}
				v.End()
			}
		})
	}
}
