package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wcsfsm/wcsfsm/tracker"
)

// mountTmpfs mounts a tmpfs of size (mount's -o size=) on a new directory,
// nearly full: a file takes all but free bytes of it. It returns the
// directory and the file, which the test removes to free the space. It
// skips where the test may not mount one (not root, no mount).
func mountTmpfs(t *testing.T, size string, total, free int) (dir, filler string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs takes root")
	}
	dir = t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	filler = filepath.Join(dir, "filler")
	if err := os.WriteFile(filler, make([]byte, total-free), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, filler
}

// TestServeFindingsDiskFull: -findings on a real file system that fills
// up (a tmpfs of 1 MiB): every hook answered 200, /healthz 503 while the
// findings wait, and once space is freed they are all written, whole
// lines in order, /healthz 200 again.
func TestServeFindingsDiskFull(t *testing.T) {
	dir, filler := mountTmpfs(t, "1m", 1<<20, 8<<10)
	f, err := os.OpenFile(filepath.Join(dir, "findings.jsonl"), os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := newHookServer(serveConfig{}, f)
	const hooks = 400 // a finding each: about 150 KB of findings
	for i := range hooks {
		if rec := request(h, "POST", streamPath, illegal(i)); rec.Code != 200 {
			t.Fatalf("hook %d on a full disk: answered %d", i, rec.Code)
		}
	}
	if rec := request(h, "GET", "/healthz", ""); rec.Code != 503 || !strings.Contains(rec.Body.String(), "no space left") {
		t.Errorf("/healthz on a full disk: %d %q, want 503 and why", rec.Code, rec.Body.String())
	}
	os.Remove(filler)
	waitFor(t, "/healthz 200 once space is freed", func() bool { return request(h, "GET", "/healthz", "").Code == 200 })
	if err := h.close(); err != nil {
		t.Errorf("close after the space was freed: %v", err)
	}
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(b, []byte{'\n'}), []byte{'\n'})
	if st := h.tracker.Stats(); int64(len(lines)) != st.Errors() || len(lines) < hooks {
		t.Errorf("%d findings in the file, want the %d made (at least one a hook, %d)", len(lines), st.Errors(), hooks)
	}
	last := 0
	for i, l := range lines {
		var fd tracker.Finding
		if err := fd.UnmarshalJSON(l); err != nil {
			t.Fatalf("line %d of the findings is not a whole finding: %q: %v", i+1, l, err)
		}
		if fd.Line < last {
			t.Fatalf("line %d: request %d after request %d", i+1, fd.Line, last)
		}
		last = fd.Line
	}
}
