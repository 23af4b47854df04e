package main

import (
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The files of contrib/ (docs/operations.md), checked with the tools that
// read them where this machine has them: systemd-analyze for the unit,
// promtool for the alert rules and their tests; the Dockerfile's build of
// the binary, without Docker; and that every metric the rules and the
// dashboard read, and every flag the unit and the image pass, is one serve
// has.

const contribDir = "../../contrib"

// Not yet in serve: added by the journal/metrics work (the metrics on
// client_golang, -metrics-addr, -log-format). TestContribMetricNames and
// TestContribServeFlags fail once one of them is there, so that this list
// goes when that work is merged.
var (
	pendingMetrics = map[string]bool{}
	pendingFlags   = map[string]bool{}
)

// toolWait bounds every command a test here runs.
const toolWait = 5 * time.Minute

// runTool runs name with args in dir (or here), within toolWait, and
// returns its standard output and standard error.
func runTool(t *testing.T, dir string, env []string, name string, args ...string) (string, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), toolWait)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("%s did not end within %v: %w", name, toolWait, ctx.Err())
	}
	return stdout.String(), stderr.String(), err
}

// ciRequires says whether a tool this test needs must be there: under CI
// (.ci/run sets WCSFSM_CI, and installs them), a missing tool fails the
// test instead of skipping it.
func ciRequires() bool { return os.Getenv("CI") != "" || os.Getenv("WCSFSM_CI") != "" }

// lookTool finds a tool, or skips the test (fails it when required).
func lookTool(t *testing.T, name string, required bool) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if required {
			t.Fatalf("%s is not installed, and CI requires it (.ci/run installs it): %v", name, err)
		}
		t.Skipf("%s is not installed: %v", name, err)
	}
	return p
}

// dockerBuild is the go build of the Dockerfile's first stage: the
// environment it sets and the arguments after "go".
type dockerBuild struct {
	env  []string
	args []string
	out  int // index in args of -o's value
}

// dockerfileBuild reads the RUN line of contrib/docker/Dockerfile that
// builds the binary (words split by blanks: it holds no quotes).
func dockerfileBuild(t *testing.T) dockerBuild {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(contribDir, "docker", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "RUN ") && strings.Contains(l, " go build ") {
			found = append(found, l)
		}
	}
	if len(found) != 1 {
		t.Fatalf("the Dockerfile has %d RUN lines with a go build, want 1: %q", len(found), found)
	}
	if strings.ContainsAny(found[0], `"'\&;|`) {
		t.Fatalf("the build line %q has quotes or shell operators: keep it to words, that this test reads", found[0])
	}
	var d dockerBuild
	words := strings.Fields(strings.TrimPrefix(found[0], "RUN "))
	for len(words) > 0 && strings.Contains(words[0], "=") {
		d.env, words = append(d.env, words[0]), words[1:]
	}
	if len(words) < 2 || words[0] != "go" || words[1] != "build" {
		t.Fatalf("the build line %q: want [VAR=value ...] go build ...", found[0])
	}
	d.args = words[1:]
	d.out = slices.Index(d.args, "-o") + 1
	if d.out == 0 || d.out >= len(d.args) {
		t.Fatalf("the build line %q has no -o FILE", found[0])
	}
	return d
}

// buildStatic builds the command as the Dockerfile does, into dir, and
// returns the binary's path.
func buildStatic(t *testing.T, dir string) string {
	t.Helper()
	goTool := lookTool(t, "go", false)
	d := dockerfileBuild(t)
	bin := filepath.Join(dir, "wcsfsm")
	args := slices.Clone(d.args)
	args[d.out] = bin
	if _, stderr, err := runTool(t, "../..", d.env, goTool, args...); err != nil {
		t.Fatalf("%s go %s: %v\n%s", strings.Join(d.env, " "), strings.Join(args, " "), err, stderr)
	}
	return bin
}

