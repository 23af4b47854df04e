package synth_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wcsfsm/wcsfsm/call"
	"github.com/wcsfsm/wcsfsm/connection"
	"github.com/wcsfsm/wcsfsm/eventlog"
	"github.com/wcsfsm/wcsfsm/fsm"
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

// TestClosed: without a validator, every entity of every log ends in a
// final state, and not in PENDING, whatever the seed and the options.
func TestClosed(t *testing.T) {
	for _, row := range optionRows {
		for seed := range uint64(20) {
			l := synth.Generate(synth.NewSource(seed), row.o)
			fam := map[int]wcs.Family{}
			last := map[int]fsm.Symbol{}
			for _, ev := range l.Events {
				if ev.Moves() {
					fam[ev.Entity], last[ev.Entity] = ev.Family, ev.To
				}
			}
			for no, s := range last {
				if m := fam[no].Machine(); !m.Final(s) {
					t.Errorf("%s, seed %d: %s entity %d left in %s", row.why, seed, fam[no], no, m.String(s))
				}
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
// entity follow one another in its machine: a status event or an
// invocation moves it, a command or another hook leaves it where it is.
func TestMetadata(t *testing.T) {
	l := synth.Generate(synth.NewSource(3), synth.Options{Events: 2000, Sessions: 20})
	type key struct {
		fam wcs.Family
		key string
	}
	entity := map[key]int{}
	state := map[int]fsm.Symbol{}
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
		want := map[string]any{"event": ev.Method.Name, "sessionId": ev.Session, "nodeId": ev.Node, keyField: ev.Key}
		if ev.Moves() {
			want["status"] = ev.StatusName()
			if ev.Family == wcs.FamilyStream || ev.Family == wcs.FamilyKeepAlive {
				want["published"] = ev.Published
			}
		}
		got := map[string]any{}
		for k := range want {
			got[k] = body[k]
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("line %d: body and Event differ (-Event +body):\n%s", i+1, diff)
		}
		if ev.Hook() != ev.Method {
			t.Fatalf("line %d: Hook %+v, Method %+v", i+1, ev.Hook(), ev.Method)
		}
		if mm, ok := wcs.LookupMethod(ev.Method.Name); !ok || mm != ev.Method {
			t.Fatalf("line %d: method %+v is not the catalogue's %+v", i+1, ev.Method, mm)
		}
		if ev.Method.HasFamily && ev.Method.Family != ev.Family {
			t.Fatalf("line %d: %s acts on %s, but the Event says %s", i+1, ev.Method.Name, ev.Method.Family, ev.Family)
		}
		k := key{ev.Family, ev.Key}
		if no, ok := entity[k]; ok && no != ev.Entity {
			t.Fatalf("line %d: %s %s is entity %d, before %d", i+1, ev.Family, ev.Key, ev.Entity, no)
		}
		entity[k] = ev.Entity
		m := ev.Family.Machine()
		from, ok := state[ev.Entity]
		if !ok {
			from = m.Initial()
		}
		switch ev.Method.Kind {
		case wcs.MethodKindStatus:
			if !wcs.StatusEventCarries(ev.Family, ev.Status) {
				t.Fatalf("line %d: a %s carries %s, which only an invocation delivers", i+1, ev.Family, ev.StatusName())
			}
		case wcs.MethodKindInvocation:
			if ev.Status != ev.Method.Status || ev.From != m.Initial() {
				t.Fatalf("line %d: %s delivers %s from %s", i+1, ev.Method.Name, ev.StatusName(), m.String(ev.From))
			}
		default:
			if ev.From != from || ev.To != from || ev.Status != 0 {
				t.Fatalf("line %d: %s moved %s %s: %s -%d-> %s, but it stood in %s", i+1, ev.Method.Name, ev.Family, ev.Key,
					m.String(ev.From), ev.Status, m.String(ev.To), m.String(from))
			}
			continue
		}
		if to, ok := m.Next(ev.From, ev.Status); ev.From != from || !ok || to != ev.To {
			t.Fatalf("line %d: %s %s: %s -%s-> %s, but it stood in %s", i+1, ev.Family, ev.Key,
				m.String(ev.From), m.String(ev.Status), m.String(ev.To), m.String(from))
		}
		state[ev.Entity] = ev.To
	}
}

// TestHookOrder: the hooks come where a backend sees them. An invocation
// is its entity's first event; nothing of a session but its connection's
// answer follows connect; a command comes only while its session's
// connection is ESTABLISHED or after it ended, and one that asks for a
// change (every command but sendDtmf) is followed, as its session's next
// event, by the status it asked for, on the same entity.
func TestHookOrder(t *testing.T) {
	effect := map[string][]string{ // command: the statuses it may ask for
		"answer": {"ESTABLISHED"}, "hangup": {"FINISH"}, "hold": {"HOLD"}, "unhold": {"ESTABLISHED"},
		"transfer": {"ACCEPTED"}, "unPublishStream": {"UNPUBLISHED"}, "stopStream": {"STOPPED"},
		"pauseStream": {"PAUSED"}, "snapshot": {"SNAPSHOT_COMPLETE"}, "sessionDebug": {"STARTED", "STOPPED"},
	}
	for seed := range uint64(5) {
		l := synth.Generate(synth.NewSource(seed), synth.Options{Events: 5000, Sessions: 20})
		conn := map[int]fsm.Symbol{}   // session: its connection's state
		seen := map[int]bool{}         // entity: has had an event
		asked := map[int]synth.Event{} // session: the command whose status is due
		for _, ev := range l.Events {
			where := fmt.Sprintf("seed %d, line %d, %s", seed, ev.Seq+1, ev.Method.Name)
			if cmd, ok := asked[ev.SessionNo]; ok {
				delete(asked, ev.SessionNo)
				if ev.Method.Kind != wcs.MethodKindStatus || ev.Entity != cmd.Entity || !slices.Contains(effect[cmd.Method.Name], ev.StatusName()) {
					t.Fatalf("%s: %s of line %d asked for one of %v, then came %s %s", where, cmd.Method.Name, cmd.Seq+1,
						effect[cmd.Method.Name], ev.Family, ev.StatusName())
				}
			}
			c, ok := conn[ev.SessionNo]
			if !ok && ev.Family != wcs.FamilyConnection {
				t.Fatalf("%s: the session's first event", where)
			}
			if c == fsm.Symbol(connection.Pending) && ev.Family != wcs.FamilyConnection {
				t.Fatalf("%s: after connect, before the connection's answer", where)
			}
			switch ev.Method.Kind {
			case wcs.MethodKindInvocation:
				if seen[ev.Entity] {
					t.Fatalf("%s: not its entity's first event", where)
				}
			case wcs.MethodKindCommand:
				if c != wcs.SessionLive && !ev.Ended {
					t.Fatalf("%s: a command while the connection is %s", where, connection.Machine.String(connection.State(c)))
				}
				if ev.Method.Name != "sendDtmf" {
					asked[ev.SessionNo] = ev
				}
			}
			if ev.Moves() {
				seen[ev.Entity] = true
				if ev.Family == wcs.FamilyConnection {
					conn[ev.SessionNo] = ev.To
				}
			}
		}
		if len(asked) > 0 {
			t.Errorf("seed %d: commands whose status never came: %v", seed, asked)
		}
	}
}

// TestHoldsEveryHook: at the sizes the tests use, a log holds every
// invocation and every command of the catalogue, and other hooks; a
// shorter one holds every invocation and some of each kind.
func TestHoldsEveryHook(t *testing.T) {
	rows := []struct {
		o    synth.Options
		seed uint64
		all  []wcs.MethodKind // kinds of which every method appears
	}{
		{synth.Options{Events: 50000, Sessions: 20}, 1, []wcs.MethodKind{wcs.MethodKindStatus, wcs.MethodKindInvocation, wcs.MethodKindCommand}},
		{synth.Options{Events: 200000, Sessions: 500}, 1, []wcs.MethodKind{wcs.MethodKindStatus, wcs.MethodKindInvocation, wcs.MethodKindCommand}},
		{synth.Options{Events: 3000, Sessions: 30}, 7, []wcs.MethodKind{wcs.MethodKindStatus, wcs.MethodKindInvocation}},
		{synth.Options{Events: 2000, Sessions: 20}, 3, []wcs.MethodKind{wcs.MethodKindInvocation}},
	}
	for _, row := range rows {
		g := synth.New(synth.NewSource(row.seed), row.o)
		var n [wcs.NumMethods]int
		var byKind [wcs.NumMethodKinds]int
		for {
			ev, ok := g.Next()
			if !ok {
				break
			}
			n[ev.Method.Index()]++
			byKind[ev.Method.Kind]++
		}
		var missing []string
		for _, m := range wcs.Methods() {
			if n[m.Index()] == 0 && slices.Contains(row.all, m.Kind) {
				missing = append(missing, m.Name)
			}
		}
		if len(missing) > 0 {
			t.Errorf("%+v, seed %d: no %v", row.o, row.seed, missing)
		}
		for k, x := range byKind {
			if x == 0 {
				t.Errorf("%+v, seed %d: no hook of kind %s", row.o, row.seed, wcs.MethodKind(k))
			}
		}
		t.Logf("%+v, seed %d: %v hooks by kind (status, invocation, command, other)", row.o, row.seed, byKind)
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
// family, the PENDING edges that only invocations take included, so that
// what is validated against it is the whole of each table.
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
			if x == 0 {
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

// TestHookOfAChangedEvent: an event copied and given the zero Method and a
// status is written as its family's status event carrying it (what a test
// that puts a mistake in relies on).
func TestHookOfAChangedEvent(t *testing.T) {
	l := synth.Generate(synth.NewSource(3), synth.Options{Events: 2000, Sessions: 20})
	for _, ev := range l.Events {
		m := ev.Family.Machine()
		bad := ev
		bad.From, bad.Status, bad.Method = ev.To, m.Statuses()[0], wcs.Method{}
		var body struct{ Event, Status string }
		if err := json.Unmarshal(synth.AppendJSON(nil, &bad), &body); err != nil {
			t.Fatal(err)
		}
		if want := ev.Family.String(); body.Event != want || body.Status != m.String(bad.Status) || !bad.Moves() {
			t.Fatalf("line %d, %s given %s: written as %+v, want %s", ev.Seq+1, ev.Method.Name, m.String(bad.Status), body, want)
		}
	}
	zero := synth.Event{Family: wcs.FamilyCall, Status: fsm.Symbol(call.Ring), Key: "c1", Session: "s1"}
	if got := string(synth.AppendJSON(nil, &zero)); !strings.HasPrefix(got, `{"event":"CallStatusEvent",`) || !strings.Contains(got, `"status":"RING"`) {
		t.Errorf("the zero Method: %s", got)
	}
}
