package natstest

import (
	"encoding/json"
	"github.com/google/go-cmp/cmp"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The log of the tests: 100 sessions open at once, many more over the
// log, with lines dropped and repeated.
const (
	logEvents   = 8000
	logSessions = 100
)

// TestThroughJetStream: a log posted through two serve -nats, judged by two
// consumers sharing the partitions: the findings, repeats dropped, are
// exactly those of validate -j 1 on the log; the stream holds every hook
// posted once, in order; and validate -nats on the stream agrees.
func TestThroughJetStream(t *testing.T) {
	path, lines := theLog(t, logEvents, logSessions, 1)
	want := expected(t, path)
	n := startNATS(t)
	s1, a1 := startServe(t, n, "-max-body", "65536")
	s2, a2 := startServe(t, n, "-max-body", "65536")
	c1 := startConsume(t, n, "c1")
	c2 := startConsume(t, n, "c2")
	ps := newPoster(t, a1, a2)
	for _, l := range lines {
		ps.post(l)
	}
	// And hooks no log line makes: bodies that are no JSON object, and one
	// over -max-body (answered 413).
	for _, odd := range []struct {
		path, body string
		code       int
	}{
		{"/apps/EchoApp/connect", "not json", 200},
		{"/apps/EchoApp/StreamStatusEvent", "[1,2]", 200},
		{"/apps/EchoApp/publishStream", `{"nodeId":"n","sessionId":"` + strings.Repeat("x", 70000) + `"}`, 413},
	} {
		resp, err := http.Post("http://"+a1+odd.path, "application/json", strings.NewReader(odd.body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != odd.code {
			t.Fatalf("%s %.20s: %s, want %d", odd.path, odd.body, resp.Status, odd.code)
		}
	}
	waitCaughtUp(t, n, c1, c2)
	for _, p := range []*proc{s1, s2, c1.proc, c2.proc} {
		if code := p.stop(syscall.SIGTERM, 30*time.Second); code != 0 {
			t.Errorf("%s exited %d after SIGTERM", p.name, code)
		}
	}
	streamHolds(t, n, lines, 3)
	consumed, repeats := judged(t, c1.findings, c2.findings, drain(t, n))
	var ofLog, odd []string
	for _, f := range consumed {
		if seqOf(t, f) > len(lines) {
			odd = append(odd, f)
		} else {
			ofLog = append(ofLog, f)
		}
	}
	if diff := cmp.Diff(normal(t, want, false), normal(t, ofLog, true)); diff != "" {
		t.Errorf("the consumers' findings are not validate's on the log (-validate +consume):\n%s", diff)
	}
	kinds := map[string]int{}
	for _, f := range odd {
		var m map[string]any
		json.Unmarshal([]byte(f), &m)
		kinds[m["kind"].(string)]++
	}
	if diff := cmp.Diff(map[string]int{"malformed": 2, "line-too-long": 1}, kinds); diff != "" {
		t.Errorf("the findings of the odd hooks (-want +got):\n%s\n%s", diff, strings.Join(odd, "\n"))
	}
	t.Logf("%d hooks, %d findings (%d repeats dropped), %d posts tried again", len(lines), len(consumed), repeats, ps.tries)
	if len(want) < 50 {
		t.Errorf("validate finds %d findings on the log: too few to tell", len(want))
	}

	// validate -nats judges each hook as consume does: the same findings,
	// line for line, but for the partition and seq.
	out, err := exec.Command(bin.wcsfsm, "validate", "-nats", n.url(), "-format", "json").Output()
	var exit *exec.ExitError
	if err != nil && !(asExit(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("validate -nats: %v", err)
	}
	var stripped []string
	for _, f := range consumed {
		stripped = append(stripped, partSeq.ReplaceAllString(f, "}"))
	}
	got := nonEmpty(string(out))
	sort.Strings(got)
	sort.Strings(stripped)
	if diff := cmp.Diff(stripped, got); diff != "" {
		t.Errorf("validate -nats is not consume (-consume +validate -nats):\n%s", diff)
	}
}

var partSeq = regexp.MustCompile(`,"partition":\d+,"seq":\d+\}$`)

// seqOf is a consumed finding's seq.
func seqOf(t *testing.T, f string) int {
	t.Helper()
	var m struct{ Seq int }
	if err := json.Unmarshal([]byte(f), &m); err != nil {
		t.Fatal(err)
	}
	return m.Seq
}

// TestCrashes: the same log, while one consumer is killed (SIGKILL) and
// started again, the JetStream server is killed and started again on its
// store, and a serve is stopped under load: no hook answered 200 is lost
// or stored twice, and the findings, repeats dropped, are still exactly
// validate's.
func TestCrashes(t *testing.T) {
	path, lines := theLog(t, logEvents, logSessions, 2)
	want := expected(t, path)
	n := startNATS(t)
	s1, a1 := startServe(t, n)
	_, a2 := startServe(t, n)
	c1 := startConsume(t, n, "c1")
	c2 := startConsume(t, n, "c2")
	var c3 *consumer
	var restarted <-chan error
	ps := newPoster(t, a1, a2)
	for i, l := range lines {
		switch i {
		case len(lines) / 4:
			waitSomeJudged(t, c1)
			c1.stop(syscall.SIGKILL, 10*time.Second)
			c3 = startConsume(t, n, "c3")
		case len(lines) / 2:
			// Killed while the poster goes on: a publish in flight is
			// tried again by serve, with its id, once the server is back.
			restarted = n.crash(500 * time.Millisecond)
		case 5 * len(lines) / 8:
			select {
			case err := <-restarted:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(time.Minute):
				t.Fatal("the JetStream server did not start again in a minute")
			}
			// The test is worth something only if a hook was in flight
			// while the server was down: one publish took longer.
			if slow := slowPublishes(t, a1) + slowPublishes(t, a2); slow == 0 {
				t.Error("no publish waited for the JetStream server: nothing was in flight when it was killed")
			} else {
				t.Logf("%d hooks waited for the JetStream server to come back", slow)
			}
		case 3 * len(lines) / 4:
			// SIGTERM: the requests taken are answered, then it exits;
			// the poster goes on with the other.
			if code := s1.stop(syscall.SIGTERM, 30*time.Second); code != 0 {
				t.Errorf("serve exited %d after SIGTERM", code)
			}
		}
		ps.post(l)
	}
	waitCaughtUp(t, n, c2, c3)
	for _, c := range []*consumer{c2, c3} {
		if code := c.stop(syscall.SIGTERM, 30*time.Second); code != 0 {
			t.Errorf("%s exited %d after SIGTERM", c.name, code)
		}
	}
	streamHolds(t, n, lines, 0)
	found, repeats := compare(t, want, c1.findings, c2.findings, c3.findings, drain(t, n))
	t.Logf("%d hooks, %d findings (%d repeats dropped), %d posts tried again", len(lines), found, repeats, ps.tries)
}

// TestPartitionMoves: one consumer of two stops (SIGTERM) halfway, and its
// partitions move to the other, from the checkpoints it wrote at its stop;
// another starts later and takes half of them back: verdicts unchanged,
// and no repeats (every handover is at a checkpoint).
func TestPartitionMoves(t *testing.T) {
	path, lines := theLog(t, logEvents, logSessions, 3)
	want := expected(t, path)
	n := startNATS(t)
	_, a1 := startServe(t, n)
	c1 := startConsume(t, n, "c1")
	c2 := startConsume(t, n, "c2")
	waitOwned(t, 8, c1, c2)
	var c3 *consumer
	ps := newPoster(t, a1)
	for i, l := range lines {
		switch i {
		case len(lines) / 2:
			waitCaughtUp(t, n, c1, c2)
			if code := c2.stop(syscall.SIGTERM, 30*time.Second); code != 0 {
				t.Errorf("c2 exited %d after SIGTERM", code)
			}
			waitOwned(t, 16, c1)
		case 3 * len(lines) / 4:
			c3 = startConsume(t, n, "c3")
			waitOwned(t, 8, c1, c3)
		}
		ps.post(l)
	}
	waitCaughtUp(t, n, c1, c3)
	for _, c := range []*consumer{c1, c3} {
		if code := c.stop(syscall.SIGTERM, 30*time.Second); code != 0 {
			t.Errorf("%s exited %d after SIGTERM", c.name, code)
		}
	}
	found, repeats := compare(t, want, c1.findings, c2.findings, c3.findings, drain(t, n))
	if repeats != 0 {
		t.Errorf("%d findings repeated: a partition handed over at a checkpoint repeats none", repeats)
	}
	t.Logf("%d hooks, %d findings", len(lines), found)
}

var publishBucket = regexp.MustCompile(`(?m)^wcsfsm_publish_duration_seconds_bucket\{le="(0.25|\+Inf)"\} (\S+)$`)

// slowPublishes is the number of hooks whose publish through the serve at
// addr took over 0.25 s.
func slowPublishes(t *testing.T, addr string) int {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var fast, all float64
	for _, m := range publishBucket.FindAllStringSubmatch(string(b), -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		if m[1] == "0.25" {
			fast = v
		} else {
			all = v
		}
	}
	return int(all - fast)
}

var ownedLine = regexp.MustCompile(`(?m)^wcsfsm_consume_partitions_owned (\S+)$`)

// waitOwned waits, 30 s at most, until each consumer owns each partitions.
func waitOwned(t testing.TB, each int, cs ...*consumer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok := true
		var got []int
		for _, c := range cs {
			m := ownedLine.FindStringSubmatch(c.scrape())
			k := -1
			if m != nil {
				k, _ = strconv.Atoi(m[1])
			}
			got = append(got, k)
			ok = ok && k == each
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the consumers own %v partitions, not %d each, after 30s", got, each)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitSomeJudged waits until c has judged a hook, so that a kill finds it
// mid-stream.
func waitSomeJudged(t *testing.T, c *consumer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for len(c.sequences()) == 0 || sum(c.sequences()) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%s judged nothing in 30s", c.name)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func sum(m map[int]uint64) (s uint64) {
	for _, v := range m {
		s += v
	}
	return s
}
