package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/wcsfsm/wcsfsm/tracker"
)

// TestMain lets a test run the command as a process of its own: the test
// binary, started with WCSFSM_TEST_MAIN=1, is wcsfsm (real signals, a real
// crash, nothing shared with the test).
func TestMain(m *testing.M) {
	if os.Getenv("WCSFSM_TEST_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// proc is wcsfsm serve running as a process.
type proc struct {
	cmd    *exec.Cmd
	url    string
	stderr chan string // its lines after the listening one
	exited chan error
}

// startProc starts `wcsfsm serve args...` and waits (10 s at most) until it listens.
func startProc(t *testing.T, args ...string) *proc {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, append([]string{"serve", "-addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "WCSFSM_TEST_MAIN=1")
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, stderr: make(chan string, 64), exited: make(chan error, 1)}
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			l := sc.Text()
			if u, ok := strings.CutPrefix(l, "wcsfsm serve: listening on "); ok {
				listening <- u
				continue
			}
			p.stderr <- l
		}
		close(p.stderr)
		p.exited <- cmd.Wait()
	}()
	t.Cleanup(func() { cmd.Process.Kill() })
	select {
	case p.url = <-listening:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("serve %v did not listen within 10 s; stderr: %v", args, drain(p.stderr))
	}
	return p
}

// stop sends sig and waits (20 s at most) for the process to end; it
// returns the lines it wrote on standard error.
func (p *proc) stop(t *testing.T, sig syscall.Signal) []string {
	t.Helper()
	p.cmd.Process.Signal(sig)
	var lines []string
	deadline := time.After(20 * time.Second)
	for {
		select {
		case l, ok := <-p.stderr:
			if !ok {
				err := <-p.exited
				if sig == syscall.SIGTERM && err != nil {
					t.Errorf("serve after SIGTERM: %v; stderr: %q", err, lines)
				}
				return lines
			}
			lines = append(lines, l)
		case <-deadline:
			p.cmd.Process.Kill()
			t.Fatalf("serve did not stop within 20 s of %v; stderr so far: %q", sig, lines)
		}
	}
}

func drain(c chan string) []string {
	var out []string
	for {
		select {
		case l, ok := <-c:
			if !ok {
				return out
			}
			out = append(out, l)
		case <-time.After(100 * time.Millisecond):
			return out
		}
	}
}

// restartHook is one hook of the log the restart test posts: its path,
// its body as WCS would post it (no "event"), tagged with its index.
type restartHook struct {
	path, session string
	body          []byte
	tag           int
}

// restartLog is a gen log with mistakes put in (lines left out, lines
// twice), so that there are findings to compare, as hooks.
func restartLog(t *testing.T, events int, seed int) []restartHook {
	return genHooks(t, events, seed, true)
}

// genHooks is a gen log as hooks, with mistakes put in or not.
func genHooks(t *testing.T, events int, seed int, mistakes bool) []restartHook {
	t.Helper()
	var gen bytes.Buffer
	if code := run([]string{"gen", "-seed", strconv.Itoa(seed), "-events", strconv.Itoa(events), "-sessions", "40"}, nil, &gen, io.Discard); code != 0 {
		t.Fatalf("gen: exit %d", code)
	}
	eventField := regexp.MustCompile(`^\{"event":"([A-Za-z]+)",`)
	sessionField := regexp.MustCompile(`"sessionId":"([^"]*)"`)
	var out []restartHook
	for i, l := range strings.Split(strings.TrimSuffix(gen.String(), "\n"), "\n") {
		m := eventField.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("gen line %d: %q", i+1, l)
		}
		if mistakes && i%97 == 50 {
			continue // left out: what follows in its session breaks a rule
		}
		n := 1
		if mistakes && i%89 == 40 {
			n = 2 // twice: a repeated status
		}
		for range n {
			tag := len(out)
			body := fmt.Sprintf(`{"_n":%d,`, tag) + l[len(m[0]):]
			var sess string
			if s := sessionField.FindStringSubmatch(l); s != nil {
				sess = s[1]
			}
			out = append(out, restartHook{path: "/apps/EchoApp/" + m[1], session: sess, body: []byte(body), tag: tag})
		}
	}
	return out
}

