package fsm_test

import (
	"context"
	"errors"
	"slices"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	looplab "github.com/looplab/fsm"

	"github.com/wcsfsm/wcsfsm/fsm"
)

func TestLooplabEvents(t *testing.T) {
	want := looplab.Events{
		{Name: "DONE", Src: []string{"RUNNING"}, Dst: "DONE"},
		{Name: "FAILED", Src: []string{"IDLE", "PAUSED", "QUEUED", "RUNNING"}, Dst: "FAILED"},
		{Name: "PAUSED", Src: []string{"RUNNING"}, Dst: "PAUSED"},
		{Name: "PROGRESS", Src: []string{"PAUSED"}, Dst: "PAUSED"},
		{Name: "PROGRESS", Src: []string{"RUNNING"}, Dst: "RUNNING"},
		{Name: "QUEUED", Src: []string{"IDLE"}, Dst: "QUEUED"},
		{Name: "RUNNING", Src: []string{"PAUSED", "QUEUED", "RUNNING"}, Dst: "RUNNING"},
	}
	if diff := cmp.Diff(want, job.LooplabEvents()); diff != "" {
		t.Errorf("LooplabEvents (-want +got)\n%s", diff)
	}
	for i := range 20 {
		if diff := cmp.Diff(want, fsm.MustBuild(jobSpec()).LooplabEvents()); diff != "" {
			t.Fatalf("build %d: LooplabEvents is not deterministic (-want +got)\n%s", i, diff)
		}
	}
}

// TestLooplabEventsAreTransitions checks that the events are the machine's
// transitions grouped by status and destination, each edge exactly once.
func TestLooplabEventsAreTransitions(t *testing.T) {
	type edge struct{ From, Status, To string }
	var fromTrans []edge
	for _, tr := range job.Transitions() {
		fromTrans = append(fromTrans, edge{job.String(tr.From), job.String(tr.Status), job.String(tr.To)})
	}
	var fromEvents []edge
	seen := map[[2]string]bool{}
	for _, ev := range job.LooplabEvents() {
		if seen[[2]string{ev.Name, ev.Dst}] {
			t.Errorf("event %s -> %s described twice", ev.Name, ev.Dst)
		}
		seen[[2]string{ev.Name, ev.Dst}] = true
		if !sort.StringsAreSorted(ev.Src) {
			t.Errorf("event %s -> %s: Src %v not sorted", ev.Name, ev.Dst, ev.Src)
		}
		for _, src := range ev.Src {
			fromEvents = append(fromEvents, edge{src, ev.Name, ev.Dst})
		}
	}
	less := func(a, b edge) int {
		if a.From != b.From {
			return cmpString(a.From, b.From)
		}
		return cmpString(a.Status, b.Status)
	}
	slices.SortFunc(fromEvents, less)
	if diff := cmp.Diff(fromTrans, fromEvents); diff != "" {
		t.Errorf("the edges of LooplabEvents differ from Transitions (-transitions +events)\n%s", diff)
	}
}

// bridgeAt returns a new Bridge driven from the initial state to state.
func bridgeAt(t testing.TB, state Phase, cb looplab.Callbacks) *fsm.Bridge {
	t.Helper()
	b := job.Looplab(cb)
	for _, s := range pathTo(t, job, state) {
		if err := b.Fire(context.Background(), job.String(s)); err != nil {
			t.Fatalf("driving to %v: Fire(%v): %v", state, s, err)
		}
	}
	if got := b.Current(); got != job.String(state) {
		t.Fatalf("driving to %v: Current() = %s", state, got)
	}
	return b
}

func TestBridgeFireEveryEdge(t *testing.T) {
	for _, tr := range job.Transitions() {
		b := bridgeAt(t, tr.From, nil)
		if err := b.Fire(context.Background(), job.String(tr.Status)); err != nil {
			t.Errorf("%v got %v: Fire = %v, want nil", tr.From, tr.Status, err)
		}
		if got, want := b.Current(), job.String(tr.To); got != want {
			t.Errorf("%v got %v: Current() = %s, want %s", tr.From, tr.Status, got, want)
		}
	}
}

