package eventlog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/wcsfsm/wcsfsm/hookbody"
	"github.com/wcsfsm/wcsfsm/tracker"
	"github.com/wcsfsm/wcsfsm/wcslog"
	"pgregory.net/rapid"
)

// wcsEntry writes one REST hook entry of a server log as WCS does: the
// log4j line, URL:, OBJECT:, the object pretty-printed.
func wcsEntry(marker, path, object string) string {
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(object), "", "  "); err != nil {
		panic(err)
	}
	return "13:39:39,893 INFO            RestClient - API-ASYNC-pool-13-thread-3 " + marker + "\n" +
		"URL:http://localhost:8081/apps/EchoApp/" + path + "\nOBJECT:\n" + b.String() + "\n"
}

func send(path, object string) string { return wcsEntry("SEND REST OBJECT ==>", path, object) }

func wcsConn(status string) string {
	return send("ConnectionStatusEvent", `{"appKey":"defaultApp","sessionId":"s1","custom":{"login":"alice"},"status":"`+status+`"}`)
}

func wcsStream(status string) string {
	return send("StreamStatusEvent", `{"sessionId":"s1","mediaSessionId":"m1","name":"stream1","published":true,"status":"`+status+`","audioState":{"muted":false}}`)
}

// probe is an entry whose illegal transition shows that reading went on
// after whatever came before it.
var probe = send("CallStatusEvent", `{"sessionId":"probe","callId":"c-probe","status":"FINISH"}`)

// wcsFound is a finding reduced to what the table tests compare.
type wcsFound struct {
	Line int
	Kind string
	Msg  string // a part of the message
}

func readWCS(t testing.TB, v *Validator, log string) []tracker.Finding {
	t.Helper()
	var fs []tracker.Finding
	if v.Tracker == nil {
		v.Tracker = tracker.New(tracker.Options{Partial: true}) // the probe has no session
	}
	v.Report = func(f tracker.Finding) { fs = append(fs, f) }
	if err := v.ReadWCSLog("log", strings.NewReader(log)); err != nil {
		t.Fatal(err)
	}
	return fs
}

// lineOf returns the 1-based line where the n-th occurrence (from 1) of
// s starts in log.
func lineOf(log, s string, n int) int {
	i := -1
	for ; n > 0; n-- {
		j := strings.Index(log[i+1:], s)
		if j < 0 {
			panic("not found: " + s)
		}
		i += 1 + j
	}
	return strings.Count(log[:i], "\n") + 1
}

