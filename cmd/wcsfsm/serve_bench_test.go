package main

import (
	"bytes"
	"io"
	"net/http/httptest"
	"testing"

	"github.com/wcsfsm/wcsfsm/synth"
)

// BenchmarkServeHook: serve's handler in-process, without the network,
// on the hooks of a synthetic valid log posted to their paths as WCS posts
// them: the cost of a hook on the server's side (decoding, judging, the
// metrics). Run it for at most as many iterations as the log has hooks
// (-benchtime 100000x), or sessions start again and findings cost too.
func BenchmarkServeHook(b *testing.B) {
	type hook struct {
		path string
		body []byte
	}
	var hooks []hook
	g := synth.New(synth.NewSource(1), synth.Options{Events: 100_000, Sessions: 500})
	var buf []byte
	for {
		ev, ok := g.Next()
		if !ok {
			break
		}
		buf = synth.AppendJSON(buf[:0], &ev)
		hooks = append(hooks, hook{"/" + ev.Method.Name, bytes.Clone(buf)})
	}
	h := newHookServer(serveConfig{}, io.Discard)
	defer h.close()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		hk := hooks[i%len(hooks)]
		i++
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", hk.path, bytes.NewReader(hk.body)))
		if rec.Code != 200 {
			b.Fatalf("%s: %d", hk.path, rec.Code)
		}
	}
}
