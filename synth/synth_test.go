package synth_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wcsfsm/wcsfsm/eventlog"
	"github.com/wcsfsm/wcsfsm/synth"
	"github.com/wcsfsm/wcsfsm/tracker"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// findings validates log as one JSON Lines input, End included.
func findings(t testing.TB, log []byte) []string {
	t.Helper()
	var out []string
	v := &eventlog.Validator{Report: func(f tracker.Finding) { out = append(out, f.String()) }}
	if err := v.ReadJSONL("gen", bytes.NewReader(log)); err != nil {
		t.Fatal(err)
	}
	v.End()
	return out
}

var optionRows = []struct {
	why string
	o   synth.Options
}{
	{"the defaults", synth.Options{}},
	{"one event: a connection that failed at once", synth.Options{Events: 1}},
	{"two events: a session that opens and closes", synth.Options{Events: 2}},
	{"a few events, many slots: the budget closes what it opens", synth.Options{Events: 7, Sessions: 50}},
	{"one session at a time, long lives", synth.Options{Events: 500, Sessions: 1, Life: 200}},
	{"many sessions at once, short lives", synth.Options{Events: 3000, Sessions: 200, Life: 3}},
	{"another node", synth.Options{Events: 300, Node: "node-2@10.0.0.2"}},
	{"a node id that JSON must escape", synth.Options{Events: 100, Node: "n\"1\\\u00e9\n"}},
}

// TestValidByConstruction: every generated log, whatever the seed and the
// options, has exactly the events asked for and no finding at all.
func TestValidByConstruction(t *testing.T) {
	for _, row := range optionRows {
		for seed := range uint64(20) {
			l := synth.Generate(synth.NewSource(seed), row.o)
			want := row.o.Events
			if want == 0 {
				want = synth.DefaultEvents
			}
			if len(l.Events) != want || len(l.Lines) != want {
				t.Errorf("%s, seed %d: %d events, %d lines, want %d", row.why, seed, len(l.Events), len(l.Lines), want)
			}
			if diff := cmp.Diff([]string(nil), findings(t, l.Bytes())); diff != "" {
				t.Errorf("%s, seed %d: findings:\n%s", row.why, seed, diff)
			}
		}
	}
}

// TestDeterministic: a seed is a log; Write and Generate agree.
func TestDeterministic(t *testing.T) {
	o := synth.Options{Events: 400, Sessions: 5}
	a := synth.Generate(synth.NewSource(7), o).Bytes()
	var b bytes.Buffer
	n, err := synth.Write(&b, synth.NewSource(7), o)
	if err != nil || n != 400 {
		t.Fatalf("Write: %d events, %v", n, err)
	}
	if diff := cmp.Diff(string(a), b.String()); diff != "" {
		t.Errorf("the same seed gave two logs:\n%s", diff)
	}
	if c := synth.Generate(synth.NewSource(8), o).Bytes(); bytes.Equal(a, c) {
		t.Errorf("seeds 7 and 8 gave the same log")
	}
}

