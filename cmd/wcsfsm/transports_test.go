package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wcsfsm/wcsfsm/fsm"
	"github.com/wcsfsm/wcsfsm/synth"
	"github.com/wcsfsm/wcsfsm/tracker"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// stream is a log of the whole hook stream: each hook's synth.Event and
// its JSON line, kept in step as mistakes are put in.
type stream struct {
	events []synth.Event
	lines  [][]byte
}

func (s stream) clone() stream {
	return stream{slices.Clone(s.events), slices.Clone(s.lines)}
}

func (s stream) insert(at int, ev synth.Event) stream {
	s = s.clone()
	s.events = slices.Insert(s.events, at, ev)
	s.lines = slices.Insert(s.lines, at, synth.AppendJSON(nil, &ev))
	return s
}

func (s stream) remove(at int) stream {
	s = s.clone()
	s.events = slices.Delete(s.events, at, at+1)
	s.lines = slices.Delete(s.lines, at, at+1)
	return s
}

// move takes the hook at from out and puts it at to (to < from: before
// the hook that stood there).
func (s stream) move(from, to int) stream {
	ev, line := s.events[from], s.lines[from]
	s = s.remove(from)
	s.events = slices.Insert(s.events, to, ev)
	s.lines = slices.Insert(s.lines, to, line)
	return s
}

// refused returns the statuses f's machine refuses in state st that f's
// status event may carry: an illegal-transition, not an unknown-status.
func refused(f wcs.Family, st fsm.Symbol) []fsm.Symbol {
	m := f.Machine()
	var out []fsm.Symbol
	for _, x := range m.Statuses() {
		if !m.Can(st, x) && wcs.StatusEventCarries(f, x) {
			out = append(out, x)
		}
	}
	return out
}

// allMistakes puts every mistake in one log, one after another.
func allMistakes(s stream) (stream, bool) {
	for _, m := range mistakes {
		var ok bool
		if s, ok = m.put(s); !ok {
			return s, false
		}
	}
	return s, true
}

// A mistake puts one kind of mistake in a log, at the first hook that
// fits from a place of its own (most from the middle of the log on, so
// that the mistakes of allMistakes fall apart); false when the log holds
// no place for it.
type mistake struct {
	why   string
	put   func(s stream) (stream, bool)
	atEnd bool // its findings are all about the end of the log (dangling)
}

var mistakes = []mistake{
	{"an illegal status event: a copy of a hook that moves its entity, made its family's status event carrying a status its machine refuses in the state the hook left it in",
		func(s stream) (stream, bool) {
			for i := len(s.events) / 2; i < len(s.events); i++ {
				ev := s.events[i]
				if !ev.Moves() {
					continue
				}
				if no := refused(ev.Family, ev.To); len(no) > 0 {
					bad := ev
					bad.Method, bad.From, bad.Status = wcs.Method{}, ev.To, no[len(no)/2]
					return s.insert(i+1, bad), true
				}
			}
			return s, false
		}, false},
	{"a command moved before its session's ESTABLISHED",
		func(s stream) (stream, bool) {
			for i := len(s.events) / 2; i < len(s.events); i++ {
				if s.events[i].Method.Kind != wcs.MethodKindCommand {
					continue
				}
				for j, ev := range s.events[:i] {
					if ev.SessionNo == s.events[i].SessionNo && ev.Family == wcs.FamilyConnection && ev.Moves() && ev.To == wcs.SessionLive {
						return s.move(i, j), true
					}
				}
			}
			return s, false
		}, false},
	{"a terminal status event sent twice",
		func(s stream) (stream, bool) {
			for i := len(s.events) / 2; i < len(s.events); i++ {
				ev := s.events[i]
				if ev.Hook().Kind == wcs.MethodKindStatus && ev.Family.Machine().Terminal(ev.To) {
					return s.insert(i+1, ev), true
				}
			}
			return s, false
		}, false},
	{"a hook lost, after which its entity's next status is refused",
		func(s stream) (stream, bool) {
			for i := len(s.events) / 3; i < len(s.events); i++ {
				ev := s.events[i]
				if !ev.Moves() {
					continue
				}
				for _, next := range s.events[i+1:] {
					if next.Entity == ev.Entity && next.Moves() {
						if !ev.Family.Machine().Can(ev.From, next.Status) {
							return s.remove(i), true
						}
						break
					}
				}
			}
			return s, false
		}, false},
	{"a session's ESTABLISHED lost: what the session does next is done without one",
		func(s stream) (stream, bool) {
			for i := 0; i < len(s.events); i++ {
				ev := s.events[i]
				if ev.Family != wcs.FamilyConnection || !ev.Moves() || ev.To != wcs.SessionLive {
					continue
				}
				// Only where the session does more than end.
				for _, next := range s.events[i+1:] {
					if next.SessionNo == ev.SessionNo {
						if next.Family != wcs.FamilyConnection {
							return s.remove(i), true
						}
						break
					}
				}
			}
			return s, false
		}, false},
	{"the log cut short: its last fifth lost, what was open is left dangling",
		func(s stream) (stream, bool) {
			n := len(s.events) * 4 / 5
			return stream{s.events[:n:n], s.lines[:n:n]}, n > 0
		}, true},
}