// TestContribDockerStaticBuild: the Dockerfile builds with cgo off and
// -trimpath, and that build is a static binary (no interpreter, no dynamic
// section: what distroless's static image and scratch need) that runs.
// The image itself is not built: no registry is reachable where the tests
// run (docs/operations.md).
func TestContribDockerStaticBuild(t *testing.T) {
	d := dockerfileBuild(t)
	if !slices.Contains(d.env, "CGO_ENABLED=0") || !slices.Contains(d.args, "-trimpath") {
		t.Errorf("the Dockerfile builds with %v go %v: want CGO_ENABLED=0 and -trimpath", d.env, d.args)
	}
	bin := buildStatic(t, t.TempDir())
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("the binary has a %v program header: it is not static", p.Type)
		}
	}
	if s := f.Section(".dynamic"); s != nil {
		t.Errorf("the binary has a .dynamic section: it is not static")
	}
	if libs, err := f.ImportedLibraries(); err != nil || len(libs) > 0 {
		t.Errorf("the binary imports libraries %v (%v)", libs, err)
	}
	if file, err := exec.LookPath("file"); err == nil {
		out, _, err := runTool(t, "", nil, file, bin)
		if err != nil || !strings.Contains(out, "statically linked") {
			t.Errorf("file %s: %q (%v), want it statically linked", bin, out, err)
		}
	}
	// It runs with nothing of the system around it: no environment.
	ctx, cancel := context.WithTimeout(context.Background(), toolWait)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-version")
	cmd.Env = []string{}
	out, err := cmd.Output()
	if err != nil || !strings.HasPrefix(string(out), "wcsfsm ") {
		t.Errorf("wcsfsm -version: %q, %v", out, err)
	}
}

