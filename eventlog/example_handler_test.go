package eventlog_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/wcsfsm/wcsfsm/eventlog"
)

// hookGuard is a backend's REST-hook handler that uses a Tracker as a
// guard: an event that breaks a machine or a rule is refused with 409 and
// the reason, before the backend changes its own state. One Tracker serves
// every request (it is safe for concurrent use); a Decoder is not, so each
// request takes one from a pool.
type hookGuard struct {
	tracker  eventlog.Tracker // the zero value: default options
	decoders sync.Pool
}

func (g *hookGuard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	dec, _ := g.decoders.Get().(*eventlog.Decoder)
	if dec == nil {
		dec = new(eventlog.Decoder)
	}
	defer g.decoders.Put(dec)
	ev := eventlog.Event{File: r.URL.Path}
	if err := dec.Decode(body, &ev); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if f, ok := eventlog.FamilyOf(r.URL.Path); ok {
		ev.Event = f.String() // WCS names the family in the hook's URL
	}
	for _, f := range g.tracker.Take(&ev) {
		if f.Severity == eventlog.Error {
			http.Error(w, f.Kind.String()+": "+f.Message, http.StatusConflict)
			return
		}
	}
	// Legal: the backend updates its own state here.
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

// A net/http handler for WCS REST hooks that refuses what cannot happen.
func ExampleTracker_guard() {
	g := &hookGuard{}
	send := func(path, body string) {
		rec := httptest.NewRecorder()
		g.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, strings.NewReader(body)))
		fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	send("/EchoApp/ConnectionStatusEvent", `{"sessionId":"s1","status":"ESTABLISHED"}`)
	send("/EchoApp/StreamStatusEvent", `{"sessionId":"s1","mediaSessionId":"m1","published":true,"status":"PUBLISHING"}`)
	send("/EchoApp/StreamStatusEvent", `{"sessionId":"s1","mediaSessionId":"m1","published":true,"status":"UNPUBLISHED"}`)
	send("/EchoApp/StreamStatusEvent", `{"sessionId":"s1","mediaSessionId":"m1","published":true,"status":"UNPUBLISHED"}`)
	send("/EchoApp/CallStatusEvent", `{"sessionId":"s2","callId":"c1","status":"RING"}`)
	// Output:
	// 200 {"sessionId":"s1","status":"ESTABLISHED"}
	// 200 {"sessionId":"s1","mediaSessionId":"m1","published":true,"status":"PUBLISHING"}
	// 200 {"sessionId":"s1","mediaSessionId":"m1","published":true,"status":"UNPUBLISHED"}
	// 409 illegal-transition: StreamStatusEvent m1 in UNPUBLISHED got UNPUBLISHED; UNPUBLISHED is terminal: nothing may follow
	// 409 no-session: CallStatusEvent c1 got RING: no ConnectionStatusEvent ESTABLISHED for session s2 before this event; for a log that carries only some families use -partial
}