func TestReadWCSLog(t *testing.T) {
	const other = "13:39:38,101 INFO              WSServer - WSServer-accept-1 New connection from /192.168.1.101:56452 {protocol=wss}\n"
	const trace = "13:39:40,012 ERROR           RestClient - API-ASYNC-pool-12-thread-2 Got exception in REST \n" +
		"java.net.SocketTimeoutException: Read timed out\n\tat com.flashphoner.server.client.rest.RestClient.send(RestClient.java:212)\n"
	sendHead := "13:39:39,893 INFO            RestClient - API-ASYNC-pool-13-thread-3 SEND REST OBJECT ==>\n"
	illegal := wcsConn("ESTABLISHED") + other + wcsStream("PUBLISHING") + wcsStream("UNPUBLISHED") + wcsStream("PUBLISHING") + wcsConn("DISCONNECTED")
	long := wcsConn("ESTABLISHED") + wcsStream("PUBLISHING") + wcsConn("DISCONNECTED")
	tests := []struct {
		why  string
		log  string
		max  int
		want []wcsFound // besides the probe's, which every log ends with
	}{
		{"a valid session: no finding", wcsConn("ESTABLISHED") + wcsStream("PUBLISHING") + wcsStream("UNPUBLISHED") + wcsConn("DISCONNECTED"), 0, nil},
		{"other loggers, stack traces and answers received are passed over",
			other + wcsConn("ESTABLISHED") + trace + wcsEntry("RECEIVED REST OBJECT <==", "ConnectionStatusEvent", `{"status":"BOGUS"}`) +
				wcsConn("DISCONNECTED") + other, 0, nil},
		{"an illegal transition points at the SEND line of its entry",
			illegal, 0,
			[]wcsFound{{lineOf(illegal, "SEND", 4), "illegal-transition", "StreamStatusEvent m1 in UNPUBLISHED got PUBLISHING"}}},
		{"the URL names the family, and wins over an event field of the object",
			wcsConn("ESTABLISHED") + send("ConnectionStatusEvent/", `{"event":"StreamStatusEvent","sessionId":"s1","status":"DISCONNECTED"}`), 0, nil},
		{"every hook is judged, named by its URL: a connect (its body's status ignored), a publishStream without its key, another hook counted",
			send("connect", `{"sessionId":"s1","status":"BOGUS"}`) + send("publishStream?x=1", `{}`) + send("StreamsStatEvent", `{"x":1}`), 0,
			[]wcsFound{{8, "missing-field", "publishStream: mediaSessionId is missing"}}},
		{"a URL that names no hook WCS posts is unknown-event, whatever the object says",
			send("connectt", `{"event":"connect","sessionId":"s1"}`), 0,
			[]wcsFound{{1, "unknown-event", "event connectt names no hook that WCS posts (wcsfsm spec -hooks lists them; if WCS does post it, report it)"}}},
		{"braces and quotes in strings do not count, escapes honoured",
			wcsConn("ESTABLISHED") + send("DataStatusEvent", `{"sessionId":"s1","operationId":"op1","status":"ACCEPTED","info":"}}} \"{\" \\\" \\\\"}`) + wcsConn("DISCONNECTED"), 0, nil},
		{"the object may start on the OBJECT: line, and lines may end in CRLF",
			strings.ReplaceAll(sendHead+"URL:http://h/ConnectionStatusEvent\nOBJECT:{\"sessionId\":\"s1\",\n \"status\":\"ESTABLISHED\"}\n", "\n", "\r\n") + wcsConn("DISCONNECTED"), 0, nil},
		{"a date before the time, and a byte order mark",
			"\xef\xbb\xbf2024-05-06 13:39:39,893 INFO RestClient - t SEND REST OBJECT ==>\nURL:/ConnectionStatusEvent\nOBJECT:\n{\"sessionId\":\"s1\",\"status\":\"ESTABLISHED\"}\n" + wcsConn("DISCONNECTED"), 0, nil},
		{"no URL: line", sendHead + "OBJECT:\n{}\n", 0,
			[]wcsFound{{1, "malformed", "SEND REST OBJECT entry without its URL: line (line 2 is not one); skipped"}}},
		{"no OBJECT: line", sendHead + "URL:http://h/StreamStatusEvent\n{}\n", 0,
			[]wcsFound{{1, "malformed", "SEND REST OBJECT entry to StreamStatusEvent without its OBJECT: line (line 3 is not one); skipped"}}},
		{"no object after OBJECT:", sendHead + "URL:http://h/StreamStatusEvent\nOBJECT:\n\nnull\n", 0,
			[]wcsFound{{1, "malformed", "OBJECT: is not followed by a JSON object (line 5)"}}},
		{"a SEND line right after a SEND line: the first is malformed, the second read",
			sendHead + wcsConn("ESTABLISHED") + wcsConn("DISCONNECTED"), 0,
			[]wcsFound{{1, "malformed", "without its URL: line (line 2 is not one)"}}},
		{"an object cut by a new log entry", sendHead + "URL:http://h/StreamStatusEvent\nOBJECT:\n{\n  \"status\" : \"PUBLISHING\",\n" + other, 0,
			[]wcsFound{{1, "malformed", "its object, from line 4, never closes: line 6 starts a new log entry; skipped"}}},
		{"an object cut by a new SEND entry: the new one is read",
			sendHead + "URL:http://h/StreamStatusEvent\nOBJECT:\n{\n" + wcsConn("ESTABLISHED") + wcsConn("DISCONNECTED"), 0,
			[]wcsFound{{1, "malformed", "never closes: line 5 starts a new log entry"}}},
		{"a quote left open does not swallow the log",
			sendHead + "URL:http://h/StreamStatusEvent\nOBJECT:\n{\n  \"status\" : \"PUB\n}\n", 0,
			[]wcsFound{{1, "malformed", "not valid JSON: invalid character 0xa in a string at line 5"}}},
		{"not valid JSON: a comma missing", sendHead + "URL:http://h/StreamStatusEvent\nOBJECT:\n{\n  \"status\" : \"PUBLISHING\"\n  \"name\" : \"s\"\n}\n", 0,
			[]wcsFound{{1, "malformed", "SEND REST OBJECT entry to StreamStatusEvent: the object is not valid JSON: invalid character '\"' after a value in an object at line 6; skipped"}}},
		{"not valid JSON: something after the object", sendHead + "URL:http://h/StreamStatusEvent\nOBJECT:\n{\n} x\n", 0,
			[]wcsFound{{1, "malformed", "invalid character 'x' after the object at line 5"}}},
		{"an entry longer than the limit", long, 200,
			[]wcsFound{{lineOf(long, "SEND", 2), "line-too-long", "SEND REST OBJECT entry to StreamStatusEvent of 225 bytes is longer than the limit of 200 bytes; skipped"}}},
		{"a hook that is not checked may be longer than the limit", send("StreamsStatEvent", `{"custom":{"a":"`+strings.Repeat("x", 500)+`"}}`), 200, nil},
		{"a missing field is the tracker's finding, as in JSON Lines", send("StreamStatusEvent", `{"sessionId":"s1","status":"PUBLISHING"}`), 0,
			[]wcsFound{{1, "missing-field", "StreamStatusEvent: mediaSessionId is missing"}}},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			v := &Validator{MaxLine: tt.max}
			if tt.max == 0 {
				v.MaxLine = 1 << 10
			}
			log := tt.log + probe
			fs := readWCS(t, v, log)
			var got []wcsFound
			for _, f := range fs {
				got = append(got, wcsFound{f.Line, f.Kind.String(), f.Message})
			}
			want := append(tt.want, wcsFound{lineOf(log, "SEND", strings.Count(log, "SEND")), "illegal-transition", "CallStatusEvent c-probe in NEW got FINISH; allowed: BUSY, ESTABLISHED, FAILED, PENDING (by call or OnCallEvent), RING, RING_MEDIA, SESSION_PROGRESS, TRYING; for a log that begins after its sessions began use -tail"})
			if len(got) == len(want) {
				for i := range got {
					if strings.Contains(got[i].Msg, want[i].Msg) {
						got[i].Msg = want[i].Msg
					}
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s\nlog:\n%s", diff, log)
			}
			if n := v.Lines.Load(); n != int64(strings.Count(log, "\n")) {
				t.Errorf("Lines = %d, want %d", n, strings.Count(log, "\n"))
			}
			if n := v.Bytes.Load(); n != int64(len(log)) {
				t.Errorf("Bytes = %d, want %d", n, len(log))
			}
		})
	}
}