// TestContribDockerfile: the final image is distroless's static one (or
// scratch) as a user that is not root, exposes the ports serve listens on,
// keeps the state directory in a volume, and runs serve.
func TestContribDockerfile(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(contribDir, "docker", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var froms []string
	final := map[string]string{} // instruction of the last stage -> its arguments
	for _, l := range strings.Split(string(b), "\n") {
		ins, arg, _ := strings.Cut(strings.TrimSpace(l), " ")
		switch ins {
		case "FROM":
			froms = append(froms, arg)
			clear(final)
		case "USER", "EXPOSE", "VOLUME", "ENTRYPOINT", "CMD":
			final[ins] = arg
		}
	}
	if len(froms) < 2 || !strings.HasPrefix(froms[0], "golang:1.26") {
		t.Errorf("stages %q: want a golang:1.26 build stage first, then the image", froms)
	}
	last := froms[len(froms)-1]
	if last != "gcr.io/distroless/static-debian12:nonroot" && last != "scratch" {
		t.Errorf("the image is FROM %q: want gcr.io/distroless/static-debian12:nonroot or scratch", last)
	}
	if u := final["USER"]; u == "" || u == "0" || strings.HasPrefix(u, "root") || strings.HasPrefix(u, "0:") {
		t.Errorf("USER %q: want a user that is not root", u)
	}
	if got := final["EXPOSE"]; got != "8081 9108" {
		t.Errorf("EXPOSE %q, want 8081 9108", got)
	}
	if got := final["VOLUME"]; got != `["/var/lib/wcsfsm"]` {
		t.Errorf("VOLUME %s, want the state directory", got)
	}
	var entry, cmd []string
	if err := json.Unmarshal([]byte(final["ENTRYPOINT"]), &entry); err != nil {
		t.Fatalf("ENTRYPOINT %s: %v (want the exec form)", final["ENTRYPOINT"], err)
	}
	if err := json.Unmarshal([]byte(final["CMD"]), &cmd); err != nil {
		t.Fatalf("CMD %s: %v (want the exec form)", final["CMD"], err)
	}
	if diff := cmp.Diff([]string{"/usr/local/bin/wcsfsm", "serve"}, entry); diff != "" {
		t.Errorf("ENTRYPOINT (-want +got):\n%s", diff)
	}
	checkServeArgs(t, "the Dockerfile's CMD", cmd)
	if !slices.Contains(cmd, "/var/lib/wcsfsm") {
		t.Errorf("CMD %q does not keep -state in the volume", cmd)
	}
}

// TestContribSystemdUnit: systemd-analyze verify finds nothing to say about
// the unit (its ExecStart pointed at a binary built here: verify wants it
// to exist), the hardening asked of it is there, its flags are serve's,
// and its exposure (systemd-analyze security) stays low.
func TestContribSystemdUnit(t *testing.T) {
	analyze := lookTool(t, "systemd-analyze", false)
	unit, err := os.ReadFile(filepath.Join(contribDir, "systemd", "wcsfsm.service"))
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string][]string{}
	for _, l := range strings.Split(string(unit), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok && !strings.HasPrefix(l, "#") {
			keys[k] = append(keys[k], v)
		}
	}
	for k, want := range map[string]string{
		"DynamicUser": "yes", "StateDirectory": "wcsfsm", "ProtectSystem": "strict", "ProtectHome": "yes",
		"PrivateTmp": "yes", "PrivateDevices": "yes", "NoNewPrivileges": "yes", "CapabilityBoundingSet": "",
		"RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX", "MemoryDenyWriteExecute": "yes",
		"LockPersonality": "yes", "RestrictNamespaces": "yes", "KillSignal": "SIGTERM", "TimeoutStopSec": "30",
		"Restart": "on-failure",
	} {
		if !slices.Contains(keys[k], want) {
			t.Errorf("%s=%s is not in the unit (it has %q)", k, want, keys[k])
		}
	}
	if !slices.Contains(keys["SystemCallFilter"], "@system-service") {
		t.Errorf("SystemCallFilter=@system-service is not in the unit (it has %q)", keys["SystemCallFilter"])
	}
	if len(keys["LimitNOFILE"]) == 0 {
		t.Error("the unit sets no LimitNOFILE")
	}
	// serve tries a failing output for closeWait on SIGTERM: the unit must
	// wait longer than that before its SIGKILL.
	if s, err := strconv.Atoi(strings.Join(keys["TimeoutStopSec"], "")); err != nil || time.Duration(s)*time.Second <= closeWait {
		t.Errorf("TimeoutStopSec=%q: want more seconds than serve's %v on stop", keys["TimeoutStopSec"], closeWait)
	}
	if len(keys["ExecStart"]) != 1 {
		t.Fatalf("ExecStart %q: want one", keys["ExecStart"])
	}
	argv := strings.Fields(keys["ExecStart"][0])
	if len(argv) < 2 || argv[0] != "/usr/local/bin/wcsfsm" || argv[1] != "serve" {
		t.Fatalf("ExecStart=%s: want /usr/local/bin/wcsfsm serve ...", keys["ExecStart"][0])
	}
	checkServeArgs(t, "the unit's ExecStart", argv[2:])

	dir := t.TempDir()
	bin := buildStatic(t, dir)
	copyPath := filepath.Join(dir, "wcsfsm.service")
	if err := os.WriteFile(copyPath, bytes.ReplaceAll(unit, []byte("/usr/local/bin/wcsfsm"), []byte(bin)), 0o644); err != nil {
		t.Fatal(err)
	}
	// verify says what is wrong on standard error and may still exit 0 (an
	// unknown key, a bad value, "ignoring"): both must be clean.
	stdout, stderr, err := runTool(t, dir, []string{"SYSTEMD_LOG_COLOR=0"}, analyze, "verify", copyPath)
	if err != nil || strings.TrimSpace(stdout+stderr) != "" {
		t.Errorf("systemd-analyze verify: %v\n%s%s", err, stdout, stderr)
	}
	stdout, stderr, err = runTool(t, dir, []string{"SYSTEMD_LOG_COLOR=0", "SYSTEMD_COLORS=0"}, analyze, "security", "--offline=yes", copyPath)
	if err != nil && strings.Contains(stderr, "offline") {
		t.Skipf("this systemd-analyze has no security --offline: %v\n%s", err, stderr)
	}
	m := regexp.MustCompile(`Overall exposure level for wcsfsm\.service: ([0-9.]+)`).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("systemd-analyze security: no exposure level (%v)\n%s%s", err, stdout, stderr)
	}
	t.Logf("systemd-analyze security: exposure %s (docs/operations.md)", m[1])
	if v, _ := strconv.ParseFloat(m[1], 64); v > 1.5 {
		t.Errorf("systemd-analyze security: exposure %s, over 1.5 (it was 1.1):\n%s", m[1], stdout)
	}
}

