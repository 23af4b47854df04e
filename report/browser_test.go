package report_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wcsfsm/wcsfsm/report"
)

// browser returns a headless Chromium to run, or skips the test (fails it
// under WCSFSM_CI=1, where .ci/run has installed one). WCSFSM_CHROMIUM
// names one to use.
func browser(t *testing.T) string {
	t.Helper()
	names := []string{"chromium-headless-shell", "chromium", "chromium-browser", "google-chrome"}
	if b := os.Getenv("WCSFSM_CHROMIUM"); b != "" {
		names = []string{b}
	}
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	if os.Getenv("WCSFSM_CI") == "1" {
		t.Fatalf("no headless Chromium (%s) on PATH, and WCSFSM_CI=1: .ci/run installs chromium-headless-shell", strings.Join(names, ", "))
	}
	t.Skipf("no headless Chromium (%s) on PATH; apt-get install chromium-headless-shell, or WCSFSM_CHROMIUM", strings.Join(names, ", "))
	return ""
}

// chromium runs the browser on the page at path with args, within a
// minute, and returns its standard output and standard error.
func chromium(t *testing.T, bin, path string, args ...string) (string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	args = append([]string{"--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars", "--no-first-run",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0"}, args...)
	cmd := exec.CommandContext(ctx, bin, append(args, "file://"+path)...)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, stderr.String())
	}
	return stdout.String(), stderr.String()
}

// loadProblems says what is wrong with a page as the browser loaded it:
// a message on its console (the page writes none), its script not run to
// its end, an error it met.
func loadProblems(dom, log string) []string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, ":CONSOLE") {
			out = append(out, "console: "+l)
		}
	}
	if !strings.Contains(dom, `data-ready="1"`) {
		out = append(out, "the script did not run to its end (no data-ready)")
	}
	if strings.Contains(dom, "data-error=") {
		out = append(out, "the script met an error (data-error)")
	}
	return out
}

// pictureProblems says what is wrong with a screenshot: blank, or without
// the red of the boxes findings name.
func pictureProblems(img image.Image) []string {
	var out []string
	b := img.Bounds()
	colours := map[uint32]bool{}
	inked, red := 0, 0
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			colours[r<<16|g<<8|bl] = true
			if r < 240 || g < 240 || bl < 240 {
				inked++
			}
			if r > 170 && g < 80 && bl < 80 {
				red++
			}
		}
	}
	total := (b.Dx() / 2) * (b.Dy() / 2)
	if len(colours) < 32 || inked < total/50 {
		out = append(out, "the picture is blank")
	}
	if red < 100 {
		out = append(out, "no red in the picture: no box of a finding drawn")
	}
	return out
}

// TestBrowser: the sample's page in a real browser: it loads with nothing
// on the console and its script run to its end, and its picture is not
// blank and shows the red boxes of the findings. The same checks on a
// page whose script throws, and on a blank picture, fail.
func TestBrowser(t *testing.T) {
	bin := browser(t)
	page, _ := run(t, "../testdata/sample.jsonl", report.Options{})
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	if err := os.WriteFile(path, page, 0o644); err != nil {
		t.Fatal(err)
	}
	dom, log := chromium(t, bin, path, "--dump-dom")
	if p := loadProblems(dom, log); len(p) > 0 {
		t.Errorf("the sample's page, loaded:\n%s", strings.Join(p, "\n"))
	}
	shot := filepath.Join(dir, "report.png")
	chromium(t, bin, path, "--screenshot="+shot, "--window-size=1280,2000")
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatalf("the screenshot: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 2000 {
		t.Errorf("the screenshot is %v, want 1280x2000", b)
	}
	if p := pictureProblems(img); len(p) > 0 {
		t.Errorf("the screenshot of the sample's page: %s", strings.Join(p, "; "))
	}

	// The checks can fail.
	broken := bytes.Replace(page, []byte(`(function () {`), []byte(`(function () { undefinedFunction();`), 1)
	bad := filepath.Join(dir, "broken.html")
	if err := os.WriteFile(bad, broken, 0o644); err != nil {
		t.Fatal(err)
	}
	if dom, log := chromium(t, bin, bad, "--dump-dom"); len(loadProblems(dom, log)) == 0 {
		t.Errorf("a page whose script throws passed the load checks")
	}
	if len(pictureProblems(image.NewGray(image.Rect(0, 0, 1280, 2000)))) == 0 {
		t.Errorf("a blank picture passed the picture checks")
	}
}
