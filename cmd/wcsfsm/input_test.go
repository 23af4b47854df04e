package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRegularFiles: findings are flushed as they come (liveFlush) only
// when an input may be a log being written: a pipe, standard input that is
// not a file, a FIFO; a regular file, named or redirected to standard
// input, is not.
func TestRegularFiles(t *testing.T) {
	file, redirected := tempLog(t)
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	tests := []struct {
		why   string
		names []string
		stdin io.Reader
		want  bool
	}{
		{"a named regular file", []string{file}, nil, true},
		{"two of them", []string{file, file}, nil, true},
		{"standard input redirected from a file", []string{"-"}, redirected, true},
		{"standard input from a pipe", nil, pr, false},
		{"a file, then standard input from a pipe", []string{file, "-"}, pr, false},
		{"standard input that is no file at all", nil, strings.NewReader("{}\n"), false},
		{"a device", []string{os.DevNull}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			if got := regularFiles(openTestInputs(t, tt.names, tt.stdin)); got != tt.want {
				t.Errorf("regularFiles = %v, want %v", got, tt.want)
			}
		})
	}
}

// openTestInputs opens the inputs as validate does, closed at the end of
// the test.
func openTestInputs(t *testing.T, names []string, stdin io.Reader) []io.Reader {
	t.Helper()
	_, files, err := openInputs(names, stdin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeAll(files) })
	return files
}

// TestCloseAll: the files openInputs opened are closed by closeAll, and
// standard input is not.
func TestCloseAll(t *testing.T) {
	file, stdin := tempLog(t)
	_, files, err := openInputs([]string{file, "-"}, stdin)
	if err != nil {
		t.Fatal(err)
	}
	closeAll(files)
	if _, err := files[0].(*maybeGzip).file.Read(make([]byte, 1)); !errors.Is(err, os.ErrClosed) {
		t.Errorf("the named file after closeAll: read gives %v, want os.ErrClosed", err)
	}
	if _, err := stdin.Read(make([]byte, 1)); err != nil {
		t.Errorf("standard input after closeAll: read gives %v, want it open", err)
	}
}

// tempLog writes a one-line log to a temporary file and returns its name and
// the file opened (closed at the end of the test).
func tempLog(t *testing.T) (string, *os.File) {
	t.Helper()
	name := filepath.Join(t.TempDir(), "log.jsonl")
	if err := os.WriteFile(name, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return name, f
}
