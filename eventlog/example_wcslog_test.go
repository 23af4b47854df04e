package eventlog_test

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/wcsfsm/wcsfsm/eventlog"
	"github.com/wcsfsm/wcsfsm/tracker"
	"github.com/wcsfsm/wcsfsm/wcslog"
)

const serverLog = `13:39:38,101 INFO              WSServer - WSServer-accept-1 New connection from /192.168.1.101:56452
13:39:38,154 INFO            RestClient - API-ASYNC-pool-13-thread-1 SEND REST OBJECT ==>
URL:http://localhost:8081/apps/EchoApp/ConnectionStatusEvent
OBJECT:
{
  "sessionId" : "/192.168.1.101:56452/192.168.1.102:8443",
  "status" : "ESTABLISHED"
}
13:39:38,160 INFO            RestClient - API-ASYNC-pool-13-thread-1 RECEIVED REST OBJECT <==
URL:http://localhost:8081/apps/EchoApp/ConnectionStatusEvent
OBJECT:
{ }
13:39:39,880 INFO            RestClient - API-ASYNC-pool-13-thread-2 SEND REST OBJECT ==>
URL:http://localhost:8081/apps/EchoApp/publishStream
OBJECT:
{
  "sessionId" : "/192.168.1.101:56452/192.168.1.102:8443",
  "mediaSessionId" : "m1",
  "name" : "stream1",
  "status" : "PENDING"
}
13:39:39,893 INFO            RestClient - API-ASYNC-pool-13-thread-3 SEND REST OBJECT ==>
URL:http://localhost:8081/apps/EchoApp/StreamStatusEvent
OBJECT:
{
  "sessionId" : "/192.168.1.101:56452/192.168.1.102:8443",
  "mediaSessionId" : "m1",
  "published" : true,
  "status" : "UNPUBLISHED",
  "audioState" : {
    "muted" : false
  }
}
13:39:40,002 INFO            RestClient - API-ASYNC-pool-13-thread-4 SEND REST OBJECT ==>
URL:http://localhost:8081/apps/EchoApp/StreamStatusEvent
OBJECT:
{
  "sessionId" : "/192.168.1.101:56452/192.168.1.102:8443",
  "mediaSessionId" : "m1",
  "status" : "UNPUBLISHED"
}
`

// A server log is told from JSON Lines by its first lines, and read as
// one: every hook WCS sent (here a publishStream, which starts the stream)
// is judged, and findings point at the SEND REST OBJECT line of the entry.
func ExampleValidator_ReadWCSLog() {
	fmt.Println(eventlog.Sniff([]byte(serverLog)))
	v := &eventlog.Validator{Report: func(f tracker.Finding) { fmt.Println(f) }}
	if err := v.ReadWCSLog("flashphoner.log", strings.NewReader(serverLog)); err != nil {
		fmt.Println(err)
	}
	v.End()
	// Output:
	// wcslog
	// flashphoner.log:34: error illegal-transition: StreamStatusEvent m1 in UNPUBLISHED got UNPUBLISHED; UNPUBLISHED is terminal: nothing may follow
	// flashphoner.log:0: warning dangling: ConnectionStatusEvent /192.168.1.101:56452/192.168.1.102:8443 is left in ESTABLISHED, which is not final (last event at line 2); it may still get: DISCONNECTED, FAILED
}

// WCSLogReader splits a server log into the hooks sent; AppendJSONL makes
// each one a line of JSON Lines, as wcsfsm convert does.
func ExampleHook_AppendJSONL() {
	var line []byte
	r := &wcslog.Reader{Hook: func(h *wcslog.Hook) {
		var err error
		if line, err = h.AppendJSONL(line[:0], nil); err == nil {
			os.Stdout.Write(append(line, '\n'))
		}
	}}
	if err := r.Read(strings.NewReader(serverLog)); err != nil {
		fmt.Println(err)
	}
	// Output:
	// {"event":"ConnectionStatusEvent","sessionId":"/192.168.1.101:56452/192.168.1.102:8443","status":"ESTABLISHED"}
	// {"event":"publishStream","sessionId":"/192.168.1.101:56452/192.168.1.102:8443","mediaSessionId":"m1","name":"stream1","status":"PENDING"}
	// {"event":"StreamStatusEvent","sessionId":"/192.168.1.101:56452/192.168.1.102:8443","mediaSessionId":"m1","published":true,"status":"UNPUBLISHED","audioState":{"muted":false}}
	// {"event":"StreamStatusEvent","sessionId":"/192.168.1.101:56452/192.168.1.102:8443","mediaSessionId":"m1","status":"UNPUBLISHED"}
}

// A log read from a pipe as it is written: SniffReader tells its format
// from the first line that tells, then the validator reads it all, the
// peeked bytes included.
func ExampleSniffReader() {
	for _, log := range []string{serverLog, `{"event":"ConnectionStatusEvent","sessionId":"s1","status":"ESTABLISHED"}` + "\n"} {
		br := bufio.NewReader(strings.NewReader(log))
		format := eventlog.SniffReader(br)
		v := &eventlog.Validator{Tracker: tracker.New(tracker.Options{}), Report: func(tracker.Finding) {}}
		read := v.ReadJSONL
		if format == eventlog.FormatWCSLog {
			read = v.ReadWCSLog
		}
		if err := read("log", br); err != nil {
			fmt.Println(err)
		}
		fmt.Println(format, "events:", v.Stats().Events)
	}
	// Output:
	// wcslog events: 4
	// jsonl events: 1
}
