package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// gz compresses each part as one gzip member, one after the other.
func gz(t *testing.T, parts ...[]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, p := range parts {
		w := gzip.NewWriter(&b)
		w.Write(p)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// TestGzipInput: a file (or standard input) that starts as gzip does is
// read through gzip, whatever its name, by validate, coverage and convert;
// the outcome is that of the plain file. A damaged stream is a read error
// (exit 2) after the findings of the lines before the damage.
func TestGzipInput(t *testing.T) {
	t.Chdir("../..")
	dir := t.TempDir()
	read := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	sample := read("testdata/sample.jsonl")
	server := read("testdata/wcslog/flashphoner.log")
	half := len(sample) / 2
	tests := []struct {
		why   string
		plain []string // the command on the plain files
		args  []string // the same on compressed ones
		stdin []byte
	}{
		{"validate: a .gz file gives the plain file's findings",
			[]string{"validate", "testdata/sample.jsonl"}, []string{"validate", write("sample.jsonl.gz", gz(t, sample))}, nil},
		{"validate: the name does not matter, the first bytes do",
			[]string{"validate", "testdata/sample.jsonl"}, []string{"validate", write("sample.jsonl", gz(t, sample))}, nil},
		{"validate -j 1: standard input compressed",
			[]string{"validate", "-j", "1", "testdata/sample.jsonl"}, []string{"validate", "-j", "1", "-"}, gz(t, sample)},
		{"validate: members one after the other are one stream, as gunzip reads them",
			[]string{"validate", "testdata/sample.jsonl"}, []string{"validate", write("two.gz", gz(t, sample[:half], sample[half:]))}, nil},
		{"validate -input auto: a compressed server log is told from JSON Lines",
			[]string{"validate", "testdata/wcslog/flashphoner.log"}, []string{"validate", write("flashphoner.log.1.gz", gz(t, server))}, nil},
		{"coverage reads it too",
			[]string{"coverage", "testdata/sample.jsonl"}, []string{"coverage", write("cov.gz", gz(t, sample))}, nil},
		{"convert reads it too",
			[]string{"convert", "testdata/wcslog/flashphoner.log"}, []string{"convert", write("conv.gz", gz(t, server))}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			wantCode, want := invoke(tt.plain, nil)
			gotCode, got := invoke(tt.args, bytes.NewReader(tt.stdin))
			// The outcome names the files: compare it with the plain
			// file's, names aside.
			for i, a := range tt.args {
				if strings.HasPrefix(a, dir) || a == "-" {
					got = strings.ReplaceAll(got, a+":", tt.plain[i]+":")
					got = strings.Replace(got, strings.Join(tt.args, " "), strings.Join(tt.plain, " "), 1)
				}
			}
			if gotCode != wantCode {
				t.Errorf("exit %d, want %d as for the plain file", gotCode, wantCode)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("outcome differs from the plain file's (-plain +compressed):\n%s", diff)
			}
		})
	}

	t.Run("a stream cut short: the lines before the cut are judged, then exit 2 naming the file", func(t *testing.T) {
		z := gz(t, sample)
		cut := write("cut.gz", z[:len(z)*3/4])
		var stdout, stderr bytes.Buffer
		code := run([]string{"validate", "-j", "1", cut}, nil, &stdout, &stderr)
		if code != 2 {
			t.Errorf("exit %d, want 2", code)
		}
		if !strings.Contains(stderr.String(), cut+": gzip: unexpected EOF") {
			t.Errorf("stderr does not name the file and the damage:\n%s", stderr.String())
		}
		if !strings.Contains(stdout.String(), cut+":22: error illegal-transition") {
			t.Errorf("the findings before the cut are missing:\n%s", stdout.String())
		}
	})
	for _, c := range []struct{ why, body, want string }{
		{"gzip's magic number, then junk", "\x1f\x8bjunk and more junk", "junk.gz: gzip: invalid header\n"},
		{"gzip's magic number, then the end", "\x1f\x8b", "junk.gz: gzip: unexpected EOF\n"},
	} {
		t.Run(c.why+": exit 2 naming the file", func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run([]string{"validate", write("junk.gz", []byte(c.body))}, nil, &stdout, &stderr)
			if code != 2 || !strings.HasSuffix(stderr.String(), c.want) {
				t.Errorf("exit %d, stderr %q; want 2 and a message ending %q", code, stderr.String(), c.want)
			}
		})
	}
}
