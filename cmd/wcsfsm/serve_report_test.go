package main

import (
	"bufio"
	"io"
	"os"
	"strings"
	"testing"
)

// TestServeReport: GET /report is the page of the hooks taken so far: the
// sample posted hook by hook gives the timelines and the findings the
// sample's report has, none dangling (the log is open), and says so.
func TestServeReport(t *testing.T) {
	h := newHookServer(serveConfig{}, io.Discard)
	defer h.close()
	f, err := os.Open("../../testdata/sample.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rec := request(h, "POST", "/hooks", sc.Text()); rec.Code != 200 {
			t.Fatalf("POST: %d", rec.Code)
		}
	}
	rec := request(h, "GET", "/report", "")
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("GET /report: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	page := rec.Body.String()
	for _, want := range []string{`id="open-note"`, `the 66 hooks taken so far`, `id="t1"`, `id="t2"`, `id="t3"`,
		`data-kind="no-session"`, `data-kind="transfer-without-call"`, `data-kind="malformed"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page has no %s", want)
		}
	}
	if n := strings.Count(page, `<tr class="error" data-n=`); n != 7 {
		t.Errorf("%d errors listed, want the sample's 7", n)
	}
	if strings.Contains(page, `data-kind="dangling"`) {
		t.Errorf("a dangling finding on the page of an open log")
	}
	// The same page again: nothing taken in between, nothing changed.
	if again := request(h, "GET", "/report", "").Body.String(); again != page {
		t.Errorf("a second GET /report differs from the first")
	}
}
