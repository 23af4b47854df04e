package synth_test

import (
	"fmt"
	"os"

	"github.com/wcsfsm/wcsfsm/synth"
)

// A log of 14 events, two sessions open at a time: what each line is.
func ExampleGenerate() {
	l := synth.Generate(synth.NewSource(1), synth.Options{Events: 14, Sessions: 2})
	for _, ev := range l.Events {
		fmt.Printf("line %2d: session %d entity %2d %-23s %s -> %s\n", ev.Seq+1, ev.SessionNo, ev.Entity,
			ev.Family, ev.Family.Machine().String(ev.From), ev.StatusName())
	}
	// Output:
	// line  1: session 0 entity  0 ConnectionStatusEvent   NEW -> ESTABLISHED
	// line  2: session 0 entity  3 StreamStatusEvent       NEW -> SNAPSHOT_COMPLETE
	// line  3: session 0 entity  5 DataStatusEvent         NEW -> FAILED
	// line  4: session 1 entity  6 ConnectionStatusEvent   NEW -> ESTABLISHED
	// line  5: session 1 entity  9 CallStatusEvent         NEW -> RING
	// line  6: session 0 entity  2 SessionDebugStatusEvent NEW -> STARTED
	// line  7: session 0 entity  1 RegistrationStatusEvent NEW -> REGISTERED
	// line  8: session 0 entity  3 StreamStatusEvent       NEW -> SNAPSHOT_COMPLETE
	// line  9: session 0 entity 11 CallStatusEvent         NEW -> TRYING
	// line 10: session 1 entity  9 CallStatusEvent         RING -> FINISH
	// line 11: session 1 entity  6 ConnectionStatusEvent   ESTABLISHED -> FAILED
	// line 12: session 0 entity  0 ConnectionStatusEvent   ESTABLISHED -> FAILED
	// line 13: session 0 entity  2 SessionDebugStatusEvent STARTED -> STOPPED
	// line 14: session 0 entity 11 CallStatusEvent         TRYING -> FINISH
}

// Write streams a log as JSON Lines. A log of one event can only be a
// connection that failed at once: anything else would need a second event
// to close it.
func ExampleWrite() {
	synth.Write(os.Stdout, synth.NewSource(1), synth.Options{Events: 1})
	// Output:
	// {"event":"ConnectionStatusEvent","nodeId":"d2hxbqNPE04vGeZ51NPhDuId6k3hUrBB@95.191.130.39","appKey":"defaultApp","sessionId":"/10.0.0.0:40000/192.168.1.102:8443","useWsTunnel":false,"useWsTunnelPacketization2":false,"useBase64BinaryEncoding":false,"mediaProviders":["WebRTC","MSE"],"clientVersion":"2.0.212","clientOSVersion":"5.0 (X11; Linux x86_64)","clientBrowserVersion":"Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0","custom":{"login":"user0"},"status":"FAILED","info":"Failed by ping timeout"}
}