// postAll posts hooks to url over 4 connections, each session's in order
// on one of them; it stops early when stop is closed (a crash under way),
// and returns the tags of the hooks answered 200 with their body echoed.
func postAll(t *testing.T, url string, hooks []restartHook, stop <-chan struct{}) []int {
	var mu sync.Mutex
	var answered []int
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, hk := range hooks {
				if int(fnv32(hk.session)%4) != w {
					continue
				}
				select {
				case <-stop:
					return
				default:
				}
				resp, err := client.Post(url+hk.path, "application/json", bytes.NewReader(hk.body))
				if err != nil {
					continue // the server went away meanwhile
				}
				echo, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 && bytes.Equal(echo, hk.body) {
					mu.Lock()
					answered = append(answered, hk.tag)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return answered
}

func fnv32(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}

// TestServeRestart runs serve -state as a process over a log cut at random
// points, stopping it at each cut, by SIGTERM or by SIGKILL in the middle
// of the load, and starting it again. At the end, the findings it wrote
// over the whole run are exactly those of validate on its journal (the
// files concatenated, decompressed): none false, none lost, none twice,
// numbered on across the restarts; and every hook answered 200 is in the
// journal.
func TestServeRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve a dozen times")
	}
	for _, tc := range []struct {
		why  string
		sig  syscall.Signal
		cuts int
		sync bool
	}{
		{"SIGTERM: a clean stop writes a last checkpoint, and a start judges nothing again", syscall.SIGTERM, 3, false},
		{"SIGKILL in the middle of the load: a start judges the journal after the last checkpoint again", syscall.SIGKILL, 4, false},
		{"SIGKILL with -sync: the same, each hook synced before its answer", syscall.SIGKILL, 2, true},
	} {
		t.Run(tc.sig.String()+map[bool]string{true: "-sync"}[tc.sync], func(t *testing.T) {
			dir := t.TempDir()
			state, findings := filepath.Join(dir, "state"), filepath.Join(dir, "findings.jsonl")
			hooks := restartLog(t, 3000, int(tc.sig)+len(tc.why))
			rng := rand.New(rand.NewPCG(uint64(tc.sig), uint64(tc.cuts)))
			cuts := []int{0}
			for range tc.cuts - 1 {
				cuts = append(cuts, rng.IntN(len(hooks)))
			}
			cuts = append(cuts, len(hooks))
			slices.Sort(cuts)
			args := []string{"-state", state, "-findings", findings, "-checkpoint-every", "400", "-journal-size", "65536"}
			if tc.sync {
				args = append(args, "-sync")
			}
			var answered []int
			judgedAgain := 0
			for i := 1; i < len(cuts); i++ {
				part := hooks[cuts[i-1]:cuts[i]]
				p := startProc(t, args...)
				last := i == len(cuts)-1
				sig := tc.sig
				if last {
					sig = syscall.SIGTERM // the run ends cleanly, to compare
				}
				var said []string
				if sig == syscall.SIGKILL {
					// Killed while hooks are in flight: after about half of them.
					stop := make(chan struct{})
					got := make(chan []int, 1)
					go func() { got <- postAll(t, p.url, part, stop) }()
					time.Sleep(time.Duration(50+rng.IntN(200)) * time.Millisecond)
					said = p.stop(t, sig)
					close(stop)
					answered = append(answered, <-got...)
				} else {
					answered = append(answered, postAll(t, p.url, part, nil)...)
					said = p.stop(t, sig)
				}
				for _, l := range said {
					if m := regexp.MustCompile(`judged the (\d+) journaled requests? after it again`).FindStringSubmatch(l); m != nil {
						n, _ := strconv.Atoi(m[1])
						judgedAgain += n
					}
				}
				t.Logf("part %d (%d hooks, %v): %q", i, len(part), sig, said)
			}
			if tc.sig == syscall.SIGKILL && judgedAgain == 0 {
				t.Errorf("no start judged a journaled request again: the kills came between checkpoints? (the test has no teeth)")
			}
			if tc.sig == syscall.SIGTERM && judgedAgain != 0 {
				t.Errorf("after SIGTERMs, %d requests judged again, want 0 (the last checkpoint covers them)", judgedAgain)
			}

			journal := concatJournal(t, state)
			tags := map[int]bool{}
			for i, l := range bytes.Split(bytes.TrimSuffix(journal, []byte{'\n'}), []byte{'\n'}) {
				var v struct {
					N *int `json:"_n"`
				}
				if err := json.Unmarshal(l, &v); err != nil || v.N == nil {
					t.Fatalf("journal line %d: %q: %v", i+1, l, err)
				}
				tags[*v.N] = true
			}
			for _, tag := range answered {
				if !tags[tag] {
					t.Errorf("hook %d was answered 200 but is not in the journal", tag)
				}
			}
			all := filepath.Join(dir, "all.jsonl")
			if err := os.WriteFile(all, journal, 0o644); err != nil {
				t.Fatal(err)
			}
			var vout bytes.Buffer
			run([]string{"validate", "-format", "json", all}, nil, &vout, io.Discard)
			want := comparable(t, vout.Bytes(), true)
			served, err := os.ReadFile(findings)
			if err != nil {
				t.Fatal(err)
			}
			got := comparable(t, served, false)
			if len(want) < 20 {
				t.Errorf("validate on the journal found %d findings; the log was meant to have dozens", len(want))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("serve's findings over the run differ from validate's on its journal (-validate +serve):\n%s", diff)
			}
			// validate reads the journal as it lies, compressed files and all.
			files, _ := filepath.Glob(filepath.Join(state, "journal*"))
			if len(files) < 3 {
				t.Errorf("journal files %q: want several (-journal-size 64 KiB)", files)
			}
			var gz int
			for _, f := range files {
				if strings.HasSuffix(f, ".gz") {
					gz++
				}
			}
			if gz < len(files)-1 {
				t.Errorf("%d of %d journal files compressed, want all but the last", gz, len(files))
			}
			var direct bytes.Buffer
			run(append([]string{"validate", "-format", "json"}, files...), nil, &direct, io.Discard)
			if d := comparable(t, direct.Bytes(), true); len(d) != len(want) {
				t.Errorf("validate DIR/journal*: %d findings, validate on the concatenation %d", len(d), len(want))
			}
			t.Logf("%d hooks posted, %d answered 200, %d journaled, %d findings, %d judged again at starts",
				len(hooks), len(answered), len(tags), len(got), judgedAgain)
		})
	}
}