func TestReadWCSLogEnd(t *testing.T) {
	head := "13:39:39,893 INFO            RestClient - API-ASYNC-pool-13-thread-3 SEND REST OBJECT ==>\n"
	tests := []struct {
		why, log, msg string
	}{
		{"after the SEND line", head, "without its URL: line (the file ends (truncated, or cut by rotation?)); skipped"},
		{"after the URL: line", head + "URL:/StreamStatusEvent", "to StreamStatusEvent without its OBJECT: line (the file ends"},
		{"after the OBJECT: line", head + "URL:/StreamStatusEvent\nOBJECT:\n", "OBJECT: is not followed by a JSON object (the file ends"},
		{"in the object", head + "URL:/StreamStatusEvent\nOBJECT:\n{\n  \"status\" : ", "its object, from line 4, never closes: the file ends (truncated, or cut by rotation?); skipped"},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			v := &Validator{}
			fs := readWCS(t, v, tt.log)
			// The next file starts afresh: its entries are read.
			var next []tracker.Finding
			v.Report = func(f tracker.Finding) { next = append(next, f) }
			if err := v.ReadWCSLog("next", strings.NewReader(probe)); err != nil {
				t.Fatal(err)
			}
			if len(fs) != 1 || fs[0].Line != 1 || fs[0].Kind != tracker.KindMalformed || !strings.Contains(fs[0].Message, tt.msg) {
				t.Errorf("findings %v, want one malformed at line 1 with %q", fs, tt.msg)
			}
			if len(next) != 1 || next[0].File != "next" || next[0].Line != 1 || next[0].Kind != tracker.KindIllegalTransition {
				t.Errorf("the next file: %v", next)
			}
		})
	}
}

