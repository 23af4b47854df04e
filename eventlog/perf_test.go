package eventlog_test

import (
	"bytes"
	"sync"
	"testing"

	"github.com/wcsfsm/wcsfsm/eventlog"
	"github.com/wcsfsm/wcsfsm/hookbody"
	"github.com/wcsfsm/wcsfsm/synth"
	"github.com/wcsfsm/wcsfsm/tracker"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// benchLog is the benchmarks' log: a synthetic valid log of full hook
// bodies (the shape of bench/run.sh's, smaller), 200 sessions open at once.
var benchLog = sync.OnceValue(func() []byte {
	return synth.Generate(synth.NewSource(1), synth.Options{Events: 50000, Sessions: 200}).Bytes()
})

func benchLines() [][]byte {
	return bytes.Split(bytes.TrimSuffix(benchLog(), []byte("\n")), []byte("\n"))
}

// BenchmarkDecode decodes every line of the benchmark log.
func BenchmarkDecode(b *testing.B) {
	lines := benchLines()
	b.SetBytes(int64(len(benchLog())))
	b.ReportAllocs()
	var d hookbody.Decoder
	var ev wcs.Event
	for b.Loop() {
		for _, l := range lines {
			if err := d.Decode(l, &ev); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkTracker takes every event of the benchmark log, decoded
// beforehand: the engine alone, from an empty tracker each time.
func BenchmarkTracker(b *testing.B) {
	lines := benchLines()
	evs := make([]wcs.Event, len(lines))
	var d hookbody.Decoder
	for i, l := range lines {
		evs[i].File, evs[i].Line = "bench", i+1
		if err := d.Decode(l, &evs[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(benchLog())))
	b.ReportAllocs()
	for b.Loop() {
		t := tracker.New(tracker.Options{})
		for i := range evs {
			if fs := t.Take(&evs[i]); fs != nil {
				b.Fatal(fs)
			}
		}
		if fs := t.End(); fs != nil {
			b.Fatal(fs)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(evs)), "ns/event")
}

// BenchmarkValidate reads the benchmark log as wcsfsm validate does: lines,
// decoder, tracker, one goroutine.
func BenchmarkValidate(b *testing.B) {
	log := benchLog()
	b.SetBytes(int64(len(log)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		v := &eventlog.Validator{Report: func(tracker.Finding) { n++ }}
		if err := v.ReadJSONL("bench", bytes.NewReader(log)); err != nil {
			b.Fatal(err)
		}
		v.End()
		if n != 0 {
			b.Fatalf("%d findings on a valid log", n)
		}
	}
}

// TestLegalPathDoesNotAllocate: decoding a hook body, and judging a legal
// event of an entity already tracked, allocate nothing.
func TestLegalPathDoesNotAllocate(t *testing.T) {
	lines := [][]byte{
		[]byte(`{"event":"ConnectionStatusEvent","nodeId":"n1","sessionId":"s1","custom":{"login":"alice"},"mediaProviders":["WebRTC"],"status":"ESTABLISHED"}`),
		[]byte(`{"event":"StreamStatusEvent","nodeId":"n1","sessionId":"s1","mediaSessionId":"m1","published":true,"width":1280,"quality":0.5,"status":"PUBLISHING"}`),
	}
	keepAlive := []byte(`{"event":"StreamKeepAliveEvent","nodeId":"n1","appKey":"defaultApp","sessionId":"s1","mediaSessionId":"m1","name":"stream1","published":true,"status":"PUBLISHING","mediaProvider":"WebRTC"}`)
	var d hookbody.Decoder
	var ev wcs.Event
	if n := testing.AllocsPerRun(100, func() {
		if err := d.Decode(keepAlive, &ev); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("Decode: %v allocations, want 0", n)
	}
	findings := 0
	v := &eventlog.Validator{Report: func(tracker.Finding) { findings++ }}
	for i, l := range lines {
		v.JSONLine("f", i+1, l)
	}
	line := len(lines)
	if n := testing.AllocsPerRun(100, func() {
		line++
		v.JSONLine("f", line, keepAlive)
	}); n != 0 {
		t.Errorf("a legal keep-alive: %v allocations, want 0", n)
	}
	if findings != 0 {
		t.Errorf("%d findings on legal events", findings)
	}
}

// TestJudgingDoesNotAllocate: the one path every reader judges a hook by
// (JSONLine, Judge) allocates nothing for a legal event of an entity
// already tracked.
func TestJudgingDoesNotAllocate(t *testing.T) {
	conn := []byte(`{"event":"ConnectionStatusEvent","sessionId":"s1","status":"ESTABLISHED"}`)
	ka := []byte(`{"event":"StreamKeepAliveEvent","sessionId":"s1","mediaSessionId":"m1","status":"PUBLISHING"}`)
	strm := []byte(`{"event":"StreamStatusEvent","sessionId":"s1","mediaSessionId":"m1","status":"PUBLISHING"}`)
	v := &eventlog.Validator{Report: func(tracker.Finding) { t.Fatal("a finding") }}
	for _, l := range [][]byte{conn, strm, ka} {
		v.JSONLine("t", 1, l)
	}
	if n := testing.AllocsPerRun(100, func() { v.JSONLine("t", 2, ka) }); n != 0 {
		t.Errorf("JSONLine: %v allocations, want 0", n)
	}
	var j eventlog.Judge
	for _, l := range [][]byte{conn, strm, ka} {
		j.Judge(eventlog.Hook{File: "t", Line: 1, Body: l})
	}
	if n := testing.AllocsPerRun(100, func() { j.Judge(eventlog.Hook{File: "t", Line: 2, Body: ka}) }); n != 0 {
		t.Errorf("Judge: %v allocations, want 0", n)
	}
}