// serveFlags returns the names of serve's flags, from its help.
func serveFlags(t *testing.T) map[string]bool {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run([]string{"serve", "-h"}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("wcsfsm serve -h: exit %d\n%s", code, stderr.String())
	}
	flags := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^  -([a-z0-9-]+)`).FindAllStringSubmatch(stderr.String(), -1) {
		flags[m[1]] = true
	}
	if len(flags) == 0 {
		t.Fatalf("wcsfsm serve -h names no flag:\n%s", stderr.String())
	}
	return flags
}

// checkServeArgs checks that every flag of args is one of serve's (or
// pending), each followed by its value.
func checkServeArgs(t *testing.T, what string, args []string) {
	t.Helper()
	flags := serveFlags(t)
	for i := 0; i < len(args); i += 2 {
		name, ok := strings.CutPrefix(args[i], "-")
		if !ok || i+1 >= len(args) {
			t.Errorf("%s: %q is not a flag and its value", what, args[i:])
			continue
		}
		switch {
		case flags[name] && pendingFlags[name]:
			t.Errorf("%s: -%s is serve's now: take it off pendingFlags", what, name)
		case !flags[name] && !pendingFlags[name]:
			t.Errorf("%s: -%s is not a flag of serve", what, name)
		}
	}
}

// TestContribServeFlags: what the unit and the image pass to serve is
// checked by TestContribSystemdUnit and TestContribDockerfile; this is for
// the list of flags still to come, that it holds no flag serve has.
func TestContribServeFlags(t *testing.T) {
	flags := serveFlags(t)
	for name := range pendingFlags {
		if flags[name] {
			t.Errorf("-%s is a flag of serve now: take it off pendingFlags", name)
		}
	}
}

// TestContribPrometheusRules: promtool check rules accepts the rules and
// promtool test rules passes their tests; every alert has a test where it
// fires and one where it does not, and a runbook_url that docs/
// operations.md has; the dashboard's queries parse too.
func TestContribPrometheusRules(t *testing.T) {
	promtool := lookTool(t, "promtool", ciRequires())
	dir := filepath.Join(contribDir, "prometheus")
	for _, args := range [][]string{
		{"check", "rules", "wcsfsm.rules.yml"},
		{"test", "rules", "wcsfsm.rules.test.yml"},
	} {
		stdout, stderr, err := runTool(t, dir, nil, promtool, args...)
		if err != nil {
			t.Errorf("promtool %s: %v\n%s%s", strings.Join(args, " "), err, stdout, stderr)
			continue
		}
		t.Logf("promtool %s: %s", strings.Join(args, " "), strings.Join(strings.Fields(stdout), " "))
	}

	rules := readFile(t, filepath.Join(dir, "wcsfsm.rules.yml"))
	alerts := regexp.MustCompile(`(?m)^\s*- alert: (\S+)$`).FindAllStringSubmatch(rules, -1)
	if len(alerts) == 0 {
		t.Fatal("no alert in wcsfsm.rules.yml")
	}
	fires, quiet := map[string]bool{}, map[string]bool{}
	var name string
	sc := bufio.NewScanner(strings.NewReader(readFile(t, filepath.Join(dir, "wcsfsm.rules.test.yml"))))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if n, ok := strings.CutPrefix(l, "alertname: "); ok {
			name = n
		} else if e, ok := strings.CutPrefix(l, "exp_alerts:"); ok {
			if strings.TrimSpace(e) == "[]" {
				quiet[name] = true
			} else {
				fires[name] = true
			}
		}
	}
	ops := readFile(t, "../../docs/operations.md")
	for _, a := range alerts {
		if !fires[a[1]] || !quiet[a[1]] {
			t.Errorf("%s: tested firing %v, not firing %v; want both", a[1], fires[a[1]], quiet[a[1]])
		}
		if !strings.Contains(ops, "\n### "+a[1]+"\n") {
			t.Errorf("%s: docs/operations.md has no heading ### %s (its runbook_url)", a[1], a[1])
		}
		if !strings.Contains(rules, "docs/operations.md#"+strings.ToLower(a[1])+`"`) {
			t.Errorf("%s: no runbook_url docs/operations.md#%s", a[1], strings.ToLower(a[1]))
		}
	}

	// The dashboard's queries, as recording rules, Grafana's variables made
	// PromQL: promtool parses them.
	var b strings.Builder
	b.WriteString("groups:\n  - name: dashboard\n    rules:\n")
	vars := strings.NewReplacer("$__rate_interval", "5m", "$__interval", "1m", "$__range", "1h", "$job", "wcsfsm", "$instance", ".*")
	for i, q := range dashboardQueries(t) {
		j, _ := json.Marshal(vars.Replace(q))
		fmt.Fprintf(&b, "      - record: dashboard_query_%d\n        expr: %s\n", i, j)
	}
	tmp := filepath.Join(t.TempDir(), "dashboard.rules.yml")
	if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if stdout, stderr, err := runTool(t, "", nil, promtool, "check", "rules", tmp); err != nil {
		t.Errorf("the dashboard's queries: promtool check rules: %v\n%s%s\n%s", err, stdout, stderr, b.String())
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// dashboardQueries returns every PromQL query of the Grafana dashboard:
// its panels' targets and its variables' queries (label_values(...) as the
// selector it reads). It checks that the dashboard is JSON, that its data
// source is the variable ${datasource} everywhere, and that its panels have
// ids of their own.
func dashboardQueries(t *testing.T) []string {
	t.Helper()
	var d struct {
		Title      string
		UID        string
		Templating struct {
			List []struct {
				Name, Type string
				Query      any
				Datasource *struct{ Type, UID string }
			}
		}
		Panels []struct {
			ID         int
			Type       string
			Title      string
			Datasource *struct{ Type, UID string }
			GridPos    struct{ X, Y, W, H int }
			Targets    []struct {
				Expr       string
				Datasource *struct{ Type, UID string }
			}
		}
	}
	dec := json.NewDecoder(strings.NewReader(readFile(t, filepath.Join(contribDir, "grafana", "wcsfsm.dashboard.json"))))
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("the dashboard is not JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Fatalf("the dashboard has more after its object: %v", err)
	}
	if d.Title == "" || d.UID == "" {
		t.Errorf("the dashboard has title %q, uid %q: want both", d.Title, d.UID)
	}
	ds := func(where string, s *struct{ Type, UID string }) {
		if s == nil || s.Type != "prometheus" || s.UID != "${datasource}" {
			t.Errorf("%s: datasource %+v, want prometheus ${datasource}", where, s)
		}
	}
	var queries []string
	hasDS := false
	for _, v := range d.Templating.List {
		switch {
		case v.Name == "datasource":
			hasDS = v.Type == "datasource" && v.Query == "prometheus"
		case v.Type == "query":
			ds("variable "+v.Name, v.Datasource)
			q, _ := v.Query.(map[string]any)
			s, _ := q["query"].(string)
			m := regexp.MustCompile(`^label_values\((.*), *[a-z_]+\)$`).FindStringSubmatch(s)
			if m == nil {
				t.Errorf("variable %s: query %v, want label_values(SELECTOR, LABEL)", v.Name, v.Query)
				continue
			}
			queries = append(queries, m[1])
		}
	}
	if !hasDS {
		t.Error("the dashboard has no variable datasource of type datasource (prometheus)")
	}
	ids := map[int]bool{}
	for _, p := range d.Panels {
		if ids[p.ID] {
			t.Errorf("panel %q: id %d twice", p.Title, p.ID)
		}
		ids[p.ID] = true
		if p.GridPos.X < 0 || p.GridPos.W <= 0 || p.GridPos.X+p.GridPos.W > 24 || p.GridPos.H <= 0 {
			t.Errorf("panel %q: gridPos %+v outside Grafana's 24 columns", p.Title, p.GridPos)
		}
		if p.Type == "row" {
			continue
		}
		ds("panel "+p.Title, p.Datasource)
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			ds("panel "+p.Title+"'s query", tg.Datasource)
			queries = append(queries, tg.Expr)
		}
	}
	return queries
}