// A hook is one hook as WCS posts it: the last segment of its URL, and
// its body, which names no hook.
type hook struct {
	name string
	body []byte
}

// hooksOf returns the hooks the JSON lines are: each line's "event",
// which synth writes first, and the rest of the line, without it.
func hooksOf(t *testing.T, lines [][]byte) []hook {
	t.Helper()
	out := make([]hook, len(lines))
	for i, line := range lines {
		rest, ok := bytes.CutPrefix(line, []byte(`{"event":"`))
		j := bytes.IndexByte(rest, '"')
		if !ok || j <= 0 || !bytes.HasPrefix(rest[j:], []byte(`",`)) {
			t.Fatalf("line %d: not a hook with its event first: %s", i+1, line)
		}
		name := string(rest[:j])
		if _, known := wcs.LookupMethod(name); !known {
			t.Fatalf("line %d: %q is no hook WCS posts", i+1, name)
		}
		out[i] = hook{name, append([]byte("{"), rest[j+2:]...)}
	}
	return out
}

// serverLog renders the hooks as WCS writes them in flashphoner.log: each
// a SEND REST OBJECT entry with its URL and its object pretty-printed,
// without "event", and around them what else a server log holds (most
// hooks' answers echoed, connections accepted, a warning with its stack
// trace). It returns the log and, for each line of a SEND entry, the hook
// it is, from 1.
func serverLog(t *testing.T, hooks []hook) ([]byte, map[int]int) {
	t.Helper()
	var b bytes.Buffer
	lineNo := 0
	write := func(s string) {
		b.WriteString(s)
		lineNo += strings.Count(s, "\n")
	}
	hookAt := map[int]int{}
	ms := (13*3600+39*60+38)*1000 + 7
	stamp := func() string {
		ms += 9 + ms%23
		return fmt.Sprintf("%02d:%02d:%02d,%03d", ms/3600000%24, ms/60000%60, ms/1000%60, ms%1000)
	}
	var obj bytes.Buffer
	for i, h := range hooks {
		obj.Reset()
		if err := json.Indent(&obj, h.body, "", "  "); err != nil {
			t.Fatalf("%s: %v", h.body, err)
		}
		thread := "API-ASYNC-pool-13-thread-" + strconv.Itoa(i%8+1)
		entry := "URL:http://localhost:8081/apps/EchoApp/" + h.name + "\nOBJECT:\n" + obj.String() + "\n"
		switch i % 7 {
		case 0:
			write(stamp() + " INFO              WSServer - WSServer-accept-1 New connection from /192.168.1.101:56452 {protocol=wss}\n")
		case 3:
			write(stamp() + " WARN         ClientHandler - WSServer-worker-2 slow answer of the REST backend\n" +
				"java.net.SocketTimeoutException: Read timed out\n\tat java.base/java.net.SocketInputStream.read(SocketInputStream.java:168)\n\tat com.flashphoner.server.client.RestClient.send(RestClient.java:212)\n")
		}
		write(stamp() + " INFO            RestClient - " + thread + " SEND REST OBJECT ==>\n")
		hookAt[lineNo] = i + 1
		write(entry)
		if i%5 != 4 {
			write(stamp() + " INFO            RestClient - " + thread + " RECEIVED REST OBJECT <==\n" + entry)
		}
	}
	write(stamp() + " INFO                Server - main Server stopped\n")
	return b.Bytes(), hookAt
}

