package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// lineWriter passes each write on to a channel.
type lineWriter struct{ c chan string }

func (w lineWriter) Write(p []byte) (int, error) {
	w.c <- string(p)
	return len(p), nil
}

// TestValidateLive: `tail -f log | wcsfsm validate` shows each finding as
// soon as the line that makes it has come, with any -j: the command does
// not wait for more input, nor for its output buffer to fill.
func TestValidateLive(t *testing.T) {
	for _, jobs := range []string{"1", "2"} {
		t.Run("-j "+jobs, func(t *testing.T) {
			pr, pw := io.Pipe()
			t.Cleanup(func() { pw.Close() })
			out := lineWriter{make(chan string, 10)}
			var stderr bytes.Buffer
			var wg sync.WaitGroup
			code := 0
			wg.Go(func() { code = run([]string{"validate", "-j", jobs, "-partial"}, pr, out, &stderr) })
			for i := range 3 {
				fmt.Fprintf(pw, "{\"event\":\"DataStatusEvent\",\"operationId\":\"op%d\",\"status\":\"ACCEPTED\"}\n", i)
				fmt.Fprintf(pw, "{\"event\":\"DataStatusEvent\",\"operationId\":\"op%d\",\"status\":\"FAILED\"}\n", i)
				want := fmt.Sprintf("-:%d: error illegal-transition", 2*i+2)
				select {
				case got := <-out.c:
					if !strings.HasPrefix(got, want) {
						t.Fatalf("got %q, want a line starting %q", got, want)
					}
				case <-time.After(10 * time.Second):
					t.Fatalf("no finding for line %d while the input waits", 2*i+2)
				}
			}
			pw.Close()
			wg.Wait()
			if code != 1 {
				t.Errorf("exit %d, want 1; stderr:\n%s", code, stderr.String())
			}
		})
	}
}
