package main

import (
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// serve's bounds (docs/reliability.md): -max-body and -max-inflight.

// xReader yields n bytes of x without holding them.
type xReader struct{ n int }

func (r *xReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := min(r.n, len(p))
	for i := range p[:k] {
		p[i] = 'x'
	}
	r.n -= k
	return k, nil
}

// TestServeBodyLimit: a body of -max-body bytes is taken; one byte more is
// answered 413 with a line-too-long finding; an 8 MiB body is refused
// without being held (the bytes allocated stay far below its size). The
// hooks after each are judged as ever.
func TestServeBodyLimit(t *testing.T) {
	const maxBody = 64 << 10
	s := startServe(t, serveConfig{MaxBody: maxBody})
	event := hookBody("sessionId", "s1", "status", "ESTABLISHED")
	pad := func(n int) string { return event[:len(event)-1] + strings.Repeat(" ", n-len(event)) + "}" }
	illegal := hookBody("sessionId", "s1", "status", "ESTABLISHED") // ESTABLISHED twice: illegal

	if code, err := post(s.url, connPath, pad(maxBody)); code != 200 || err != nil {
		t.Fatalf("a body of -max-body bytes: %d, %v; want 200", code, err)
	}
	if code, err := post(s.url, connPath, illegal); code != 200 || err != nil {
		t.Fatalf("the hook after: %d, %v", code, err)
	}
	if code, err := post(s.url, connPath, pad(maxBody+1)); code != http.StatusRequestEntityTooLarge || err != nil {
		t.Fatalf("a body of -max-body + 1 bytes: %d, %v; want 413", code, err)
	}
	var code int
	alloc := allocatedBy(func() {
		resp, err := client.Post(s.url+connPath, "application/json", &xReader{8 << 20})
		if err != nil {
			t.Fatalf("an 8 MiB body: %v", err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		code = resp.StatusCode
	})
	if code != http.StatusRequestEntityTooLarge {
		t.Errorf("an 8 MiB body: %d, want 413", code)
	}
	if alloc > 2<<20 {
		t.Errorf("an 8 MiB body refused: %d bytes allocated (client and server), want at most 2 MiB", alloc)
	}
	t.Logf("an 8 MiB body refused: %d bytes allocated (client and server)", alloc)
	if code, err := post(s.url, connPath, illegal); code != 200 || err != nil {
		t.Fatalf("the hook after: %d, %v", code, err)
	}
	s.wait(t)
	var got []limitFinding
	for _, f := range s.findings(t) {
		got = append(got, limitFinding{f.Line, f.Kind.String()})
	}
	want := []limitFinding{{2, "illegal-transition"}, {3, "line-too-long"}, {4, "line-too-long"}, {5, "illegal-transition"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

type limitFinding struct {
	Line int
	Kind string
}

// allocatedBy returns the bytes allocated on the heap while fn runs.
func allocatedBy(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestServeSlowBodiesHoldNoSlot: with -max-inflight 40, 300 requests whose
// bodies are slow to come hold no slot: a hook sent meanwhile is answered
// at once (it used to wait for a slot behind them); once the bodies come,
// all 300 are answered 200 and judged.
func TestServeSlowBodiesHoldNoSlot(t *testing.T) {
	const inflight, requests = 40, 300
	s := startServe(t, serveConfig{MaxInflight: inflight})
	var wg sync.WaitGroup
	release := make(chan struct{})
	codes := make([]int, requests)
	for i := range requests {
		pr, pw := io.Pipe()
		// The first bytes, so that the request is sent; the rest, a
		// stream STOPPED from NEW (illegal), once released.
		go func() {
			io.WriteString(pw, `{"mediaSessionId":"m`)
			<-release
			io.WriteString(pw, strconv.Itoa(i)+`","status":"STOPPED"}`)
			pw.Close()
		}()
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := client.Post(s.url+streamPath, "application/json", pr)
			if err != nil {
				t.Errorf("request %d: %v", i, err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			codes[i] = resp.StatusCode
		}()
	}
	// Wait until the slow requests are all being read.
	deadline := time.Now().Add(10 * time.Second)
	for metrics(t, s.url)["wcsfsm_requests_in_flight"] < requests {
		if time.Now().After(deadline) {
			t.Fatal("the slow requests never arrived")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// A hook now is answered without waiting for them.
	start := time.Now()
	resp, err := client.Post(s.url+streamPath, "application/json", strings.NewReader(`{"mediaSessionId":"fast","status":"STOPPED"}`))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if took := time.Since(start); resp.StatusCode != 200 || took > 2*time.Second {
		t.Errorf("a hook among %d slow bodies: %d after %v, want 200 at once", requests, resp.StatusCode, took)
	}
	close(release)
	wg.Wait()
	for i, c := range codes {
		if c != 200 {
			t.Errorf("request %d answered %d, want 200", i, c)
		}
	}
	s.wait(t)
	if n := len(s.findings(t)); n != requests+1 {
		t.Errorf("%d findings, want one per request (%d)", n, requests+1)
	}
}