// validated runs validate -format json on the input and returns the
// findings as written.
func validated(t *testing.T, input []byte, flags ...string) []tracker.Finding {
	t.Helper()
	var stdout, stderr bytes.Buffer
	args := append([]string{"validate", "-format", "json"}, flags...)
	if code := run(args, bytes.NewReader(input), &stdout, &stderr); code > 1 {
		t.Fatalf("%s: exit %d: %s", strings.Join(args, " "), code, stderr.String())
	}
	return parseFindings(t, stdout.Bytes())
}

func parseFindings(t *testing.T, out []byte) []tracker.Finding {
	t.Helper()
	var fs []tracker.Finding
	for _, l := range bytes.SplitAfter(out, []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		var f tracker.Finding
		if err := f.UnmarshalJSON(l); err != nil {
			t.Fatalf("finding %q: %v", l, err)
		}
		fs = append(fs, f)
	}
	return fs
}

// served posts each hook's body to /apps/EchoApp/<hook> on serve's
// handler, in order, one at a time, and returns the findings it wrote.
func served(t *testing.T, hooks []hook) []tracker.Finding {
	t.Helper()
	var out bytes.Buffer
	h := newHookServer(serveConfig{}, &out)
	for i, hk := range hooks {
		name, body := hk.name, hk.body
		req := httptest.NewRequest(http.MethodPost, "/apps/EchoApp/"+name, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), body) {
			t.Fatalf("request %d, %s: answered %d %q, want 200 and the body", i+1, name, rec.Code, rec.Body.Bytes())
		}
	}
	if err := h.close(); err != nil {
		t.Fatal(err)
	}
	return parseFindings(t, out.Bytes())
}

// lineRef is a line number in a finding's message ("last event at line
// 34"): a position too, mapped back to the hook like the finding's own.
var lineRef = regexp.MustCompile(`\bline (\d+)`)

// byHook puts each finding at the hook it is about: its Line mapped by
// hookAt (nil: the line is the hook's number), the lines its message names
// too; File is checked against file (by hook number, from 1) and cleared.
// A line that is no hook's is reported, and left as -1.
func byHook(t *testing.T, transport string, fs []tracker.Finding, hookAt map[int]int, file func(n int) string) []tracker.Finding {
	t.Helper()
	hook := func(line int) int {
		if hookAt == nil {
			return line
		}
		if n, ok := hookAt[line]; ok {
			return n
		}
		return -1
	}
	out := make([]tracker.Finding, 0, len(fs))
	for _, f := range fs {
		if f.Line != 0 {
			n := hook(f.Line)
			if n < 0 {
				t.Errorf("%s: a finding at line %d, which starts no hook: %v", transport, f.Line, f)
			} else if want := file(n); f.File != want {
				t.Errorf("%s: a finding in %q, want %q: %v", transport, f.File, want, f)
			}
			f.Line = n
		}
		if f.Last != 0 {
			f.Last = hook(f.Last) // a dangling entity's last event, as its message says
		}
		f.File = ""
		f.Message = lineRef.ReplaceAllStringFunc(f.Message, func(s string) string {
			l, _ := strconv.Atoi(lineRef.FindStringSubmatch(s)[1])
			return "hook " + strconv.Itoa(hook(l))
		})
		out = append(out, f)
	}
	return out
}

// notDangling returns the findings about a hook (Line > 0), checking that
// those about the end of the log (Line 0) all come after them.
func notDangling(t *testing.T, transport string, fs []tracker.Finding) []tracker.Finding {
	t.Helper()
	i := slices.IndexFunc(fs, func(f tracker.Finding) bool { return f.Line == 0 })
	if i < 0 {
		return fs
	}
	for _, f := range fs[i:] {
		if f.Line != 0 {
			t.Errorf("%s: a finding about hook %d after one about the end of the log: %v", transport, f.Line, f)
		}
	}
	return fs[:i]
}

