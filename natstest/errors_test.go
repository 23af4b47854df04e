package natstest

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// What an operator trips over, against the real server.

// client connects the test to the server.
func client(t *testing.T, n *natsd) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(n.url())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// publishLog fills the stream with a small gen log.
func publishLog(t *testing.T, n *natsd) string {
	t.Helper()
	path, _ := theLog(t, 2000, 20, 9)
	if out, err := exec.Command(bin.wcsfsm, "publish", "-nats", n.url(), path).CombinedOutput(); err != nil {
		t.Fatalf("publish: %v: %s", err, out)
	}
	return path
}

// TestCheckpointUnreadable: a partition whose checkpoint cannot be read is
// judged by nobody, and says so (/healthz 503, the metric the alert
// reads), without writing over it; once the entry is gone, it starts.
func TestCheckpointUnreadable(t *testing.T) {
	n := startNATS(t)
	publishLog(t, n)
	js := client(t, n)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "v-checkpoints", History: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(ctx, "partition.0", []byte("not a checkpoint")); err != nil {
		t.Fatal(err)
	}
	c := startConsume(t, n, "c1", "-partitions", "0,1")
	failed := regexp.MustCompile(`(?m)^wcsfsm_consume_partitions_failed 1$`)
	deadline := time.Now().Add(30 * time.Second)
	for !failed.MatchString(c.scrape()) {
		if time.Now().After(deadline) {
			t.Fatalf("partitions_failed is not 1 after 30s:\n%s", c.scrape())
		}
		time.Sleep(50 * time.Millisecond)
	}
	code, body := get(t, "http://"+c.metrics+"/healthz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "partition 0 cannot start") {
		t.Errorf("/healthz: %d %q; want 503 naming partition 0", code, body)
	}
	if e, err := kv.Get(ctx, "partition.0"); err != nil || string(e.Value()) != "not a checkpoint" {
		t.Errorf("the checkpoint that could not be read was written over: %v", err)
	}
	if err := kv.Delete(ctx, "partition.0"); err != nil {
		t.Fatal(err)
	}
	ok := regexp.MustCompile(`(?m)^wcsfsm_consume_partitions_owned 2$`)
	for !ok.MatchString(c.scrape()) {
		if time.Now().After(deadline.Add(30 * time.Second)) {
			t.Fatalf("partition 0 did not start once its checkpoint was gone:\n%s", c.scrape())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code, body := get(t, "http://"+c.metrics+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz once both run: %d %q", code, body)
	}
}

// TestPublishRefused: hooks the stream refuses (over its message size)
// are an error of publish, exit 2, not "published".
func TestPublishRefused(t *testing.T) {
	n := startNATS(t)
	js := client(t, n)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "WCS_HOOKS", Subjects: []string{"wcs.hooks.*"}, MaxMsgSize: 100,
		Metadata: map[string]string{"wcsfsm.partitions": "16", "wcsfsm.prefix": "wcs.hooks"}}); err != nil {
		t.Fatal(err)
	}
	path, _ := theLog(t, 50, 5, 4)
	out, err := exec.Command(bin.wcsfsm, "publish", "-nats", n.url(), path).CombinedOutput()
	var exit *exec.ExitError
	if !asExit(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(string(out), "refused") {
		t.Errorf("publish to a stream that refuses the hooks: %v, %s; want exit 2 saying so", err, out)
	}
}

// TestFindingsToAStream: findings on a subject that a stream stores are
// each acknowledged by it: the stream holds the findings a file would.
func TestFindingsToAStream(t *testing.T) {
	n := startNATS(t)
	path := publishLog(t, n)
	want := expected(t, path)
	js := client(t, n)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	fs, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "FINDINGS", Subjects: []string{"wcsfsm.findings"}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out, err := exec.Command(bin.wcsfsm, "consume", "-nats", n.url(), "-name", "v", "-drain", "-findings-subject", "wcsfsm.findings").CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !(asExit(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("consume -drain -findings-subject: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "stored by stream FINDINGS") {
		t.Errorf("consume did not say the findings go to stream FINDINGS:\n%s", out)
	}
	info, err := fs.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for seq := uint64(1); seq <= info.State.LastSeq; seq++ {
		m, err := fs.GetMsg(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(m.Data))
	}
	os.WriteFile(filepath.Join(dir, "got.jsonl"), []byte(strings.Join(got, "\n")+"\n"), 0o644)
	compare(t, want, filepath.Join(dir, "got.jsonl"))
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