func TestBridgeSelfLoops(t *testing.T) {
	tests := []struct {
		why    string
		state  Phase
		status Phase
	}{
		{"a repeated status the table allows", Running, Running},
		{"a notice keeps RUNNING", Running, Progress},
		{"a notice keeps PAUSED", Paused, Progress},
	}
	for _, tt := range tests {
		after := 0
		b := bridgeAt(t, tt.state, looplab.Callbacks{
			"after_" + job.String(tt.status): func(context.Context, *looplab.Event) { after++ },
		})
		after = 0 // count from here, not while driving to tt.state
		// looplab itself calls this an error.
		var nt looplab.NoTransitionError
		if err := b.FSM.Event(context.Background(), job.String(tt.status)); !errors.As(err, &nt) {
			t.Errorf("%s: looplab's own Event = %v, want NoTransitionError (the trap Fire handles)", tt.why, err)
		}
		if err := b.Fire(context.Background(), job.String(tt.status)); err != nil {
			t.Errorf("%s: Fire = %v, want nil", tt.why, err)
		}
		if got := b.Current(); got != job.String(tt.state) {
			t.Errorf("%s: Current() = %s, want %v", tt.why, got, tt.state)
		}
		if after != 2 {
			t.Errorf("%s: after_ callback called %d times, want 2", tt.why, after)
		}
	}
}

func TestBridgeIllegal(t *testing.T) {
	for _, state := range job.States() {
		for _, status := range job.Statuses() {
			if job.Can(state, status) {
				continue
			}
			b := bridgeAt(t, state, nil)
			err := b.Fire(context.Background(), job.String(status))
			var inv looplab.InvalidEventError
			if !errors.As(err, &inv) {
				t.Errorf("%v got %v: Fire = %T %v, want InvalidEventError", state, status, err, err)
				continue
			}
			if inv.Event != job.String(status) || inv.State != job.String(state) {
				t.Errorf("%v got %v: InvalidEventError%+v", state, status, inv)
			}
			if got := b.Current(); got != job.String(state) {
				t.Errorf("%v got %v: refused, but moved to %s", state, status, got)
			}
		}
	}
	b := job.Looplab(nil)
	var unk looplab.UnknownEventError
	if err := b.Fire(context.Background(), "IDLE"); !errors.As(err, &unk) {
		t.Errorf("Fire(a state that is no status) = %v, want UnknownEventError", err)
	}
	if err := b.Fire(context.Background(), "BOGUS"); !errors.As(err, &unk) {
		t.Errorf("Fire(BOGUS) = %v, want UnknownEventError", err)
	}
}

type ctxKey struct{}

func TestBridgeCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "v"))
	cancel()

	// looplab alone: a cancelled context wedges the FSM for good.
	raw := job.Looplab(nil).FSM
	if err := raw.Event(ctx, "QUEUED"); !errors.Is(err, context.Canceled) {
		t.Errorf("looplab's Event with a cancelled context = %v, want context.Canceled", err)
	}
	var inTr looplab.InTransitionError
	if err := raw.Event(context.Background(), "FAILED"); !errors.As(err, &inTr) {
		t.Errorf("looplab after a cancelled context: %v, want InTransitionError (the trap Fire handles)", err)
	}

	var seen []any
	b := job.Looplab(looplab.Callbacks{
		"enter_state": func(ctx context.Context, e *looplab.Event) { seen = append(seen, ctx.Value(ctxKey{})) },
	})
	if err := b.Fire(ctx, "QUEUED"); err != nil {
		t.Fatalf("Fire with a cancelled context = %v, want nil: the cancellation is detached", err)
	}
	if err := b.Fire(context.Background(), "RUNNING"); err != nil {
		t.Fatalf("Fire after a cancelled context = %v, want nil", err)
	}
	if got := b.Current(); got != "RUNNING" {
		t.Errorf("Current() = %s, want RUNNING", got)
	}
	if diff := cmp.Diff([]any{"v", nil}, seen); diff != "" {
		t.Errorf("callbacks see the context's values (-want +got)\n%s", diff)
	}
	//lint:ignore SA1012 a nil context is what this test passes on purpose: the bridge must accept one
	if err := b.Fire(nil, "DONE"); err != nil {
		t.Errorf("Fire with a nil context = %v, want nil", err)
	}
}