// TestSameVerdictsEveryTransport: what a receiver logged of the whole hook
// stream gets the same verdicts whether it is read as JSON Lines (with
// one tracker or sharded), as a server log (flashphoner.log) or posted to
// serve as requests: the same findings, in the same order, about the same
// hook (JSON Lines line n, the n-th SEND REST OBJECT entry, request n).
// serve never ends its log: it has the findings of the others but those
// about the end (dangling, line 0).
func TestSameVerdictsEveryTransport(t *testing.T) {
	logs := []struct {
		why  string
		seed uint64
		o    synth.Options
	}{
		{"a short log, a few sessions at once", 1, synth.Options{Events: 120, Sessions: 3}},
		{"one session at a time", 2, synth.Options{Events: 300, Sessions: 1}},
		{"the default interleaving", 3, synth.Options{Events: 700, Sessions: 10}},
		{"many sessions at once", 4, synth.Options{Events: 1200, Sessions: 40}},
	}
	type variant struct {
		why   string
		s     stream
		valid bool // as generated: no finding at all
		atEnd bool // findings about the end of the log alone
	}
	var nLogs, nHooks, nJSONL, nServe atomic.Int64
	// The logs are judged in parallel, in a group that ends before the
	// counts are told.
	t.Run("logs", func(t *testing.T) {
		for _, lg := range logs {
			l := synth.Generate(synth.NewSource(lg.seed), lg.o)
			clean := stream{l.Events, l.Lines}
			variants := []variant{{"valid as generated: no finding", clean, true, false}}
			for _, m := range append(slices.Clone(mistakes), mistake{"every mistake above in one log", allMistakes, false}) {
				s, ok := m.put(clean)
				if !ok {
					t.Fatalf("%s, seed %d: no place for %s", lg.why, lg.seed, m.why)
				}
				variants = append(variants, variant{m.why, s, false, m.atEnd})
			}
			for _, v := range variants {
				name := fmt.Sprintf("seed %d, %d hooks, %d sessions/%s", lg.seed, lg.o.Events, lg.o.Sessions, v.why)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					jsonl := append(bytes.Join(v.s.lines, []byte("\n")), '\n')
					hooks := hooksOf(t, v.s.lines)
					wcslog, hookAt := serverLog(t, hooks)
					path := func(n int) string { return "/apps/EchoApp/" + hooks[n-1].name }
					stdin := func(int) string { return "-" }

					// JSON Lines: the default -j (a tracker a CPU, sharded by
					// session), and one tracker, and more shards than CPUs.
					want := byHook(t, "JSON Lines", validated(t, jsonl), nil, stdin)
					for _, j := range []string{"1", "4"} {
						got := byHook(t, "JSON Lines -j "+j, validated(t, jsonl, "-j", j), nil, stdin)
						if diff := cmp.Diff(want, got); diff != "" {
							t.Errorf("JSON Lines with -j %s differ from the default -j (-default +-j %s):\n%s", j, j, diff)
						}
					}
					got := byHook(t, "server log", validated(t, wcslog, "-input", "wcslog"), hookAt, stdin)
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("the server log's findings differ from the JSON Lines' (-JSON Lines +server log):\n%s", diff)
					}
					aboutHooks := notDangling(t, "JSON Lines", want)
					notDangling(t, "server log", got)
					srv := byHook(t, "serve", served(t, hooks), nil, path)
					if diff := cmp.Diff(aboutHooks, srv); diff != "" {
						t.Errorf("serve's findings differ from the JSON Lines' but those about the end (-JSON Lines +serve):\n%s", diff)
					}
					switch {
					case v.valid && len(want) != 0:
						t.Errorf("a generated log has findings: %v", want)
					case v.atEnd && (len(aboutHooks) != 0 || len(want) == 0):
						t.Errorf("%d findings about hooks, %d in all; want findings about the end alone", len(aboutHooks), len(want))
					case !v.valid && !v.atEnd && len(aboutHooks) == 0:
						t.Error("no finding about a hook: the mistake proves nothing")
					}
					nLogs.Add(1)
					nHooks.Add(int64(len(hooks)))
					nJSONL.Add(int64(len(want)))
					nServe.Add(int64(len(srv)))
				})
			}
		}
	})
	t.Logf("%d logs, %d hooks, each read 5 ways (JSON Lines -j default, 1, 4; server log; serve); %d findings compared between JSON Lines and the server log, %d of them with serve",
		nLogs.Load(), nHooks.Load(), nJSONL.Load(), nServe.Load())
}
