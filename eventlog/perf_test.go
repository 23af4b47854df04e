package eventlog

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
)

// perfLog writes a synthetic valid log of about events events with full
// hook bodies, sessions of them open at once (the shape of bench/run.sh's
// log, smaller). Deterministic for a seed.
func perfLog(seed uint64, events, sessions int) []byte {
	r := rand.New(rand.NewPCG(seed, 0))
	const node = "d2hxbqNPE04vGeZ51NPhDuId6k3hUrBB@95.191.130.39"
	var w bytes.Buffer
	type sess struct{ script []string }
	uuid := func() string {
		return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", r.Uint32(), r.Uint32()&0xffff, r.Uint32()&0xfff, r.Uint32()&0xffff|0x8000, r.Uint64()&0xffffffffffff)
	}
	n := 0
	script := func() []string {
		n++
		var out []string
		common := `"nodeId":"` + node + `","appKey":"defaultApp","sessionId":"/10.0.` + strconv.Itoa(n/250) + `.` + strconv.Itoa(n%250) + `:` + strconv.Itoa(40000+n) + `/192.168.1.102:8443"`
		add := func(ev, body string) { out = append(out, `{"event":"`+ev+`",`+common+body+`}`) }
		conn := func(st string) {
			add("ConnectionStatusEvent", `,"useWsTunnel":false,"mediaProviders":["WebRTC","MSE"],"clientVersion":"2.0.212","clientBrowserVersion":"Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0","custom":{"login":"user`+strconv.Itoa(n)+`"},"status":"`+st+`"`)
		}
		stream := func(id string, pub bool, st string) {
			add("StreamStatusEvent", `,"mediaSessionId":"`+id+`","name":"stream1","published":`+strconv.FormatBool(pub)+`,"hasVideo":true,"status":"`+st+`","audioCodec":"opus","videoCodec":"H264","info":"Unknown","width":1280,"height":720,"bitrate":0,"quality":0.5e-3,"mediaProvider":"WebRTC","createDate":1700000003000`)
		}
		keep := func(id string, pub bool, st string) {
			add("StreamKeepAliveEvent", `,"mediaSessionId":"`+id+`","name":"stream1","published":`+strconv.FormatBool(pub)+`,"status":"`+st+`","mediaProvider":"WebRTC"`)
		}
		callEv := func(id, st string) {
			add("CallStatusEvent", `,"callId":"`+id+`","incoming":false,"caller":"1000","callee":"2000","visibleName":"Alice \u00e9","status":"`+st+`","sipStatus":200`)
		}
		conn("ESTABLISHED")
		pub, play := uuid(), uuid()
		stream(pub, true, "PENDING")
		stream(pub, true, "PUBLISHING")
		for k := 3 + r.IntN(8); k > 0; k-- {
			keep(pub, true, "PUBLISHING")
		}
		stream(play, false, "PLAYING")
		for k := 3 + r.IntN(8); k > 0; k-- {
			keep(play, false, "PLAYING")
		}
		stream(play, false, "STOPPED")
		if r.IntN(2) == 0 {
			add("RegistrationStatusEvent", `,"sipLogin":"1000","sipPort":5060,"status":"REGISTERED"`)
			c := uuid() + "@sip.example.com"
			callEv(c, "TRYING")
			callEv(c, "ESTABLISHED")
			add("TransferStatusEvent", `,"callId":"`+c+`","status":"ACCEPTED","info":""`)
			add("TransferStatusEvent", `,"callId":"`+c+`","status":"COMPLETED","info":""`)
			callEv(c, "FINISH")
		}
		add("DataStatusEvent", `,"operationId":"op-`+strconv.Itoa(n)+`","status":"ACCEPTED","info":""`)
		stream(pub, true, "UNPUBLISHED")
		conn("DISCONNECTED")
		return out
	}
	var open []*sess
	for len(open) < sessions {
		open = append(open, &sess{script()})
	}
	written := 0
	for len(open) > 0 {
		i := r.IntN(len(open))
		s := open[i]
		w.WriteString(s.script[0])
		w.WriteByte('\n')
		written++
		s.script = s.script[1:]
		if len(s.script) == 0 {
			open[i] = open[len(open)-1]
			open = open[:len(open)-1]
			if written+len(open)*30 < events {
				open = append(open, &sess{script()})
			}
		}
	}
	return w.Bytes()
}

var benchLog = sync.OnceValue(func() []byte { return perfLog(1, 50000, 200) })

func benchLines(b *testing.B) [][]byte {
	b.Helper()
	return bytes.Split(bytes.TrimSuffix(benchLog(), []byte("\n")), []byte("\n"))
}

// BenchmarkDecode decodes every line of the benchmark log.
func BenchmarkDecode(b *testing.B) {
	lines := benchLines(b)
	b.SetBytes(int64(len(benchLog())))
	b.ReportAllocs()
	var d Decoder
	var ev Event
	for b.Loop() {
		for _, l := range lines {
			if err := d.Decode(l, &ev); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkTracker takes every event of the benchmark log, decoded
// beforehand: the engine alone.
func BenchmarkTracker(b *testing.B) {
	lines := benchLines(b)
	evs := make([]Event, len(lines))
	var d Decoder
	for i, l := range lines {
		evs[i].File, evs[i].Line = "bench", i+1
		if err := d.Decode(l, &evs[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(benchLog())))
	b.ReportAllocs()
	for b.Loop() {
		t := NewTracker(Options{})
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
// decoder, tracker.
func BenchmarkValidate(b *testing.B) {
	log := benchLog()
	b.SetBytes(int64(len(log)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		v := &Validator{Report: func(Finding) { n++ }}
		if err := v.ReadJSONL("bench", bytes.NewReader(log)); err != nil {
			b.Fatal(err)
		}
		v.End()
		if n != 0 {
			b.Fatalf("%d findings on a valid log", n)
		}
	}
}

var _ = io.Discard
