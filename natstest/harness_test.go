package natstest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The binaries the tests run, built by TestMain.
var bin struct {
	wcsfsm, natsServer string
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "natstest-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	bin.wcsfsm, bin.natsServer = filepath.Join(dir, "wcsfsm"), filepath.Join(dir, "nats-server")
	race := os.Getenv("NATSTEST_RACE") != "" // wcsfsm built with the race detector
	args := []string{"build", "-o", bin.wcsfsm}
	if race {
		args = append(args, "-race")
	}
	builds := []*exec.Cmd{
		// wcsfsm from its own module, with its own go.sum: the binary a user builds.
		exec.Command("go", append(args, "./cmd/wcsfsm")...),
		exec.Command("go", "build", "-o", bin.natsServer, "github.com/nats-io/nats-server/v2"),
	}
	builds[0].Dir = ".."
	for _, b := range builds {
		b.Stdout, b.Stderr = os.Stderr, os.Stderr
		if err := b.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "natstest: %s: %v\n", strings.Join(b.Args, " "), err)
			os.RemoveAll(dir)
			os.Exit(2)
		}
	}
	code := m.Run()
	if filled.n != nil { // BenchmarkJudge's server
		filled.n.p.cmd.Process.Kill()
		<-filled.n.p.done
		os.RemoveAll(filled.dir)
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a process the test runs: wcsfsm or the JetStream server.
type proc struct {
	t      testing.TB
	name   string
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan struct{}
	err    error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs path with args; the test's end kills it if it still runs.
func start(t testing.TB, name, path string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, name: name, cmd: exec.Command(path, args...), stderr: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.stderr, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("%s said:\n%s", p.name, tail(p.stderr.String(), 40))
		}
	})
	return p
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{"…"}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// waitFor waits, d at most, until the process's output matches re, and
// returns the submatches.
func (p *proc) waitFor(re *regexp.Regexp, d time.Duration) []string {
	p.t.Helper()
	deadline := time.Now().Add(d)
	for {
		if m := re.FindStringSubmatch(p.stderr.String()); m != nil {
			return m
		}
		select {
		case <-p.done:
			p.t.Fatalf("%s exited (%v) before saying %s:\n%s", p.name, p.err, re, tail(p.stderr.String(), 30))
		default:
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s did not say %s in %v:\n%s", p.name, re, d, tail(p.stderr.String(), 30))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop sends sig and waits, d at most, for the exit; it returns the exit
// status (-1 for a signal).
func (p *proc) stop(sig syscall.Signal, d time.Duration) int {
	p.t.Helper()
	p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(d):
		p.cmd.Process.Kill()
		<-p.done
		p.t.Fatalf("%s did not exit in %v after %v:\n%s", p.name, d, sig, tail(p.stderr.String(), 30))
	}
	var exit *exec.ExitError
	if errors.As(p.err, &exit) {
		return exit.ExitCode()
	}
	return 0
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// natsd is a JetStream server with its store in dir (file storage).
type natsd struct {
	t    testing.TB
	dir  string
	port int
	p    *proc
}

func (n *natsd) url() string { return "nats://127.0.0.1:" + strconv.Itoa(n.port) }

func startNATS(t testing.TB) *natsd {
	n := &natsd{t: t, dir: t.TempDir(), port: freePort(t)}
	n.restart()
	return n
}

// restart starts the server again, on its port and its store, and waits
// until JetStream answers.
func (n *natsd) restart() {
	n.t.Helper()
	if err := n.restartErr(); err != nil {
		n.t.Fatal(err)
	}
}

// restartErr is restart for another goroutine than the test's: it says
// what failed.
func (n *natsd) restartErr() error {
	p := &proc{t: n.t, name: "nats-server", cmd: exec.Command(bin.natsServer, "-js", "-sd", n.dir, "-a", "127.0.0.1", "-p", strconv.Itoa(n.port)),
		stderr: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.stderr, p.stderr
	if err := p.cmd.Start(); err != nil {
		return err
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	n.t.Cleanup(func() { p.cmd.Process.Kill(); <-p.done })
	n.p = p
	deadline := time.Now().Add(30 * time.Second)
	for {
		nc, err := nats.Connect(n.url(), nats.Timeout(time.Second))
		if err == nil {
			js, _ := jetstream.New(nc)
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_, err = js.AccountInfo(ctx)
			cancel()
			nc.Close()
			if err == nil {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the JetStream server is not up in 30s: %v\n%s", err, tail(p.stderr.String(), 20))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// crash kills the server and starts it again on its store, in the
// background, while the test goes on posting; the channel says when it
// is up again, and what failed.
func (n *natsd) crash(down time.Duration) <-chan error {
	done := make(chan error, 1)
	p := n.p
	go func() {
		p.cmd.Process.Kill()
		<-p.done
		time.Sleep(down)
		done <- n.restartErr()
	}()
	return done
}

var listening = regexp.MustCompile(`listening on http://(\S+)`)

// startServe runs wcsfsm serve -nats and returns it and its address.
func startServe(t testing.TB, n *natsd, args ...string) (*proc, string) {
	p := start(t, "serve", bin.wcsfsm, append([]string{"serve", "-addr", "127.0.0.1:0", "-nats", n.url()}, args...)...)
	return p, p.waitFor(listening, 30*time.Second)[1]
}

// consumer is a wcsfsm consume process of the group "v".
type consumer struct {
	*proc
	findings string // its file
	metrics  string // its -metrics-addr
}

func startConsume(t testing.TB, n *natsd, name string, args ...string) *consumer {
	c := &consumer{findings: filepath.Join(t.TempDir(), name+".jsonl"), metrics: "127.0.0.1:" + strconv.Itoa(freePort(t))}
	c.proc = start(t, name, bin.wcsfsm, append([]string{"consume", "-nats", n.url(), "-name", "v", "-findings", c.findings,
		"-metrics-addr", c.metrics, "-lease", "3s", "-checkpoint-every", "500", "-checkpoint-interval", "1s"}, args...)...)
	c.waitFor(regexp.MustCompile(`consuming stream`), 30*time.Second)
	return c
}

// scrape returns the consumer's /metrics ("" when it does not answer in
// 2 s).
func (c *consumer) scrape() string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+c.metrics+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

var seqLine = regexp.MustCompile(`(?m)^wcsfsm_consume_sequence\{partition="(\d+)"\} (\S+)$`)

// sequences reads, from the consumer's /metrics, the last sequence it
// judged in each partition it owns.
func (c *consumer) sequences() map[int]uint64 {
	out := map[int]uint64{}
	for _, m := range seqLine.FindAllStringSubmatch(c.scrape(), -1) {
		p, _ := strconv.Atoi(m[1])
		f, _ := strconv.ParseFloat(m[2], 64)
		out[p] = uint64(f)
	}
	return out
}

// waitCaughtUp waits, a minute at most, until the consumers together have
// judged every partition of the stream to its last hook.
func waitCaughtUp(t testing.TB, n *natsd, cs ...*consumer) {
	t.Helper()
	nc, err := nats.Connect(n.url())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := js.Stream(ctx, "WCS_HOOKS")
	if err != nil {
		t.Fatal(err)
	}
	parts, _ := strconv.Atoi(s.CachedInfo().Config.Metadata["wcsfsm.partitions"])
	last := map[int]uint64{}
	for p := range parts {
		m, err := s.GetLastMsgForSubject(ctx, "wcs.hooks."+strconv.Itoa(p))
		if err == nil {
			last[p] = m.Sequence
		}
	}
	for {
		seen := map[int]uint64{}
		for _, c := range cs {
			for p, q := range c.sequences() {
				seen[p] = max(seen[p], q)
			}
		}
		behind := 0
		for p, q := range last {
			if seen[p] < q {
				behind++
			}
		}
		if behind == 0 {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("the consumers did not catch up in a minute: %d partitions behind (seen %v, last %v)", behind, seen, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// theLog is a gen log of many sessions with mistakes: lines dropped and
// lines repeated, deterministically. It writes it to a file and returns
// the file and its lines.
func theLog(t *testing.T, events, sessions int, seed uint64) (string, [][]byte) {
	t.Helper()
	out, err := exec.Command(bin.wcsfsm, "gen", "-seed", strconv.FormatUint(seed, 10), "-events", strconv.Itoa(events), "-sessions", strconv.Itoa(sessions)).Output()
	if err != nil {
		t.Fatalf("gen: %v", err)
	}
	r := rand.New(rand.NewPCG(seed, 7))
	var lines [][]byte
	gen := bytes.Split(bytes.TrimSpace(out), []byte{'\n'})
	for i := 0; i < len(gen); i++ {
		switch x := r.IntN(1000); {
		case x < 15: // dropped
		case x < 25:
			lines = append(lines, gen[i], gen[i]) // repeated
		case x < 40 && i+1 < len(gen):
			lines = append(lines, gen[i+1], gen[i]) // two swapped
			i++
		default:
			lines = append(lines, gen[i])
		}
	}
	path := filepath.Join(t.TempDir(), "log.jsonl")
	if err := os.WriteFile(path, append(bytes.Join(lines, []byte{'\n'}), '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, lines
}

// expected is what one wcsfsm validate -j 1 run says of the log, as JSON
// lines.
func expected(t *testing.T, path string) []string {
	t.Helper()
	out, err := exec.Command(bin.wcsfsm, "validate", "-j", "1", "-format", "json", path).Output()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("validate: %v", err)
	}
	return nonEmpty(string(out))
}

func nonEmpty(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

var eventField = regexp.MustCompile(`^\{"event":"([^"]+)",`)

// poster posts the log's hooks as WCS does: each body without "event",
// to the path of its hook, one at a time and in order, to the serve
// instances in turn (any balancer); a hook not answered 200 goes to the
// next, until one stores it.
type poster struct {
	t      *testing.T
	mu     sync.Mutex
	addrs  []string
	next   int
	client *http.Client
	posted int // hooks answered 200
	tries  int // posts not answered 200
}

func newPoster(t *testing.T, addrs ...string) *poster {
	return &poster{t: t, addrs: addrs, client: &http.Client{Timeout: 30 * time.Second}}
}

func (ps *poster) post(line []byte) {
	ps.t.Helper()
	m := eventField.FindSubmatch(line)
	if m == nil {
		ps.t.Fatalf("a gen line without event first: %.80s", line)
	}
	body := append([]byte{'{'}, line[len(m[0]):]...)
	path := "/apps/EchoApp/" + string(m[1])
	deadline := time.Now().Add(time.Minute)
	for failed := 0; ; {
		ps.mu.Lock()
		addr := ps.addrs[ps.next%len(ps.addrs)]
		ps.mu.Unlock()
		resp, err := ps.client.Post("http://"+addr+path, "application/json", bytes.NewReader(body))
		if err == nil {
			echo, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				if !bytes.Equal(echo, body) {
					ps.t.Fatalf("%s answered 200 with another body", addr)
				}
				ps.mu.Lock()
				ps.next++ // round robin
				ps.posted++
				ps.mu.Unlock()
				return
			}
			err = fmt.Errorf("%s", resp.Status)
		}
		// As a balancer does: the next instance at once, one that
		// refuses connections out of the turn; a pause when every one
		// failed.
		ps.mu.Lock()
		ps.tries++
		if resp == nil && len(ps.addrs) > 1 {
			ps.addrs = append(ps.addrs[:ps.next%len(ps.addrs):ps.next%len(ps.addrs)], ps.addrs[ps.next%len(ps.addrs)+1:]...)
		} else {
			ps.next++
		}
		ps.mu.Unlock()
		if failed++; failed%len(ps.addrs) == 0 {
			time.Sleep(20 * time.Millisecond)
		}
		if time.Now().After(deadline) {
			ps.t.Fatalf("no serve stored a hook in a minute: %v", err)
		}
	}
}

// drain runs consume -drain over the whole stream: it goes on from the
// checkpoints and reports what is left open, as validate does at the end
// of the log. It returns its findings file.
func drain(t *testing.T, n *natsd) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "drain.jsonl")
	cmd := exec.Command(bin.wcsfsm, "consume", "-nats", n.url(), "-name", "v", "-drain", "-findings", f, "-lease", "3s")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd = exec.CommandContext(ctx, cmd.Path, cmd.Args[1:]...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("consume -drain: %v\n%s", err, tail(string(out), 30))
	}
	return f
}

// judged reads the findings files of the consumers and drops the repeats
// (a finding again after a restart is the same line, byte for byte); it
// returns them as validate -format json writes them, the line being the
// stream sequence, and the number of repeats dropped.
func judged(t *testing.T, files ...string) ([]string, int) {
	t.Helper()
	seen := map[string]bool{}
	var out []string
	repeats := 0
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			l := sc.Text()
			if seen[l] {
				repeats++
				continue
			}
			seen[l] = true
			out = append(out, l)
		}
		fh.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return out, repeats
}

// normal is a finding with its place as a sequence or line number alone:
// consume's file (the partition's subject), partition and seq, and
// validate's file, are dropped, the line kept.
func normal(t *testing.T, lines []string, consumed bool) []string {
	t.Helper()
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("a finding that is no JSON object: %v: %.200s", err, l)
		}
		if consumed {
			p, ok1 := m["partition"].(float64)
			seq, ok2 := m["seq"].(float64)
			want := m["line"]
			if m["kind"] == "dangling" {
				want = m["last"]
			}
			if !ok1 || !ok2 || want != seq || m["file"] != "wcs.hooks."+strconv.Itoa(int(p)) {
				t.Fatalf("a consumed finding's partition, seq and file do not agree: %.300s", l)
			}
			delete(m, "partition")
			delete(m, "seq")
		}
		delete(m, "file")
		b, _ := json.Marshal(m)
		out = append(out, string(b))
	}
	sort.Strings(out)
	return out
}

// compare checks that the consumers' findings, repeats dropped, are
// exactly validate's on the log.
func compare(t *testing.T, want []string, files ...string) (found, repeats int) {
	t.Helper()
	got, repeats := judged(t, files...)
	if diff := cmp.Diff(normal(t, want, false), normal(t, got, true)); diff != "" {
		t.Errorf("the consumers' findings (%d, %d repeats dropped) are not validate's (%d) (-validate +consume):\n%s",
			len(got), repeats, len(want), diff)
	}
	return len(got), repeats
}

// streamHolds checks that the stream holds each hook posted once, in the
// order posted: its JSON Lines export (convert -nats) is the log, "event"
// moved to the end of each body, and extra hooks more after it.
func streamHolds(t *testing.T, n *natsd, lines [][]byte, extra int) {
	t.Helper()
	out, err := exec.Command(bin.wcsfsm, "convert", "-nats", n.url()).Output()
	if err != nil {
		t.Fatalf("convert -nats: %v", err)
	}
	got := bytes.Split(bytes.TrimSpace(out), []byte{'\n'})
	if len(got) != len(lines)+extra {
		t.Fatalf("the stream holds %d hooks, %d were posted and stored", len(got), len(lines)+extra)
	}
	for i, l := range lines {
		m := eventField.FindSubmatch(l)
		want := append(append(append([]byte{'{'}, l[len(m[0]):len(l)-1]...), `,"event":"`...), m[1]...)
		want = append(want, `"}`...)
		if !bytes.Equal(got[i], want) {
			t.Fatalf("sequence %d of the stream is not hook %d posted:\n got %.200s\nwant %.200s", i+1, i+1, got[i], want)
		}
	}
}

func asExit(err error, exit **exec.ExitError) bool { return errors.As(err, exit) }