// comparable reads JSON findings as lines of what serve and validate must
// agree on: all but the file (a request path, a journal file), and
// without the dangling warnings of validate's end.
func comparable(t *testing.T, b []byte, dropDangling bool) []string {
	t.Helper()
	var out []string
	for _, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if l == "" {
			continue
		}
		var f tracker.Finding
		if err := f.UnmarshalJSON([]byte(l)); err != nil {
			t.Fatalf("finding %q: %v", l, err)
		}
		if dropDangling && f.Kind == tracker.KindDangling {
			continue
		}
		out = append(out, fmt.Sprintf("%d %s %s %s: %s", f.Line, f.Kind, f.Event, f.Entity, f.Message))
	}
	return out
}

// concatJournal reads a state directory's journal files in order, as one.
func concatJournal(t *testing.T, dir string) []byte {
	t.Helper()
	files, err := journalFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for _, f := range files {
		b, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		if f.gz {
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if b, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		}
		out.Write(b)
	}
	return out.Bytes()
}

// TestServeStateDiskFull fills the file system of -state (a small tmpfs)
// under a valid load: every hook is still answered 200, /healthz says the
// journal fails, the journal's queue overflows and its lines are dropped;
// once space is freed the journal goes on (in a new file), a checkpoint
// covers what was dropped, /healthz is 200 again. Then a SIGKILL, and a
// start judges the journal after that checkpoint again: the whole log,
// over the full disk and the crash, has no finding.
func TestServeStateDiskFull(t *testing.T) {
	// Most of the space taken, so that the journal fills the rest soon.
	dir, filler := mountTmpfs(t, "8m", 8<<20, 48<<10)
	findings := filepath.Join(t.TempDir(), "findings.jsonl") // not on the full disk
	hooks := genHooks(t, 3000, 5, false)
	// Checkpoints only when the journal takes lines again, and at the stop.
	args := []string{"-state", filepath.Join(dir, "state"), "-findings", findings, "-journal-queue", "32768",
		"-checkpoint-interval", "1h", "-checkpoint-every", "1000000000"}
	p := startProc(t, args...)
	get := func(path string) (int, string) {
		resp, err := http.Get(p.url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	metric := func(name string) string {
		_, m := get("/metrics")
		if v := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindStringSubmatch(m); v != nil {
			return v[1]
		}
		return "none"
	}
	third := len(hooks) / 3
	if got := postAll(t, p.url, hooks[:third], nil); len(got) != third {
		t.Fatalf("%d of %d hooks answered 200 on a full disk", len(got), third)
	}
	if code, msg := get("/healthz"); code != 503 || !strings.Contains(msg, "the journal cannot be written") {
		t.Errorf("/healthz on a full disk: %d %q, want 503 saying the journal fails", code, msg)
	}
	if v := metric("wcsfsm_journal_dropped_total"); v == "0" || v == "none" {
		t.Errorf("wcsfsm_journal_dropped_total %s with a queue of 32 KiB and %d hooks on a full disk", v, third)
	}
	os.Remove(filler)
	waitFor(t, "/healthz 200 once space is freed", func() bool { code, _ := get("/healthz"); return code == 200 })
	if got := postAll(t, p.url, hooks[third:2*third], nil); len(got) != third {
		t.Fatalf("%d of %d hooks answered 200 after the space was freed", len(got), third)
	}
	// One checkpoint (two, when a second request saw the journal take
	// lines again before the first checkpoint was under way).
	if v := metric("wcsfsm_checkpoints_total"); v != "1" && v != "2" {
		t.Errorf("wcsfsm_checkpoints_total %s after the journal took lines again, want 1", v)
	}
	said := p.stop(t, syscall.SIGKILL)
	p = startProc(t, args...)
	rest := hooks[2*third:]
	if got := postAll(t, p.url, rest, nil); len(got) != len(rest) {
		t.Fatalf("%d of %d hooks answered 200 after the restart", len(got), len(rest))
	}
	said = append(said, drain(p.stderr)...)
	said = append(said, p.stop(t, syscall.SIGTERM)...)
	t.Logf("stderr: %q", said)
	if b, err := os.ReadFile(findings); err != nil || len(b) != 0 {
		t.Errorf("findings of a valid log over a full disk and a crash (%v):\n%s", err, b)
	}
	want := fmt.Sprintf("stopped; %d events, 0 errors, 0 warnings", len(hooks))
	if last := said[len(said)-1]; !strings.HasSuffix(last, want) {
		t.Errorf("last line on stderr: %q, want it to end in %q", last, want)
	}
	if !slices.ContainsFunc(said, func(l string) bool {
		return regexp.MustCompile(`judged the [1-9]\d* journaled requests`).MatchString(l)
	}) {
		t.Errorf("the start after the SIGKILL judged nothing again (the test has no teeth): %q", said)
	}
}

// TestServeStateRefused: a state directory serve cannot go on from is
// refused at the start (exit 2, saying why and what to do), never taken
// as empty: a checkpoint that is none or is corrupt, a directory another
// serve holds.
func TestServeStateRefused(t *testing.T) {
	good := t.TempDir()
	p := startProc(t, "-state", good)
	for _, tc := range []struct {
		why   string
		setup func(dir string)
		want  string
	}{
		{"a directory another serve holds", nil, "another wcsfsm serve uses it"},
		{"a checkpoint that is not one", func(dir string) {
			os.WriteFile(filepath.Join(dir, "checkpoint"), []byte("hello\n"), 0o644)
		}, "not a checkpoint of wcsfsm serve (move it away and serve judges the whole journal again)"},
		{"a checkpoint cut short", func(dir string) {
			b := checkpointOf(t)
			os.WriteFile(filepath.Join(dir, "checkpoint"), b[:len(b)-10], 0o644)
		}, "tracker: bad snapshot"},
		{"a checkpoint with a bit flipped", func(dir string) {
			b := checkpointOf(t)
			b[len(b)-20] ^= 1
			os.WriteFile(filepath.Join(dir, "checkpoint"), b, 0o644)
		}, "tracker: bad snapshot"},
	} {
		dir := good
		if tc.setup != nil {
			dir = t.TempDir()
			tc.setup(dir)
		}
		var stderr bytes.Buffer
		code := run([]string{"serve", "-addr", "127.0.0.1:0", "-state", dir}, nil, io.Discard, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", tc.why, code, stderr.String(), tc.want)
		}
	}
	p.stop(t, syscall.SIGTERM)
}

// checkpointOf returns the checkpoint serve -state writes after a few hooks.
func checkpointOf(t *testing.T) []byte {
	t.Helper()
	dir := t.TempDir()
	s := startServe(t, serveConfig{State: dir})
	postAll(t, s.url, genHooks(t, 50, 1, false), nil)
	s.wait(t)
	b, err := os.ReadFile(filepath.Join(dir, "checkpoint"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