// ruleQueries returns the expr of every rule of the rules file, and the
// names the file records.
func ruleQueries(t *testing.T) (queries []string, recorded map[string]bool) {
	t.Helper()
	recorded = map[string]bool{}
	lines := strings.Split(readFile(t, filepath.Join(contribDir, "prometheus", "wcsfsm.rules.yml")), "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		trimmed := strings.TrimSpace(l)
		if r, ok := strings.CutPrefix(trimmed, "- record: "); ok {
			recorded[r] = true
		}
		e, ok := strings.CutPrefix(trimmed, "expr: ")
		if !ok {
			continue
		}
		if e != "|" && e != ">" {
			queries = append(queries, e)
			continue
		}
		indent := len(l) - len(strings.TrimLeft(l, " "))
		var block []string
		for i+1 < len(lines) && (strings.TrimSpace(lines[i+1]) == "" || len(lines[i+1])-len(strings.TrimLeft(lines[i+1], " ")) > indent) {
			i++
			block = append(block, lines[i])
		}
		queries = append(queries, strings.Join(block, "\n"))
	}
	if len(queries) == 0 {
		t.Fatal("no expr in wcsfsm.rules.yml")
	}
	return queries, recorded
}

// exposition is what serve's /metrics holds: for each sample's name, the
// values of each of its labels.
type exposition map[string]map[string]map[string]bool