// TestMetadata: each Event says what its line is, and the events of each
// entity follow one another in its machine.
func TestMetadata(t *testing.T) {
	l := synth.Generate(synth.NewSource(3), synth.Options{Events: 2000, Sessions: 20})
	type key struct {
		fam wcs.Family
		key string
	}
	entity := map[key]int{}
	last := map[int]synth.Event{}
	for i, ev := range l.Events {
		if ev.Seq != i {
			t.Fatalf("event %d has Seq %d", i, ev.Seq)
		}
		var body map[string]any
		if err := json.Unmarshal(l.Lines[i], &body); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, l.Lines[i])
		}
		keyField := map[wcs.Family]string{
			wcs.FamilyConnection: "sessionId", wcs.FamilyRegistration: "sessionId", wcs.FamilyDebug: "sessionId",
			wcs.FamilyCall: "callId", wcs.FamilyTransfer: "callId",
			wcs.FamilyStream: "mediaSessionId", wcs.FamilyKeepAlive: "mediaSessionId", wcs.FamilyData: "operationId",
		}[ev.Family]
		want := map[string]any{"event": ev.Family.String(), "status": ev.StatusName(), "sessionId": ev.Session, "nodeId": ev.Node, keyField: ev.Key}
		if ev.Family == wcs.FamilyStream || ev.Family == wcs.FamilyKeepAlive {
			want["published"] = ev.Published
		}
		got := map[string]any{}
		for k := range want {
			got[k] = body[k]
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("line %d: body and Event differ (-Event +body):\n%s", i+1, diff)
		}
		k := key{ev.Family, ev.Key}
		if no, ok := entity[k]; ok && no != ev.Entity {
			t.Fatalf("line %d: %s %s is entity %d, before %d", i+1, ev.Family, ev.Key, ev.Entity, no)
		}
		entity[k] = ev.Entity
		m := ev.Family.Machine()
		from := m.Initial()
		if prev, ok := last[ev.Entity]; ok {
			from = prev.To
		}
		if to, ok := m.Next(ev.From, ev.Status); ev.From != from || !ok || to != ev.To {
			t.Fatalf("line %d: %s %s: %s -%s-> %s, but it stood in %s", i+1, ev.Family, ev.Key,
				m.String(ev.From), m.String(ev.Status), m.String(ev.To), m.String(from))
		}
		last[ev.Entity] = ev
	}
}

// TestSessionsAtOnce: Sessions bounds the sessions open at the same time
// (from their first event to their last), and a longer log has more
// sessions, not more at once.
func TestSessionsAtOnce(t *testing.T) {
	rows := []struct {
		why           string
		o             synth.Options
		atOnce, least int // most open at once, fewest sessions in the log
	}{
		{"a short log: Sessions at once", synth.Options{Events: 1000, Sessions: 10}, 10, 20},
		{"ten times longer: the same at once, many more in all", synth.Options{Events: 10000, Sessions: 10}, 10, 200},
		{"one at a time", synth.Options{Events: 1000, Sessions: 1}, 1, 10},
	}
	for _, row := range rows {
		l := synth.Generate(synth.NewSource(1), row.o)
		last := map[string]int{}
		for _, ev := range l.Events {
			last[ev.Session] = ev.Seq
		}
		open := map[string]bool{}
		most := 0
		for _, ev := range l.Events {
			open[ev.Session] = true
			most = max(most, len(open))
			if last[ev.Session] == ev.Seq {
				delete(open, ev.Session)
			}
		}
		if most != row.atOnce {
			t.Errorf("%s: %d sessions open at once at most, want %d", row.why, most, row.atOnce)
		}
		if len(last) < row.least {
			t.Errorf("%s: %d sessions in the log, want at least %d", row.why, len(last), row.least)
		}
	}
}

// TestTakesEveryTransition: a long log takes every transition of every
// family, so that what is validated against it is the whole of each table.
func TestTakesEveryTransition(t *testing.T) {
	tr := tracker.New(tracker.Options{})
	v := &eventlog.Validator{Tracker: tr}
	if err := v.ReadJSONL("gen", bytes.NewReader(synth.Generate(synth.NewSource(1), synth.Options{Events: 50000, Sessions: 20}).Bytes())); err != nil {
		t.Fatal(err)
	}
	cov := tr.Coverage()
	for _, f := range wcs.Families() {
		m := f.Machine()
		var never []string
		for i, x := range cov[f] {
			if x == 0 && wcs.StatusEventTakes(f, m.Transitions()[i]) {
				e := m.Transitions()[i]
				never = append(never, fmt.Sprintf("%s -%s-> %s", m.String(e.From), m.String(e.Status), m.String(e.To)))
			}
		}
		if len(never) > 0 {
			t.Errorf("%s: never taken: %v", f, never)
		}
	}
}

func BenchmarkWrite(b *testing.B) {
	o := synth.Options{Events: 200000, Sessions: 500}
	var n int64
	for b.Loop() {
		w := &countWriter{}
		if _, err := synth.Write(w, synth.NewSource(1), o); err != nil {
			b.Fatal(err)
		}
		n = w.n
	}
	b.SetBytes(n)
	b.ReportMetric(float64(o.Events), "events/op")
}

type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

var _ io.Writer = (*countWriter)(nil)