// TestReadWCSLogReaderError: a failing reader is the error, after the
// entries read before it.
func TestReadWCSLogReaderError(t *testing.T) {
	var n int
	v := &Validator{Tracker: tracker.New(tracker.Options{Partial: true}), Report: func(tracker.Finding) { n++ }}
	err := v.ReadWCSLog("log", io.MultiReader(strings.NewReader(probe), iotest.ErrReader(io.ErrUnexpectedEOF)))
	if err != io.ErrUnexpectedEOF || n != 1 {
		t.Errorf("err %v, %d findings; want %v, 1", err, n, io.ErrUnexpectedEOF)
	}
}

// TestReadWCSLogMemory: an entry far longer than the limit, and a line of
// another logger far longer than the buffer, are never held: the entry is
// one finding, the line none, and the probe after them is read.
func TestReadWCSLogMemory(t *testing.T) {
	const limit = 64 << 10
	big := strings.Repeat("x", 1<<20)
	var b strings.Builder
	b.WriteString("13:39:39,893 INFO RestClient - t SEND REST OBJECT ==>\nURL:/StreamStatusEvent\nOBJECT:\n{\n")
	for range 8 {
		b.WriteString(`  "pad" : "` + big + "\",\n")
	}
	b.WriteString("  \"status\" : \"PUBLISHING\"\n}\n")
	b.WriteString("13:39:40,001 DEBUG SipStack - t " + strings.Repeat("{\"", 4<<20) + "\n")
	b.WriteString(big + "\n") // a continuation line, as long
	b.WriteString(probe)
	v := &Validator{MaxLine: limit}
	fs := readWCS(t, v, b.String())
	if len(fs) != 2 || fs[0].Kind != tracker.KindLineTooLong || fs[0].Line != 1 || fs[1].Kind != tracker.KindIllegalTransition {
		t.Fatalf("findings: %v", fs)
	}
	if !strings.Contains(fs[0].Message, "is longer than the limit of 65536 bytes; skipped") {
		t.Errorf("message: %s", fs[0].Message)
	}
	if n, c := v.wcs.Held(); n > limit || c > 2*limit+64<<10 {
		t.Errorf("held %d bytes (capacity %d) of an entry; limit %d", n, c, limit)
	}
}

func TestSniff(t *testing.T) {
	tests := []struct {
		why    string
		prefix string
		want   Format
	}{
		{"a JSON Lines log", `{"event":"ConnectionStatusEvent","status":"ESTABLISHED"}` + "\n", FormatJSONL},
		{"a JSON line cut by the prefix", `{"event":"Conn`, FormatJSONL},
		{"blank lines first, then JSON", "\n\r\n  \n" + `{"a":1}`, FormatJSONL},
		{"a byte order mark, then JSON", "\xef\xbb\xbf{}", FormatJSONL},
		{"a server log", "13:39:38,101 INFO              WSServer - WSServer-accept-1 New connection\n", FormatWCSLog},
		{"a server log with dates", "2024-05-06 13:39:38,101 INFO WSServer - x\n", FormatWCSLog},
		{"a server log that starts at a REST object", "URL:http://h/x\n... SEND REST OBJECT ==>\n", FormatWCSLog},
		{"a server log cut in an object", "{\n  \"status\" : \"PUBLISHING\"\n}\n13:39:38,101 INFO x\n", FormatWCSLog},
		{"a server log that starts with a stack trace", "\tat java.base/java.lang.Thread.run(Thread.java:833)\n13:39:38,101 INFO x\n", FormatWCSLog},
		{"a server log whose time is cut by the prefix", "13:3", FormatJSONL},
		{"empty: JSON Lines, the default", "", FormatJSONL},
		{"nothing that tells: JSON Lines, the default", "hello\nworld\n", FormatJSONL},
	}
	for _, tt := range tests {
		if got := Sniff([]byte(tt.prefix)); got != tt.want {
			t.Errorf("%s: Sniff(%q) = %v, want %v", tt.why, tt.prefix, got, tt.want)
		}
	}
	for _, f := range []Format{FormatJSONL, FormatWCSLog} {
		if g, ok := ParseFormat(f.String()); !ok || g != f {
			t.Errorf("ParseFormat(%q) = %v, %v", f.String(), g, ok)
		}
	}
	if _, ok := ParseFormat("auto"); ok {
		t.Error("ParseFormat(auto) is no format")
	}
}

