package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestProgressLine: the progress line of validate, for given counts, input
// size and time (no clock, no terminal): the percent and the time left only
// when the size of the input is known.
func TestProgressLine(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		why                       string
		lines, bytes, done, total int64
		elapsed                   time.Duration
		want                      string
	}{
		{"a pipe: no size, no percent", 1000, 3 * mib / 2, 3 * mib / 2, 0, time.Second,
			"wcsfsm: 1000 lines, 1.5 MiB read…"},
		{"a pipe, nothing read yet", 0, 0, 0, 0, time.Second,
			"wcsfsm: 0 lines, 0.0 MiB read…"},
		{"a file, nothing read yet: no time left to tell", 0, 0, 0, 100 * mib, time.Second,
			"wcsfsm: 0 lines, 0.0 MiB read, 0%…"},
		{"a quarter in 10 s: 30 s left", 250000, 25 * mib, 25 * mib, 100 * mib, 10 * time.Second,
			"wcsfsm: 250000 lines, 25.0 MiB read, 25%, 30s left…"},
		{"the percent is rounded down", 1, 999, 999, 1000, time.Second,
			"wcsfsm: 1 lines, 0.0 MiB read, 99%, 0s left…"},
		{"a tenth in 7 s: 1m03s left", 10, mib, 10, 100, 7 * time.Second,
			"wcsfsm: 10 lines, 1.0 MiB read, 10%, 1m03s left…"},
		{"a compressed file: MiB of its content, percent of the file", 5e6, 900 * mib, 10 * mib, 40 * mib, 20 * time.Second,
			"wcsfsm: 5000000 lines, 900.0 MiB read, 25%, 1m00s left…"},
		{"an hour or more: to the minute", 1, 1, 1, 200, 20 * time.Second,
			"wcsfsm: 1 lines, 0.0 MiB read, 0%, 1h06m left…"},
		{"at most 99h59m", 1, 1, 1, 1 << 40, time.Second,
			"wcsfsm: 1 lines, 0.0 MiB read, 0%, 99h59m left…"},
		{"all read", 7, 700, 700, 700, 3 * time.Second,
			"wcsfsm: 7 lines, 0.0 MiB read, 100%…"},
		{"a file that grew while read: 100% at most", 7, 900, 900, 700, 3 * time.Second,
			"wcsfsm: 7 lines, 0.0 MiB read, 100%…"},
		{"no time yet", 7, 100, 100, 700, 0,
			"wcsfsm: 7 lines, 0.0 MiB read, 14%…"},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			got := progressLine(tt.lines, tt.bytes, tt.done, tt.total, tt.elapsed)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("progressLine(%d, %d, %d, %d, %v) (-want +got):\n%s", tt.lines, tt.bytes, tt.done, tt.total, tt.elapsed, diff)
			}
		})
	}
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                                     "0s",
		499 * time.Millisecond:                "0s",
		500 * time.Millisecond:                "1s",
		59 * time.Second:                      "59s",
		59*time.Second + 600*time.Millisecond: "1m00s",
		65 * time.Second:                      "1m05s",
		time.Hour - time.Second:               "59m59s",
		time.Hour:                             "1h00m",
		time.Hour + 29*time.Second:            "1h00m",
		time.Hour + 30*time.Second:            "1h01m",
		100 * time.Hour:                       "99h59m",
	} {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestInputSize: the size that validate's percent is of is known for
// regular files (the sum of their sizes; standard input redirected from
// one, from where it stands), not for a pipe or a reader; and the bytes
// read of it are the bytes on disk, a compressed file's compressed ones.
func TestInputSize(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "a.jsonl")
	content := strings.Repeat(`{"event":"ConnectionStatusEvent","sessionId":"s","status":"ESTABLISHED"}`+"\n", 100)
	if err := os.WriteFile(plain, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	compressed := filepath.Join(dir, "b.jsonl.gz")
	zipped := gz(t, []byte(content))
	if err := os.WriteFile(compressed, zipped, 0o644); err != nil {
		t.Fatal(err)
	}
	gzSize := int64(len(zipped))
	redirected, err := os.Open(plain)
	if err != nil {
		t.Fatal(err)
	}
	defer redirected.Close()
	if _, err := redirected.Seek(100, io.SeekStart); err != nil { // a shell that read some of it first
		t.Fatal(err)
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	pw.Close()
	tests := []struct {
		why   string
		names []string
		stdin io.Reader
		size  int64
		known bool
	}{
		{"a file", []string{plain}, nil, int64(len(content)), true},
		{"a file and a compressed one", []string{plain, compressed}, nil, int64(len(content)) + gzSize, true},
		{"standard input redirected from a file, past its start", nil, redirected, int64(len(content)) - 100, true},
		{"standard input from a pipe", nil, pr, 0, false},
		{"a file, then a reader", []string{plain, "-"}, strings.NewReader("{}\n"), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			files := openTestInputs(t, tt.names, tt.stdin)
			size, known := inputSize(files)
			if size != tt.size || known != tt.known {
				t.Fatalf("inputSize = %d, %v; want %d, %v", size, known, tt.size, tt.known)
			}
			if n := inputRead(files); n != 0 {
				t.Errorf("inputRead before reading = %d, want 0", n)
			}
			for _, f := range files {
				if _, err := io.Copy(io.Discard, f); err != nil {
					t.Fatal(err)
				}
			}
			if known {
				if n := inputRead(files); n != size {
					t.Errorf("inputRead after reading all = %d, want the size, %d", n, size)
				}
			}
		})
	}
}