func TestBridgeCallbacks(t *testing.T) {
	type call struct{ Name, Event, Src, Dst string }
	var calls []call
	rec := func(name string) looplab.Callback {
		return func(_ context.Context, e *looplab.Event) {
			calls = append(calls, call{name, e.Event, e.Src, e.Dst})
		}
	}
	b := job.Looplab(looplab.Callbacks{
		"enter_state":     rec("enter_state"),
		"before_RUNNING":  rec("before_RUNNING"),
		"enter_PAUSED":    rec("enter_PAUSED"),
		"leave_QUEUED":    rec("leave_QUEUED"),
		"after_PROGRESS":  rec("after_PROGRESS"),
		"before_PROGRESS": rec("before_PROGRESS"),
	})
	for _, s := range []string{"QUEUED", "RUNNING", "PROGRESS", "PAUSED", "RUNNING"} {
		if err := b.Fire(context.Background(), s); err != nil {
			t.Fatalf("Fire(%s) = %v", s, err)
		}
	}
	want := []call{
		{"enter_state", "QUEUED", "IDLE", "QUEUED"},
		{"before_RUNNING", "RUNNING", "QUEUED", "RUNNING"},
		{"leave_QUEUED", "RUNNING", "QUEUED", "RUNNING"},
		{"enter_state", "RUNNING", "QUEUED", "RUNNING"},
		{"before_PROGRESS", "PROGRESS", "RUNNING", "RUNNING"},
		{"after_PROGRESS", "PROGRESS", "RUNNING", "RUNNING"},
		{"enter_PAUSED", "PAUSED", "RUNNING", "PAUSED"},
		{"enter_state", "PAUSED", "RUNNING", "PAUSED"},
		{"before_RUNNING", "RUNNING", "PAUSED", "RUNNING"},
		{"enter_state", "RUNNING", "PAUSED", "RUNNING"},
	}
	if diff := cmp.Diff(want, calls); diff != "" {
		t.Errorf("callbacks (-want +got)\n%s", diff)
	}
}

func TestBridgeBeforeCancels(t *testing.T) {
	veto := errors.New("not now")
	entered := 0
	b := bridgeAt(t, Running, looplab.Callbacks{
		"before_DONE": func(_ context.Context, e *looplab.Event) { e.Cancel(veto) },
		"enter_state": func(context.Context, *looplab.Event) { entered++ },
	})
	entered = 0 // count from here, not while driving to RUNNING
	err := b.Fire(context.Background(), "DONE")
	var ce looplab.CanceledError
	if !errors.As(err, &ce) {
		t.Fatalf("Fire = %T %v, want CanceledError", err, err)
	}
	if !errors.Is(err, veto) {
		t.Errorf("Fire = %v, want it to wrap the callback's error", err)
	}
	if got := b.Current(); got != "RUNNING" {
		t.Errorf("a cancelled transition moved to %s", got)
	}
	if entered != 0 {
		t.Errorf("enter_state called %d times after a cancel", entered)
	}
	// Not wedged: another event goes through.
	if err := b.Fire(context.Background(), "PAUSED"); err != nil || b.Current() != "PAUSED" {
		t.Errorf("after a cancel: Fire(PAUSED) = %v, Current() = %s", err, b.Current())
	}
}

func TestBridgeAvailable(t *testing.T) {
	for _, state := range job.States() {
		b := bridgeAt(t, state, nil)
		for range 5 { // looplab's own order is a map's
			got := b.Available()
			if diff := cmp.Diff(job.AllowedNames(state), got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Available() in %v: sorted, the machine's Allowed (-want +got)\n%s", state, diff)
			}
		}
	}
}

// BenchmarkNextVsFire compares the machine with the looplab bridge on the
// same machine, one status at a time, RUNNING and PAUSED in turn.
func BenchmarkNextVsFire(b *testing.B) {
	b.Run("Machine.Next", func(b *testing.B) {
		b.ReportAllocs()
		s := Running
		for b.Loop() {
			s, _ = job.Next(s, Paused)
			s, _ = job.Next(s, Running)
		}
		if s != Running {
			b.Fatal(s)
		}
	})
	b.Run("Bridge.Fire", func(b *testing.B) {
		b.ReportAllocs()
		br := bridgeAt(b, Running, nil)
		ctx := context.Background()
		for b.Loop() {
			if err := br.Fire(ctx, "PAUSED"); err != nil {
				b.Fatal(err)
			}
			if err := br.Fire(ctx, "RUNNING"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