// scrapeExposition gets url's /metrics and reads it.
func scrapeExposition(t *testing.T, url string) exposition {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	e := exposition{}
	sample := regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? \S+( \S+)?$`)
	label := regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"`)
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		m := sample.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("/metrics: a line that is no sample: %q", l)
		}
		if e[m[1]] == nil {
			e[m[1]] = map[string]map[string]bool{}
		}
		for _, lv := range label.FindAllStringSubmatch(m[2], -1) {
			if e[m[1]][lv[1]] == nil {
				e[m[1]][lv[1]] = map[string]bool{}
			}
			e[m[1]][lv[1]][lv[2]] = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestScalingMetricsTable: docs/scaling.md's table of consume's metrics,
// typed by hand, names every metric consume exposes, and no other.
func TestScalingMetricsTable(t *testing.T) {
	doc := readFile(t, "../../docs/scaling.md")
	named := map[string]bool{}
	for _, m := range regexp.MustCompile("`(wcsfsm_(?:consume|publish)[a-z_]*)").FindAllStringSubmatch(doc, -1) {
		named[m[1]] = true
	}
	exposed := map[string]bool{"wcsfsm_consume_findings_total": true} // exposed once a finding is counted
	for name := range natsExpositions(t) {
		base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_sum"), "_count")
		if strings.HasPrefix(base, "wcsfsm_consume_") || strings.HasPrefix(base, "wcsfsm_publish") {
			exposed[base] = true
		}
	}
	for name := range exposed {
		if !named[name] {
			t.Errorf("docs/scaling.md does not name %s, which consume or serve -nats exposes", name)
		}
	}
	for name := range named {
		if !exposed[name] {
			t.Errorf("docs/scaling.md names %s, which nothing exposes", name)
		}
	}
}

// natsExpositions are the metrics of serve -nats and of consume (one
// partition owned, checkpointed once), as their /metrics expose them.
func natsExpositions(t *testing.T) exposition {
	t.Helper()
	url := "nats://127.0.0.1:1"
	h := newHookServer(serveConfig{NATS: &natsFlags{url: &url}}, io.Discard)
	c := &consumer{parts: map[int]*partition{}, layout: streamLayout{Partitions: 16}}
	pt := &partition{p: 3}
	pt.ckAt.Store(time.Now().UnixNano())
	c.parts[3] = pt
	c.m = newConsumeMetrics(c)
	c.m.delay.Observe(0.001)
	c.m.checkpointSeconds.Observe(0.01)
	out := exposition{}
	for _, handler := range []http.Handler{h.prom.handler, c.m.handler} {
		srv := httptest.NewServer(handler)
		for name, labels := range scrapeExposition(t, srv.URL) {
			out[name] = labels
		}
		srv.Close()
	}
	return out
}

// Prometheus's own: up is the scrape's, job and instance the target's
// labels, le a histogram's.
var (
	scrapeMetrics = map[string]bool{"up": true}
	targetLabels  = map[string]bool{"job": true, "instance": true}
)

// TestContribMetricNames: every metric the alert rules and the dashboard
// read is one a serve started here exposes on /metrics (with -state, for
// the journal's and the checkpoints'), or one the rules record, or
// Prometheus's up; every label they match or group by is one of those
// metrics', and every value they match with = one it takes.
func TestContribMetricNames(t *testing.T) {
	s := startServe(t, serveConfig{State: t.TempDir()})
	exposed := scrapeExposition(t, s.url)
	// And serve -nats's and consume's (job="wcsfsm-consume"), from their
	// registries, connected to no NATS.
	for name, labels := range natsExpositions(t) {
		if exposed[name] == nil {
			exposed[name] = labels
		}
	}
	for name := range pendingMetrics {
		if exposed[name] != nil {
			t.Errorf("%s is exposed now: take it off pendingMetrics", name)
		}
	}
	rules, recorded := ruleQueries(t)
	type query struct{ where, q string }
	var queries []query
	for _, q := range rules {
		queries = append(queries, query{"wcsfsm.rules.yml", q})
	}
	for _, q := range dashboardQueries(t) {
		queries = append(queries, query{"wcsfsm.dashboard.json", q})
	}
	str := regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	ident := regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*`)
	selector := regexp.MustCompile(`([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}`)
	matcher := regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"`)
	grouping := regexp.MustCompile(`\b(?:by|without|on|ignoring)\s*\(([^)]*)\)`)
	used := map[string]bool{}
	for _, q := range queries {
		var names []string
		for _, id := range ident.FindAllString(str.ReplaceAllString(q.q, `""`), -1) {
			if strings.HasPrefix(id, "wcsfsm_") || strings.HasPrefix(id, "go_") || strings.HasPrefix(id, "process_") ||
				strings.Contains(id, ":") || scrapeMetrics[id] {
				names = append(names, id)
			}
		}
		if len(names) == 0 {
			t.Errorf("%s: %q reads no metric", q.where, q.q)
		}
		for _, n := range names {
			used[n] = true
			switch {
			case strings.Contains(n, ":"):
				if !recorded[n] {
					t.Errorf("%s: %s is recorded by no rule of wcsfsm.rules.yml", q.where, n)
				}
			case exposed[n] == nil && !pendingMetrics[n] && !scrapeMetrics[n]:
				t.Errorf("%s: %s is not a metric serve exposes", q.where, n)
			}
		}
		// The labels of each selector of an exposed metric.
		for _, sel := range selector.FindAllStringSubmatch(q.q, -1) {
			labels, ok := exposed[sel[1]]
			if !ok {
				continue // pending, recorded or up: nothing to check here
			}
			for _, m := range matcher.FindAllStringSubmatch(sel[2], -1) {
				if targetLabels[m[1]] {
					continue
				}
				switch {
				case labels[m[1]] == nil:
					t.Errorf("%s: %s{%s}: %s has no label %s", q.where, sel[1], sel[2], sel[1], m[1])
				case m[2] == "=" && !labels[m[1]][m[3]]:
					t.Errorf("%s: %s{%s}: %s never has %s=%q (it has %v)", q.where, sel[1], sel[2], sel[1], m[1], m[3], sortedKeys(labels[m[1]]))
				}
			}
		}
		// The labels grouped by are some metric's of the query.
		for _, g := range grouping.FindAllStringSubmatch(q.q, -1) {
			for _, l := range strings.Split(g[1], ",") {
				l = strings.TrimSpace(l)
				if l == "" || targetLabels[l] || l == "le" {
					continue
				}
				if !slices.ContainsFunc(names, func(n string) bool { return exposed[n][l] != nil || pendingMetrics[n] }) {
					t.Errorf("%s: %q groups by %s, which none of %v has", q.where, q.q, l, names)
				}
			}
		}
	}
	for _, want := range []string{"wcsfsm_findings_total", "wcsfsm_hooks_total", "wcsfsm_checkpoint_age_seconds"} {
		if !used[want] {
			t.Errorf("%s is read by neither the rules nor the dashboard", want)
		}
	}
	t.Logf("%d queries read %d metrics; %d exposed by serve", len(queries), len(used), len(exposed))
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
