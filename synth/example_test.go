package synth_test

import (
	"fmt"
	"os"

	"github.com/wcsfsm/wcsfsm/synth"
)

// A log of 16 events, two sessions open at a time: what each line is, the
// hook (its kind) and its entity's move; a command or another hook moves
// nothing.
func ExampleGenerate() {
	l := synth.Generate(synth.NewSource(101), synth.Options{Events: 16, Sessions: 2})
	for _, ev := range l.Events {
		m := ev.Family.Machine()
		fmt.Printf("line %2d: session %d entity %2d %-23s %-10s %-23s %s -> %s\n", ev.Seq+1, ev.SessionNo, ev.Entity,
			ev.Method.Name, ev.Method.Kind, ev.Family, m.String(ev.From), m.String(ev.To))
	}
	// Output:
	// line  1: session 0 entity  0 connect                 invocation ConnectionStatusEvent   NEW -> PENDING
	// line  2: session 0 entity  0 ConnectionStatusEvent   status     ConnectionStatusEvent   PENDING -> ESTABLISHED
	// line  3: session 1 entity  3 connect                 invocation ConnectionStatusEvent   NEW -> PENDING
	// line  4: session 0 entity  2 sessionDebug            command    SessionDebugStatusEvent NEW -> NEW
	// line  5: session 0 entity  2 SessionDebugStatusEvent status     SessionDebugStatusEvent NEW -> STARTED
	// line  6: session 1 entity  3 ConnectionStatusEvent   status     ConnectionStatusEvent   PENDING -> DISCONNECTED
	// line  7: session 2 entity  6 connect                 invocation ConnectionStatusEvent   NEW -> PENDING
	// line  8: session 2 entity  6 ConnectionStatusEvent   status     ConnectionStatusEvent   PENDING -> ESTABLISHED
	// line  9: session 2 entity  9 playStream              invocation StreamStatusEvent       NEW -> PENDING
	// line 10: session 0 entity  2 sessionDebug            command    SessionDebugStatusEvent STARTED -> STARTED
	// line 11: session 2 entity 11 CallStatusEvent         status     CallStatusEvent         NEW -> FAILED
	// line 12: session 0 entity  2 SessionDebugStatusEvent status     SessionDebugStatusEvent STARTED -> STOPPED
	// line 13: session 0 entity  0 sendMessage             other      ConnectionStatusEvent   ESTABLISHED -> ESTABLISHED
	// line 14: session 2 entity  9 StreamStatusEvent       status     StreamStatusEvent       PENDING -> FAILED
	// line 15: session 0 entity  0 ConnectionStatusEvent   status     ConnectionStatusEvent   ESTABLISHED -> FAILED
	// line 16: session 2 entity  6 ConnectionStatusEvent   status     ConnectionStatusEvent   ESTABLISHED -> DISCONNECTED
}

// Write streams a log as JSON Lines. A log of one event can only be a
// connection that failed at once: anything else would need a second event
// to close it.
func ExampleWrite() {
	synth.Write(os.Stdout, synth.NewSource(1), synth.Options{Events: 1})
	// Output:
	// {"event":"ConnectionStatusEvent","nodeId":"d2hxbqNPE04vGeZ51NPhDuId6k3hUrBB@95.191.130.39","appKey":"defaultApp","sessionId":"/10.0.0.0:40000/192.168.1.102:8443","useWsTunnel":false,"useWsTunnelPacketization2":false,"useBase64BinaryEncoding":false,"mediaProviders":["WebRTC","MSE"],"clientVersion":"2.0.212","clientOSVersion":"5.0 (X11; Linux x86_64)","clientBrowserVersion":"Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0","custom":{"login":"user0"},"status":"FAILED","info":"Failed by ping timeout"}
}