func TestHookAppendJSONL(t *testing.T) {
	tests := []struct {
		why, url, object, want, err string
	}{
		{"event first, the fields in their order, values as logged", "http://localhost:8081/apps/EchoApp/StreamStatusEvent",
			"{\n  \"z\" : 1.50,\n  \"a\" : [ 1, {\n    \"b\" : \"x y\\u00e9\\\"\"\n  } ],\n  \"status\" : \"PUBLISHING\"\n}\n",
			`{"event":"StreamStatusEvent","z":1.50,"a":[1,{"b":"x y\u00e9\""}],"status":"PUBLISHING"}`, ""},
		{"the object's event goes: the URL wins", "/CallStatusEvent?x=1", `{"event":"StreamStatusEvent","callId":"c","ev\u0065nt":1,"status":"RING"}`,
			`{"event":"CallStatusEvent","callId":"c","status":"RING"}`, ""},
		{"an empty object", "/DataStatusEvent", "{ }", `{"event":"DataStatusEvent"}`, ""},
		{"any hook, by its URL's last segment", "/apps/EchoApp/connect", "{}", `{"event":"connect"}`, ""},
		{"a URL without a last segment is the event whole, for validate to call it unknown", "http://localhost:8081/", "{}", `{"event":"http://localhost:8081/"}`, ""},
		{"not valid JSON", "/DataStatusEvent", "{\n\"a\":}", "", "SEND REST OBJECT entry to DataStatusEvent: the object is not valid JSON: invalid character '}' where a value was expected at line 11; skipped"},
	}
	for _, tt := range tests {
		h := &wcslog.Hook{Line: 7, ObjectLine: 10, URL: tt.url, Object: []byte(tt.object)}
		got, err := h.AppendJSONL([]byte("prefix:"), nil)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err || string(got) != "prefix:" {
				t.Errorf("%s: got %q, %v; want the error %q", tt.why, got, err, tt.err)
			}
			continue
		}
		if err != nil || string(got) != "prefix:"+tt.want {
			t.Errorf("%s: got %s, %v; want %s", tt.why, got, err, tt.want)
		}
	}
}

