package eventlog_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/wcsfsm/wcsfsm/eventlog"
	"github.com/wcsfsm/wcsfsm/tracker"
)

// hookGuard is a backend's REST-hook handler that uses a Tracker as a
// guard: an event that breaks a machine or a rule is refused with 409 and
// the reason, before the backend changes its own state. One Tracker serves
// every request (it is safe for concurrent use); a Judge is not, so each
// request takes one from a pool.
type hookGuard struct {
	tracker tracker.Tracker // the zero value: default options
	judges  sync.Pool
}

func (g *hookGuard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	j, _ := g.judges.Get().(*eventlog.Judge)
	if j == nil {
		j = &eventlog.Judge{Tracker: &g.tracker}
	}
	defer g.judges.Put(j)
	// WCS names the family in the hook's URL, not in the body.
	for _, f := range j.Judge(eventlog.Hook{File: r.URL.Path, Name: r.URL.Path, Body: body}) {
		switch {
		case f.Kind == tracker.KindMalformed:
			http.Error(w, f.Message, http.StatusBadRequest)
			return
		case f.Severity == tracker.SeverityError:
			http.Error(w, f.Kind.String()+": "+f.Message, http.StatusConflict)
			return
		}
	}
	// Legal: the backend updates its own state here.
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

// A net/http handler for WCS REST hooks that refuses what cannot happen.
func ExampleJudge_guard() {
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
