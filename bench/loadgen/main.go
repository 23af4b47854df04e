// Command loadgen posts the hook bodies of a synthetic valid log (synth,
// as `wcsfsm gen` writes it) to a running `wcsfsm serve`, as WCS would:
// each body to the path of its family (/StreamStatusEvent, …). The events
// of one session go in order, by one connection; sessions go in parallel
// over -conns connections. It stops after -events events or -duration,
// whichever comes first, then reads the server's /metrics and checks that
// nothing was lost: every body answered 200 and echoed back, the server
// counting as many events as were posted (serve -nats: as many stored), and no error finding (the log is
// valid and each session's order is kept). It prints the events per second.
//
//	wcsfsm serve -addr 127.0.0.1:8081 -findings /dev/null &
//	go run ./bench/loadgen -addr 127.0.0.1:8081 -events 100000
//
// Meant for loopback: it refuses an address that is not 127.0.0.1/::1 or
// localhost unless -any is given.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wcsfsm/wcsfsm/synth"
)

type hook struct {
	path string
	body []byte
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "the `address` wcsfsm serve listens on")
	events := flag.Int("events", 100000, "post at most this many `events`")
	sessions := flag.Int("sessions", 500, "sessions open at once in the generated log")
	conns := flag.Int("conns", 16, "parallel `connections` (each carries whole sessions, in order)")
	duration := flag.Duration("duration", time.Minute, "stop posting after this long")
	seed := flag.Uint64("seed", 1, "random seed of the log")
	any := flag.Bool("any", false, "allow an address that is not loopback")
	flag.Parse()
	if err := run(*addr, *events, *sessions, *conns, *duration, *seed, *any); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run(addr string, events, sessions, conns int, duration time.Duration, seed uint64, any bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); !any && host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%s is not a loopback address (use -any to post elsewhere)", addr)
	}
	if conns < 1 || events < 1 {
		return errors.New("-conns and -events must be positive")
	}
	base := "http://" + addr

	// The hooks, each session's on one queue, in log order.
	queues := make([][]hook, conns)
	g := synth.New(synth.NewSource(seed), synth.Options{Events: events, Sessions: sessions})
	var buf []byte
	total := 0
	for {
		ev, ok := g.Next()
		if !ok {
			break
		}
		buf = synth.AppendJSON(buf[:0], &ev)
		q := ev.SessionNo % conns
		queues[q] = append(queues[q], hook{"/" + ev.Method.Name, bytes.Clone(buf)})
		total++
	}
	before, err := metrics(base)
	if err != nil {
		return fmt.Errorf("the server does not answer /metrics: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}}
	var posted, failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for _, q := range queues {
		wg.Go(func() {
			for _, h := range q {
				if ctx.Err() != nil {
					return
				}
				if err := post(ctx, client, base+h.path, h.body); err != nil {
					if ctx.Err() != nil {
						return // the time is up: this one may or may not have been taken
					}
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				posted.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	after, err := metrics(base)
	if err != nil {
		return err
	}
	taken := after["wcsfsm_hooks_total"] - before["wcsfsm_hooks_total"]
	if _, ok := after["wcsfsm_published_total"]; ok {
		// serve -nats judges nothing: it counts the hooks it stored.
		taken = after["wcsfsm_published_total"] - before["wcsfsm_published_total"]
	}
	errs := after["wcsfsm_findings_total{error}"] - before["wcsfsm_findings_total{error}"]
	fmt.Printf("loadgen: %d of %d events posted over %d connections in %.2f s: %.0f events/s; server took %d, %d error findings, %d failed posts\n",
		posted.Load(), total, conns, elapsed.Seconds(), float64(posted.Load())/elapsed.Seconds(), taken, errs, failed.Load())
	if n := after["wcsfsm_hook_duration_seconds_count"] - before["wcsfsm_hook_duration_seconds_count"]; n > 0 {
		us := after["wcsfsm_hook_duration_seconds_sum{µs}"] - before["wcsfsm_hook_duration_seconds_sum{µs}"]
		fmt.Printf("loadgen: the server's mean handling time of a hook, body read to answer ready: %.1f µs\n", float64(us)/float64(n))
	}
	switch {
	case failed.Load() > 0:
		return fmt.Errorf("%d posts failed, the first: %v", failed.Load(), firstErr.Load())
	case taken != posted.Load():
		return fmt.Errorf("lost events: %d posted and answered, the server counts %d", posted.Load(), taken)
	case errs != 0 && posted.Load() == int64(total):
		return fmt.Errorf("%d error findings on a valid log", errs)
	}
	return nil
}

// post sends one hook and checks that the answer is 200 with the body.
func post(ctx context.Context, c *http.Client, url string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	if !bytes.Equal(got, body) {
		return fmt.Errorf("%s: the answer is not the body echoed", url)
	}
	return nil
}

// metrics reads the server's counters: wcsfsm_hooks_total summed over
// its labels (wcsfsm_published_total{result="stored"} of serve -nats), wcsfsm_findings_total of severity error as
// "wcsfsm_findings_total{error}", and the count and sum (in µs, as
// "wcsfsm_hook_duration_seconds_sum{µs}") of the hooks' handling time.
func metrics(base string) (map[string]int64, error) {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, errors.New(resp.Status)
	}
	out := map[string]int64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		// client_golang writes a large count as a float (1.5e+06).
		f, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		v, name := int64(f), line[:i]
		switch {
		case strings.HasPrefix(name, "wcsfsm_hooks_total"):
			out["wcsfsm_hooks_total"] += v
		case strings.HasPrefix(name, "wcsfsm_published_total") && strings.Contains(name, `result="stored"`):
			out["wcsfsm_published_total"] += v
		case strings.HasPrefix(name, "wcsfsm_findings_total") && strings.Contains(name, `severity="error"`):
			out["wcsfsm_findings_total{error}"] += v
		case name == "wcsfsm_hook_duration_seconds_count":
			out[name] = v
		case name == "wcsfsm_hook_duration_seconds_sum":
			out[name+"{µs}"] = int64(f * 1e6)
		}
	}
	return out, sc.Err()
}