// TestWCSLogProperties: for any hooks, pretty-printed among other lines of
// a server log, the reader returns each SEND entry once, in order, with
// its URL and object; AppendJSONL of it is the object compacted, "event"
// first. And junk before an entry never loses it.
func TestWCSLogProperties(t *testing.T) {
	str := rapid.SampledFrom([]string{"", "x", "{", "}", `"`, `\`, "{\"}\\", "é", "SEND REST OBJECT ==>", "13:39:39,893", "\u2028"})
	value := rapid.OneOf(
		rapid.Map(rapid.SliceOfN(str, 0, 4), func(s []string) any { return strings.Join(s, "") }),
		rapid.Map(rapid.IntRange(-1000, 1000), func(i int) any { return i }),
		rapid.Map(rapid.Bool(), func(b bool) any { return b }),
		rapid.Map(rapid.SliceOfN(str, 0, 3), func(s []string) any { return map[string]any{"k": s, "o": map[string]any{}} }),
	)
	family := rapid.SampledFrom([]string{"StreamStatusEvent", "CallStatusEvent", "connect", "publishStream", "DataStatusEvent/"})
	noise := rapid.SampledFrom([]string{
		"13:39:38,101 INFO              WSServer - WSServer-accept-1 New connection {protocol=wss}\n",
		"java.net.SocketTimeoutException: Read timed out\n\tat a.b(C.java:1)\n",
		"INVITE sip:2000@sip.example.com SIP/2.0\nCSeq: 1 INVITE\n\nv=0\ns={\n",
		wcsEntry("RECEIVED REST OBJECT <==", "StreamStatusEvent", `{"status":"{"}`),
		"",
	})
	rapid.Check(t, func(t *rapid.T) {
		type hook struct{ url, compact string }
		var want []hook
		var log strings.Builder
		for n := rapid.IntRange(0, 6).Draw(t, "hooks"); n > 0; n-- {
			log.WriteString(noise.Draw(t, "noise"))
			keys := rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"nodeId", "sessionId", "status", "info", "a{", "\"q", "event"}), 0, 5, rapid.ID).Draw(t, "keys")
			var obj bytes.Buffer
			obj.WriteByte('{')
			for i, k := range keys {
				if i > 0 {
					obj.WriteByte(',')
				}
				kb, _ := json.Marshal(k)
				vb, _ := json.Marshal(value.Draw(t, "value"))
				obj.Write(kb)
				obj.WriteByte(':')
				obj.Write(vb)
			}
			obj.WriteByte('}')
			fam := family.Draw(t, "family")
			log.WriteString(send(fam, obj.String()))
			// The expected line: event first, the object's own event dropped.
			exp := `{"event":"` + strings.TrimSuffix(fam, "/") + `"`
			var m map[string]json.RawMessage
			json.Unmarshal(obj.Bytes(), &m)
			for _, k := range keys {
				if k != "event" {
					kb, _ := json.Marshal(k)
					exp += "," + string(kb) + ":" + string(m[k])
				}
			}
			want = append(want, hook{"http://localhost:8081/apps/EchoApp/" + fam, exp + "}"})
		}
		var got []hook
		var bad []string
		r := &wcslog.Reader{
			Hook: func(h *wcslog.Hook) {
				if !json.Valid(h.Object) {
					t.Fatalf("hook at line %d: not JSON: %s", h.Line, h.Object)
				}
				line, err := h.AppendJSONL(nil, nil)
				if err != nil {
					t.Fatalf("hook at line %d: %v", h.Line, err)
				}
				got = append(got, hook{strings.Clone(h.URL), string(line)})
			},
			Bad: func(err *wcslog.EntryError) { bad = append(bad, fmt.Sprint(err.Line, entryKind(err), err.Msg)) },
		}
		if err := r.Read(strings.NewReader(log.String())); err != nil {
			t.Fatal(err)
		}
		if len(bad) > 0 {
			t.Fatalf("bad entries: %v", bad)
		}
		if len(got) != len(want) {
			t.Fatalf("%d hooks, want %d", len(got), len(want))
		}
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(hook{})); diff != "" {
			t.Fatalf("hooks (-want +got):\n%s", diff)
		}
	})
	rapid.Check(t, func(t *rapid.T) {
		parts := rapid.SliceOfN(rapid.SampledFrom([]string{
			"13:39:39,893 INFO RestClient - t SEND REST OBJECT ==>", "URL:http://h/StreamStatusEvent", "URL:", "OBJECT:",
			"OBJECT:{", "{", "}", "{\"a\":\"", "\\", "\"", "x", "", "\r", "  \"status\" : {", "13:39:39,893 INFO x", "\xef\xbb\xbf",
		}), 0, 30).Draw(t, "junk")
		sep := rapid.SampledFrom([]string{"\n", "", " "})
		var log strings.Builder
		for _, p := range parts {
			log.WriteString(p + sep.Draw(t, "sep"))
		}
		log.WriteString("\n" + probe)
		v := &Validator{MaxLine: rapid.IntRange(1, 300).Draw(t, "max"), Tracker: tracker.New(tracker.Options{Partial: true})}
		var last tracker.Finding
		v.Report = func(f tracker.Finding) { last = f }
		if err := v.ReadWCSLog("junk", strings.NewReader(log.String())); err != nil && !errors.Is(err, ErrNoHook) {
			t.Fatal(err)
		}
		if last.Kind != tracker.KindIllegalTransition && last.Kind != tracker.KindLineTooLong || last.Line != lineOf(log.String(), probe, 1) {
			t.Fatalf("the probe at line %d is lost: last finding %v", lineOf(log.String(), probe, 1), last)
		}
	})
}

// FuzzReadWCSLog: whatever the input, no panic, the findings point at
// lines of the input, and no more than an entry's limit is held.
func FuzzReadWCSLog(f *testing.F) {
	for _, name := range []string{"../testdata/wcslog/flashphoner.log", "../testdata/wcslog/broken.log.1", "../testdata/wcslog/broken.log"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[:min(len(b), 4000)])
	}
	f.Add([]byte(probe))
	f.Fuzz(func(t *testing.T, b []byte) {
		v := &Validator{MaxLine: 512}
		lines := bytes.Count(b, []byte{'\n'}) + 1
		v.Report = func(fd tracker.Finding) {
			if fd.Line < 1 || fd.Line > lines {
				t.Fatalf("finding at line %d of %d: %v", fd.Line, lines, fd)
			}
		}
		if err := v.ReadWCSLog("fuzz", bytes.NewReader(b)); err != nil && !errors.Is(err, ErrNoHook) {
			t.Fatal(err)
		}
		if c, _ := v.wcs.Held(); c > 512 {
			t.Fatalf("held %d bytes", c)
		}
	})
}

// wcsBenchLogs are the same events twice: as a server log (each hook sent
// and its answer received, pretty-printed, among lines of other loggers)
// and as JSON Lines, converted from it.
var wcsBenchLogs = sync.OnceValues(func() ([]byte, []byte) {
	r := rand.New(rand.NewPCG(2, 0))
	var w bytes.Buffer
	hook := func(fam, obj string) {
		e := send(fam, obj)
		w.WriteString(e)
		w.WriteString(strings.Replace(e, "SEND REST OBJECT ==>", "RECEIVED REST OBJECT <==", 1))
		if r.IntN(4) == 0 {
			w.WriteString("13:39:38,101 INFO              WSServer - WSServer-worker-2 ping /10.0.0.1:40000 {ok}\n")
		}
	}
	const node = `"nodeId":"d2hxbqNPE04vGeZ51NPhDuId6k3hUrBB@95.191.130.39","appKey":"defaultApp"`
	for s := range 2000 {
		sid := `"sessionId":"/10.0.` + strconv.Itoa(s/250) + "." + strconv.Itoa(s%250) + ":" + strconv.Itoa(40000+s) + `/192.168.1.102:8443"`
		conn := func(st string) {
			hook("ConnectionStatusEvent", `{`+node+`,`+sid+`,"useWsTunnel":false,"mediaProviders":["WebRTC","MSE"],"clientVersion":"2.0.212","custom":{"login":"user`+strconv.Itoa(s)+`"},"status":"`+st+`"}`)
		}
		stream := func(id string, pub bool, st string) {
			hook("StreamStatusEvent", `{`+node+`,`+sid+`,"mediaSessionId":"`+id+`","name":"stream1","published":`+strconv.FormatBool(pub)+`,"hasVideo":true,"status":"`+st+`","audioCodec":"opus","videoCodec":"H264","info":"Unknown","width":1280,"height":720,"bitrate":0,"audioState":{"muted":false},"mediaProvider":"WebRTC","createDate":1700000003000}`)
		}
		keep := func(id string, pub bool, st string) {
			hook("StreamKeepAliveEvent", `{`+node+`,`+sid+`,"mediaSessionId":"`+id+`","name":"stream1","published":`+strconv.FormatBool(pub)+`,"status":"`+st+`","mediaProvider":"WebRTC"}`)
		}
		pub, play := fmt.Sprintf("p-%d-%x", s, r.Uint64()), fmt.Sprintf("q-%d-%x", s, r.Uint64())
		hook("connect", `{`+node+`,`+sid+`}`)
		conn("ESTABLISHED")
		stream(pub, true, "PENDING")
		stream(pub, true, "PUBLISHING")
		stream(play, false, "PLAYING")
		for range 4 {
			keep(pub, true, "PUBLISHING")
			keep(play, false, "PLAYING")
		}
		stream(play, false, "STOPPED")
		stream(pub, true, "UNPUBLISHED")
		conn("DISCONNECTED")
	}
	var jl []byte
	var d hookbody.Decoder
	c := &wcslog.Reader{Hook: func(h *wcslog.Hook) {
		jl, _ = h.AppendJSONL(jl, &d)
		jl = append(jl, '\n')
	}}
	c.Read(bytes.NewReader(w.Bytes()))
	return w.Bytes(), jl
})

func benchRead(b *testing.B, log []byte, read func(v *Validator, r io.Reader) error) {
	b.SetBytes(int64(len(log)))
	b.ReportAllocs()
	var events int64
	for b.Loop() {
		v := &Validator{Report: func(f tracker.Finding) { b.Fatal(f) }}
		if err := read(v, bytes.NewReader(log)); err != nil {
			b.Fatal(err)
		}
		v.End()
		events = v.Tracker.Stats().Events
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(int64(b.N)*events), "ns/event")
}

// BenchmarkReadWCSLog reads a server log of 2000 sessions (30 000 events,
// 2000 other hooks, every hook's answer) as validate -input wcslog does.
func BenchmarkReadWCSLog(b *testing.B) {
	log, _ := wcsBenchLogs()
	benchRead(b, log, func(v *Validator, r io.Reader) error { return v.ReadWCSLog("bench", r) })
}

// BenchmarkReadWCSLogAsJSONL reads the same events as JSON Lines, converted
// from the server log of BenchmarkReadWCSLog: compare the ns/event.
func BenchmarkReadWCSLogAsJSONL(b *testing.B) {
	_, log := wcsBenchLogs()
	benchRead(b, log, func(v *Validator, r io.Reader) error { return v.ReadJSONL("bench", r) })
}

// TestSniffReader: SniffReader tells what Sniff tells of the first
// SniffLen bytes, whatever sizes the reads come in, for every case of
// TestSniff, every testdata log, and prefixes of them cut anywhere; and it
// tells a log given a line at a time without waiting for more.
func TestSniffReader(t *testing.T) {
	inputs := []string{"", "\n\r\n  \n" + `{"a":1}`, "{\n  \"status\" : \"PUBLISHING\"\n}\n13:39:38,101 INFO x\n", "13:3", "hello\nworld\n",
		strings.Repeat("hello\n", 1000) + "13:39:38,101 INFO x\n"}
	for _, glob := range []string{"../testdata/*.jsonl", "../testdata/*/*.jsonl", "../testdata/wcslog/*"} {
		files, _ := filepath.Glob(glob)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, cut := range []int{1, 7, 100, 5000, len(b)} {
				inputs = append(inputs, string(b[:min(cut, len(b))]))
			}
		}
	}
	for _, in := range inputs {
		want := Sniff([]byte(in[:min(len(in), SniffLen)]))
		for name, r := range map[string]io.Reader{
			"whole":    strings.NewReader(in),
			"one byte": iotest.OneByteReader(strings.NewReader(in)),
			"half":     iotest.HalfReader(strings.NewReader(in)),
			"data+err": iotest.DataErrReader(strings.NewReader(in)),
		} {
			br := bufio.NewReaderSize(r, 64<<10)
			if got := SniffReader(br); got != want {
				t.Errorf("%s reads of %.40q…: SniffReader = %v, Sniff = %v", name, in, got, want)
			}
			if rest, _ := io.ReadAll(br); string(rest) != in {
				t.Errorf("%s reads of %.40q…: SniffReader took bytes from the reader", name, in)
			}
		}
	}

	pr, pw := io.Pipe()
	defer pw.Close()
	go pw.Write([]byte(`{"event":"ConnectionStatusEvent","status":"ESTABLISHED"}` + "\n"))
	told := make(chan Format, 1)
	go func() { told <- SniffReader(bufio.NewReader(pr)) }()
	select {
	case f := <-told:
		if f != FormatJSONL {
			t.Errorf("a live JSON line: SniffReader = %v", f)
		}
	case <-time.After(10 * time.Second):
		t.Error("SniffReader waits for more than the first line that tells")
	}
}

// entryKind is the kind of finding an entry error becomes.
func entryKind(err *wcslog.EntryError) tracker.Kind {
	if errors.Is(err, wcslog.ErrTooLong) {
		return tracker.KindLineTooLong
	}
	return tracker.KindMalformed
}
