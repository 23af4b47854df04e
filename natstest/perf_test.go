package natstest

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The benchmarks of docs/performance.md, "Through JetStream" (bench/nats.sh
// runs them -count times and takes medians):
//
//	go test -run '^$' -bench . -benchtime 1x -count 5
//
// BenchmarkJudge fills a stream once (wcsfsm publish, a gen log of
// NATSTEST_EVENTS hooks, 200,000 by default) and, in turn, in each round:
// validate -j 1 on the log file (the baseline), one consume -drain over
// every partition, and two at once over half the partitions each, each
// from no checkpoint. BenchmarkEndToEnd posts a gen log through serve
// -nats (bench/loadgen, 16 connections) while two consumers judge it live,
// and reports the publish rate and the delay from stored to judged.

func benchEvents() int {
	if n, err := strconv.Atoi(os.Getenv("NATSTEST_EVENTS")); err == nil && n > 0 {
		return n
	}
	return 200000
}

// filled is the stream of BenchmarkJudge, made once for all its rounds.
var filled struct {
	once sync.Once
	n    *natsd
	log  string
	err  error
	dir  string
}

func fill(b *testing.B) (*natsd, string) {
	filled.once.Do(func() {
		filled.dir, filled.err = os.MkdirTemp("", "natstest-bench")
		if filled.err != nil {
			return
		}
		// The server outlives this round: it is stopped at the end of the
		// run (TestMain's cleanup, with the process).
		n := &natsd{t: &lasting{b}, dir: filepath.Join(filled.dir, "js"), port: freePort(b)}
		n.restart()
		filled.n = n
		filled.log = filepath.Join(filled.dir, "log.jsonl")
		out, err := exec.Command(bin.wcsfsm, "gen", "-seed", "1", "-events", strconv.Itoa(benchEvents()), "-sessions", "500").Output()
		if err == nil {
			err = os.WriteFile(filled.log, out, 0o644)
		}
		if err == nil {
			var said []byte
			said, err = exec.Command(bin.wcsfsm, "publish", "-nats", n.url(), filled.log).CombinedOutput()
			if err != nil {
				err = fmt.Errorf("publish: %v: %s", err, said)
			}
		}
		filled.err = err
	})
	if filled.err != nil {
		b.Fatal(filled.err)
	}
	return filled.n, filled.log
}

// lasting is a testing.TB whose cleanups never run: for what the rounds
// share.
type lasting struct{ testing.TB }

func (lasting) Cleanup(func()) {}

var rounds int // a new checkpoint group for every consume run

func BenchmarkJudge(b *testing.B) {
	n, log := fill(b)
	events := float64(benchEvents())
	b.Run("validate-j1", func(b *testing.B) {
		for range b.N {
			out, err := exec.Command(bin.wcsfsm, "validate", "-j", "1", log).CombinedOutput()
			if err != nil {
				b.Fatalf("validate: %v: %s", err, out)
			}
		}
		b.ReportMetric(events*float64(b.N)/b.Elapsed().Seconds(), "hooks/s")
	})
	for _, consumers := range []int{1, 2} {
		b.Run(fmt.Sprintf("consume-%d", consumers), func(b *testing.B) {
			var ckBytes, ckMillis, cks float64
			for range b.N {
				rounds++
				group := "bench" + strconv.Itoa(rounds)
				var lists []string
				if consumers == 1 {
					lists = []string{"0-15"}
				} else {
					lists = []string{"0-7", "8-15"}
				}
				outs := make([]string, len(lists))
				var wg sync.WaitGroup
				var failed error
				var mu sync.Mutex
				for i, l := range lists {
					wg.Go(func() {
						out, err := exec.Command(bin.wcsfsm, "consume", "-nats", n.url(), "-name", group, "-partitions", l,
							"-drain", "-findings", os.DevNull).CombinedOutput()
						mu.Lock()
						defer mu.Unlock()
						outs[i] = string(out)
						if err != nil && failed == nil {
							failed = fmt.Errorf("consume: %v: %s", err, tail(string(out), 5))
						}
					})
				}
				wg.Wait()
				if failed != nil {
					b.Fatal(failed)
				}
				for _, out := range outs {
					m := checkpointSaid.FindStringSubmatch(out)
					if m == nil {
						b.Fatalf("consume did not say its checkpoints: %s", tail(out, 3))
					}
					k, _ := strconv.ParseFloat(m[1], 64)
					by, _ := strconv.ParseFloat(m[2], 64)
					ms, _ := strconv.ParseFloat(m[3], 64)
					cks += k
					ckBytes += k * by
					ckMillis += k * ms
				}
			}
			b.ReportMetric(events*float64(b.N)/b.Elapsed().Seconds(), "hooks/s")
			if cks > 0 {
				b.ReportMetric(ckBytes/cks, "checkpoint-B")
				b.ReportMetric(ckMillis/cks, "checkpoint-ms")
			}
		})
	}
}

var checkpointSaid = regexp.MustCompile(`(\d+) checkpoints? of (\d+) bytes and ([\d.]+) ms on average`)

var delayBucket = regexp.MustCompile(`(?m)^wcsfsm_consume_delay_seconds_bucket\{le="([^"]+)"\} (\S+)$`)

func BenchmarkEndToEnd(b *testing.B) {
	events := min(benchEvents(), 100000)
	loadgen := filepath.Join(filepath.Dir(bin.wcsfsm), "loadgen")
	if _, err := os.Stat(loadgen); err != nil {
		build := exec.Command("go", "build", "-o", loadgen, "./bench/loadgen")
		build.Dir = ".."
		if out, err := build.CombinedOutput(); err != nil {
			b.Fatalf("build loadgen: %v: %s", err, out)
		}
	}
	for range b.N {
		b.StopTimer()
		n := startNATS(b)
		s, addr := startServe(b, n)
		c1 := startConsume(b, n, "c1", "-checkpoint-every", "10000", "-checkpoint-interval", "10s")
		c2 := startConsume(b, n, "c2", "-checkpoint-every", "10000", "-checkpoint-interval", "10s")
		waitOwned(b, 8, c1, c2)
		b.StartTimer()
		out, err := exec.Command(loadgen, "-addr", addr, "-events", strconv.Itoa(events), "-sessions", "500", "-conns", "16").CombinedOutput()
		if err != nil {
			b.Fatalf("loadgen: %v: %s", err, out)
		}
		waitCaughtUp(b, n, c1, c2)
		b.StopTimer()
		rate := regexp.MustCompile(`in [\d.]+ s: (\d+) events/s`).FindStringSubmatch(string(out))
		if rate == nil {
			b.Fatalf("loadgen said no rate: %s", out)
		}
		r, _ := strconv.ParseFloat(rate[1], 64)
		b.ReportMetric(r, "published-hooks/s")
		buckets := map[float64]float64{}
		for _, c := range []*consumer{c1, c2} {
			for _, m := range delayBucket.FindAllStringSubmatch(c.scrape(), -1) {
				le, _ := strconv.ParseFloat(m[1], 64)
				v, _ := strconv.ParseFloat(m[2], 64)
				buckets[le] += v
			}
		}
		b.ReportMetric(quantile(buckets, 0.5)*1e3, "delay-p50-ms")
		b.ReportMetric(quantile(buckets, 0.99)*1e3, "delay-p99-ms")
		for _, p := range []*proc{s, c1.proc, c2.proc, n.p} {
			p.stop(syscall.SIGTERM, 30*time.Second)
		}
		b.StartTimer()
	}
}

// quantile is the upper bound of the bucket that holds quantile q of a
// Prometheus histogram's cumulative buckets.
func quantile(buckets map[float64]float64, q float64) float64 {
	les := make([]float64, 0, len(buckets))
	for le := range buckets {
		les = append(les, le)
	}
	sort.Float64s(les)
	if len(les) == 0 {
		return math.NaN()
	}
	total := buckets[les[len(les)-1]]
	for _, le := range les {
		if buckets[le] >= q*total {
			return le
		}
	}
	return math.Inf(1)
}
