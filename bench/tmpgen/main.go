// Command tmpgen writes a synthetic, valid WCS event log with full hook
// bodies, for the benchmarks in bench/ until `wcsfsm gen` lands. It is a
// stand-in: bench/run.sh prefers `wcsfsm gen` when the command has it.
//
//	go run ./bench/tmpgen -events 200000 -sessions 500 > log.jsonl
//
// Each session runs a fixed-shape script (connect, register, publish and
// play streams with keep-alives, a call with a transfer, data, debug,
// unregister, disconnect); -sessions scripts run interleaved at any time,
// so the number of sessions open at once does not depend on -events.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
)

const node = "d2hxbqNPE04vGeZ51NPhDuId6k3hUrBB@95.191.130.39"

type sess struct {
	id     string
	n      int
	script []string // lines still to write
}

func main() {
	seed := flag.Uint64("seed", 1, "random seed")
	events := flag.Int("events", 200000, "events to write (about)")
	sessions := flag.Int("sessions", 500, "sessions open at once")
	flag.Parse()
	r := rand.New(rand.NewPCG(*seed, 0))
	w := bufio.NewWriterSize(os.Stdout, 1<<16)
	defer w.Flush()

	var open []*sess
	next := 0
	written := 0
	start := func() {
		next++
		s := &sess{id: fmt.Sprintf("/10.%d.%d.%d:%d/192.168.1.102:8443", next>>16&255, next>>8&255, next&255, 40000+next%20000), n: next}
		s.script = script(r, s)
		open = append(open, s)
	}
	for len(open) < *sessions {
		start()
	}
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
			if written+len(open)*40 < *events {
				start()
			}
		}
	}
}

func script(r *rand.Rand, s *sess) []string {
	var out []string
	sid := strconv.Quote(s.id)
	common := `"nodeId":"` + node + `","appKey":"defaultApp","sessionId":` + sid
	add := func(ev, body string) {
		out = append(out, `{"event":"`+ev+`",`+common+body+`}`)
	}
	conn := func(status string) {
		add("ConnectionStatusEvent", `,"useWsTunnel":false,"useWsTunnelPacketization2":false,"useBase64BinaryEncoding":false,"mediaProviders":["WebRTC","MSE"],"clientVersion":"2.0.212","clientOSVersion":"5.0 (X11; Linux x86_64)","clientBrowserVersion":"Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0","custom":{"login":"user`+strconv.Itoa(s.n)+`"},"status":"`+status+`"`)
	}
	reg := func(status string) {
		add("RegistrationStatusEvent", `,"sipLogin":"1000","sipAuthenticationName":"1000","sipDomain":"sip.example.com","sipOutboundProxy":"sip.example.com","sipPort":5060,"status":"`+status+`"`)
	}
	ms := 0
	stream := func(msid string, pub bool, status string) {
		ms++
		add("StreamStatusEvent", `,"mediaSessionId":"`+msid+`","name":"stream`+strconv.Itoa(s.n)+`","published":`+strconv.FormatBool(pub)+`,"hasVideo":true,"hasAudio":true,"status":"`+status+`","audioCodec":"opus","videoCodec":"H264","info":"Unknown","record":false,"width":1280,"height":720,"bitrate":0,"minBitrate":0,"maxBitrate":0,"quality":0,"timeout":0,"mediaProvider":"WebRTC","history":false,"createDate":17000000`+strconv.Itoa(10000+ms))
	}
	keep := func(msid string, pub bool, status string) {
		add("StreamKeepAliveEvent", `,"mediaSessionId":"`+msid+`","name":"stream`+strconv.Itoa(s.n)+`","published":`+strconv.FormatBool(pub)+`,"status":"`+status+`","mediaProvider":"WebRTC"`)
	}
	callEv := func(cid, status string, sip int) {
		add("CallStatusEvent", `,"callId":"`+cid+`","incoming":false,"caller":"1000","callee":"2000","visibleName":"Alice","hasAudio":true,"hasVideo":false,"status":"`+status+`","sipStatus":`+strconv.Itoa(sip))
	}
	uuid := func() string {
		return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", r.Uint32(), r.Uint32()&0xffff, r.Uint32()&0xfff, r.Uint32()&0xffff|0x8000, r.Uint64()&0xffffffffffff)
	}

	conn("ESTABLISHED")
	if r.IntN(4) == 0 {
		add("SessionDebugStatusEvent", `,"status":"STARTED"`)
		add("SessionDebugStatusEvent", `,"status":"STOPPED"`)
	}
	pub := uuid()
	stream(pub, true, "PENDING")
	stream(pub, true, "PUBLISHING")
	for k := 3 + r.IntN(10); k > 0; k-- {
		keep(pub, true, "PUBLISHING")
	}
	play := uuid()
	stream(play, false, "PENDING")
	stream(play, false, "PLAYING")
	for k := 3 + r.IntN(10); k > 0; k-- {
		keep(play, false, "PLAYING")
		if r.IntN(8) == 0 {
			stream(play, false, "RESIZE")
		}
	}
	stream(play, false, "STOPPED")
	if r.IntN(2) == 0 {
		reg("REGISTERED")
		cid := uuid() + "@sip.example.com"
		callEv(cid, "TRYING", 100)
		callEv(cid, "RING", 180)
		callEv(cid, "ESTABLISHED", 200)
		if r.IntN(3) == 0 {
			add("TransferStatusEvent", `,"callId":"`+cid+`","status":"ACCEPTED","info":""`)
			add("TransferStatusEvent", `,"callId":"`+cid+`","status":"TRYING","info":""`)
			add("TransferStatusEvent", `,"callId":"`+cid+`","status":"COMPLETED","info":""`)
		}
		callEv(cid, "FINISH", 200)
		reg("UNREGISTERED")
	}
	add("DataStatusEvent", `,"operationId":"op-`+strconv.Itoa(s.n)+`","status":"ACCEPTED","info":""`)
	for k := 3 + r.IntN(10); k > 0; k-- {
		keep(pub, true, "PUBLISHING")
	}
	stream(pub, true, "UNPUBLISHED")
	conn("DISCONNECTED")
	return out
}
