//go:build unix

package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestReportIntoAPipe: -o naming what is no regular file (a named pipe
// here, /dev/null or a terminal elsewhere) is written into, never replaced
// by a file renamed over it.
func TestReportIntoAPipe(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "page")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := make(chan []byte, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- nil
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- b
	}()
	var stderr bytes.Buffer
	code := run([]string{"report", "-o", fifo, "../../testdata/sample.jsonl"}, nil, &bytes.Buffer{}, &stderr)
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the pipe was replaced: %v %v", fi.Mode(), err)
	}
	if code != 1 {
		t.Errorf("exit %d, want 1: %s", code, stderr.String())
	}
	select {
	case b := <-got:
		if !bytes.HasPrefix(b, []byte("<!DOCTYPE html>")) {
			t.Errorf("read from the pipe: %d bytes, not the page", len(b))
		}
	case <-time.After(30 * time.Second):
		t.Fatal("nothing read from the pipe in 30 s")
	}
}
