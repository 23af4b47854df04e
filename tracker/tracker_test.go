package tracker_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wcsfsm/wcsfsm/eventlog"
	"github.com/wcsfsm/wcsfsm/tracker"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// got is a finding reduced to what the table rows state.
type got struct {
	Line   int
	Kind   string
	From   string
	Status string
}

// check validates lines (JSON Lines) and returns the findings, reduced.
func check(t *testing.T, opts tracker.Options, lines ...string) []got {
	t.Helper()
	var out []got
	v := &eventlog.Validator{
		Tracker: tracker.New(opts),
		Report: func(f tracker.Finding) {
			out = append(out, got{f.Line, f.Kind.String(), f.From, f.Status})
		},
	}
	if err := v.ReadJSONL("t", strings.NewReader(strings.Join(lines, "\n"))); err != nil {
		t.Fatal(err)
	}
	v.End()
	return out
}

func ev(event, status string, kv ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"event":%q,"status":%q`, event, status)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i] == "published" {
			fmt.Fprintf(&b, `,"published":%s`, kv[i+1])
			continue
		}
		fmt.Fprintf(&b, `,%q:%q`, kv[i], kv[i+1])
	}
	return b.String() + "}"
}

func conn(st string) string   { return ev("ConnectionStatusEvent", st, "sessionId", "s1") }
func callev(st string) string { return ev("CallStatusEvent", st, "sessionId", "s1", "callId", "c1") }
func xfer(st string) string   { return ev("TransferStatusEvent", st, "sessionId", "s1", "callId", "c1") }
func strm(st string) string {
	return ev("StreamStatusEvent", st, "sessionId", "s1", "mediaSessionId", "m1")
}
func ka(st string) string {
	return ev("StreamKeepAliveEvent", st, "sessionId", "s1", "mediaSessionId", "m1")
}
func reg(st string) string { return ev("RegistrationStatusEvent", st, "sessionId", "s1") }
func dbg(st string) string { return ev("SessionDebugStatusEvent", st, "sessionId", "s1") }
func data(op, st string) string {
	return ev("DataStatusEvent", st, "sessionId", "s1", "operationId", op)
}

func TestTrackerRules(t *testing.T) {
	tests := []struct {
		why   string
		opts  tracker.Options
		lines []string
		want  []got
	}{
		{"a clean session: nothing to report", tracker.Options{},
			[]string{conn("ESTABLISHED"), callev("RING"), callev("ESTABLISHED"), callev("FINISH"), conn("DISCONNECTED")}, nil},
		{"an illegal status is reported and does not move the machine: the next legal one is fine", tracker.Options{},
			[]string{conn("ESTABLISHED"), callev("RING"), callev("HOLD"), callev("ESTABLISHED"), callev("FINISH"), conn("DISCONNECTED")},
			[]got{{3, "illegal-transition", "RING", "HOLD"}}},
		{"after a terminal state nothing may follow, a second terminal status included", tracker.Options{},
			[]string{conn("ESTABLISHED"), strm("PUBLISHING"), strm("UNPUBLISHED"), strm("UNPUBLISHED"), conn("DISCONNECTED")},
			[]got{{4, "illegal-transition", "UNPUBLISHED", "UNPUBLISHED"}}},
		{"rule 1: a call before its session is ESTABLISHED; the machine still moves", tracker.Options{},
			[]string{callev("RING"), conn("ESTABLISHED"), callev("ESTABLISHED"), callev("FINISH"), conn("DISCONNECTED")},
			[]got{{1, "no-session", "NEW", "RING"}}},
		{"rule 6: with -partial a session never seen is not checked", tracker.Options{Partial: true},
			[]string{callev("RING"), callev("FINISH")}, nil},
		{"rule 2: teardown into a final state after the end is fine; a HOLD is not", tracker.Options{},
			[]string{conn("ESTABLISHED"), callev("ESTABLISHED"), reg("REGISTERED"), conn("DISCONNECTED"), callev("HOLD"), callev("FINISH"), reg("UNREGISTERED")},
			[]got{{5, "no-session", "ESTABLISHED", "HOLD"}}},
		{"rule 2: nothing new starts after the end, and it is not tracked (no dangling later)", tracker.Options{},
			[]string{conn("ESTABLISHED"), conn("DISCONNECTED"), strm("PUBLISHING")},
			[]got{{3, "no-session", "NEW", "PUBLISHING"}}},
		{"rule 3: a keep-alive needs its stream in the same status", tracker.Options{},
			[]string{conn("ESTABLISHED"), ka("PUBLISHING"), strm("PUBLISHING"), ka("PUBLISHING"), strm("UNPUBLISHED"), ka("PUBLISHING"), conn("DISCONNECTED")},
			[]got{{2, "keepalive-mismatch", "NEW", "PUBLISHING"}, {6, "keepalive-mismatch", "PUBLISHING", "PUBLISHING"}}},
		{"rule 4: a transfer attempt needs the call ESTABLISHED or HOLD", tracker.Options{},
			[]string{conn("ESTABLISHED"), callev("RING"), xfer("ACCEPTED"), callev("ESTABLISHED"), xfer("TRYING"), xfer("COMPLETED"), callev("FINISH"), conn("DISCONNECTED")},
			[]got{{3, "transfer-without-call", "NEW", "ACCEPTED"}}},
		{"rule 5: published must agree with the status and may not change", tracker.Options{},
			[]string{conn("ESTABLISHED"), ev("StreamStatusEvent", "PENDING", "sessionId", "s1", "mediaSessionId", "m1", "published", "false"),
				ev("StreamStatusEvent", "PUBLISHING", "sessionId", "s1", "mediaSessionId", "m1", "published", "true"), strm("UNPUBLISHED"), conn("DISCONNECTED")},
			[]got{{3, "direction-mismatch", "PENDING", "PUBLISHING"}}},
		{"a data operation takes exactly one status", tracker.Options{},
			[]string{conn("ESTABLISHED"), data("op1", "ACCEPTED"), data("op1", "FAILED"), conn("DISCONNECTED")},
			[]got{{3, "illegal-transition", "ACCEPTED", "FAILED"}}},
		{"debug left on, a connection left open: dangling warnings at the end, in the order they started", tracker.Options{},
			[]string{conn("ESTABLISHED"), dbg("STARTED")},
			[]got{{0, "dangling", "ESTABLISHED", ""}, {0, "dangling", "STARTED", ""}}},
		{"an illegal status that also breaks a rule gets both findings", tracker.Options{},
			[]string{conn("ESTABLISHED"), strm("PUBLISHING"), ka("PUBLISHING"), ka("PLAYING"), strm("UNPUBLISHED"), conn("DISCONNECTED")},
			[]got{{4, "illegal-transition", "PUBLISHING", "PLAYING"}, {4, "keepalive-mismatch", "PUBLISHING", "PLAYING"}}},
		{"ids are scoped by nodeId: the same callId on two nodes is two calls", tracker.Options{Partial: true},
			[]string{ev("CallStatusEvent", "RING", "callId", "c1", "nodeId", "n1"), ev("CallStatusEvent", "RING", "callId", "c1", "nodeId", "n2"),
				ev("CallStatusEvent", "FINISH", "callId", "c1", "nodeId", "n1"), ev("CallStatusEvent", "FINISH", "callId", "c1", "nodeId", "n2")}, nil},
		{"entity limit: an event past the cap is a finding and is not tracked", tracker.Options{Partial: true, MaxEntities: 1},
			[]string{ev("CallStatusEvent", "RING", "callId", "c1"), ev("CallStatusEvent", "RING", "callId", "c2"), ev("CallStatusEvent", "FINISH", "callId", "c1")},
			[]got{{2, "entity-limit", "", "RING"}}},
		{"after a session is forgotten, its keep-alive and transfer get no-session, not claims that their stream or call was never seen", tracker.Options{},
			[]string{conn("ESTABLISHED"), strm("PUBLISHING"), callev("ESTABLISHED"), callev("FINISH"), strm("UNPUBLISHED"), conn("DISCONNECTED"),
				ka("PUBLISHING"), xfer("ACCEPTED")},
			[]got{{7, "no-session", "NEW", "PUBLISHING"}, {8, "no-session", "NEW", "ACCEPTED"}}},
		{"a registration outlives its session as a mark: a late UNREGISTERED is legal, a second one is not", tracker.Options{},
			[]string{conn("ESTABLISHED"), reg("REGISTERED"), conn("DISCONNECTED"), reg("UNREGISTERED"), reg("UNREGISTERED")},
			[]got{{5, "illegal-transition", "UNREGISTERED", "UNREGISTERED"}, {5, "no-session", "UNREGISTERED", "UNREGISTERED"}}},
		{"an unknown status of an entity not seen before is one finding: the entity is not created, so no dangling at the end", tracker.Options{},
			[]string{conn("ESTABLISHED"), data("op1", "SENT"), conn("DISCONNECTED")},
			[]got{{2, "unknown-status", "NEW", "SENT"}}},
		{"a keep-alive whose only status was unknown was never started: after the end, its PUBLISHING is no-session", tracker.Options{},
			[]string{conn("ESTABLISHED"), ka("BOGUS"), conn("DISCONNECTED"), ka("PUBLISHING")},
			[]got{{2, "unknown-status", "NEW", "BOGUS"}, {4, "no-session", "NEW", "PUBLISHING"}}},
		{"an unknown status does not create the entity: its first real status is judged from the start", tracker.Options{},
			[]string{conn("ESTABLISHED"), callev("RINGING"), callev("RING"), callev("FINISH"), conn("DISCONNECTED")},
			[]got{{2, "unknown-status", "NEW", "RINGING"}}},
		{"-partial without a connection: a keep-alive after its stream ended is a mismatch, its direction still kept", tracker.Options{Partial: true},
			[]string{strm("PUBLISHING"), ka("PUBLISHING"), strm("UNPUBLISHED"), ka("PUBLISHING"),
				ev("StreamKeepAliveEvent", "PUBLISHING", "sessionId", "s1", "mediaSessionId", "m1", "published", "false")},
			[]got{{4, "keepalive-mismatch", "PUBLISHING", "PUBLISHING"}, {5, "keepalive-mismatch", "PUBLISHING", "PUBLISHING"},
				{5, "direction-mismatch", "PUBLISHING", "PUBLISHING"}}},
		{"-partial without a connection: a failed transfer after its call ended may not try again; its machine still moves, and is left open", tracker.Options{Partial: true},
			[]string{callev("ESTABLISHED"), xfer("FAILED"), callev("FINISH"), xfer("ACCEPTED")},
			[]got{{4, "transfer-without-call", "FAILED", "ACCEPTED"}, {0, "dangling", "ACCEPTED", ""}}},
		{"-partial: a ConnectionStatusEvent with an unknown status counts as seen, so rule 1 is checked for its session", tracker.Options{Partial: true},
			[]string{conn("BOGUS"), callev("RING")},
			[]got{{1, "unknown-status", "NEW", "BOGUS"}, {2, "no-session", "NEW", "RING"}, {0, "dangling", "RING", ""}}},
		{"-partial: a StreamStatusEvent with an unknown status counts as seen, so rule 3 is checked for its keep-alive", tracker.Options{Partial: true},
			[]string{strm("BOGUS"), ka("PUBLISHING")},
			[]got{{1, "unknown-status", "NEW", "BOGUS"}, {2, "keepalive-mismatch", "NEW", "PUBLISHING"}}},
		{"a closed id without a session is remembered as a mark: reuse is illegal", tracker.Options{Partial: true},
			[]string{ev("CallStatusEvent", "BUSY", "callId", "c1"), ev("CallStatusEvent", "RING", "callId", "c1")},
			[]got{{2, "illegal-transition", "BUSY", "RING"}}},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, check(t, tt.opts, tt.lines...)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

// TestForgottenSession: an ended session whose entities all closed is
// forgotten but for a mark; a later event of it is still a no-session error.
func TestForgottenSession(t *testing.T) {
	tr := tracker.New(tracker.Options{})
	var out []got
	v := &eventlog.Validator{Tracker: tr, Report: func(f tracker.Finding) { out = append(out, got{f.Line, f.Kind.String(), f.From, f.Status}) }}
	v.ReadJSONL("t", strings.NewReader(strings.Join([]string{conn("ESTABLISHED"), strm("PUBLISHING"), strm("UNPUBLISHED"), conn("DISCONNECTED")}, "\n")))
	if st := tr.Stats(); st.Tracked != 0 || st.Sessions != 0 {
		t.Fatalf("after the session closed: %d entities, %d sessions tracked, want 0", st.Tracked, st.Sessions)
	}
	v.ReadJSONL("t2", strings.NewReader(strm("UNPUBLISHED")+"\n"+callev("RING")))
	v.End()
	// The stream is forgotten with its session: its second UNPUBLISHED is
	// judged as a new entity's, after the end (machines.md, "Keys and
	// memory": a later event of a dropped session is a no-session error).
	want := []got{
		{1, "illegal-transition", "NEW", "UNPUBLISHED"},
		{1, "no-session", "NEW", "UNPUBLISHED"},
		{2, "no-session", "NEW", "RING"},
	}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestTakeNoAllocOnLegalPath(t *testing.T) {
	tr := tracker.New(tracker.Options{})
	tr.Take(&wcs.Event{Event: "ConnectionStatusEvent", Status: "ESTABLISHED", SessionID: "s1"})
	tr.Take(&wcs.Event{Event: "CallStatusEvent", Status: "ESTABLISHED", SessionID: "s1", CallID: "c1"})
	hold := &wcs.Event{Event: "CallStatusEvent", Status: "HOLD", SessionID: "s1", CallID: "c1"}
	est := &wcs.Event{Event: "CallStatusEvent", Status: "ESTABLISHED", SessionID: "s1", CallID: "c1"}
	allocs := testing.AllocsPerRun(1000, func() {
		if fs := tr.Take(hold); fs != nil {
			t.Fatal(fs)
		}
		if fs := tr.Take(est); fs != nil {
			t.Fatal(fs)
		}
	})
	if allocs != 0 {
		t.Errorf("Take on a legal path allocates %.1f times, want 0", allocs)
	}
}

// TestRecycleNoAlloc: a tracker reuses the entities and sessions it forgot,
// so that, once warm, whole sessions come and go without allocating: the
// memory of a long log is that of a short one with as many open at once.
func TestRecycleNoAlloc(t *testing.T) {
	const n = 3000 // past the marks' presize, so that their room is made
	evs := make([][]wcs.Event, n)
	for i := range evs {
		sid, cid, mid := fmt.Sprint("s", i), fmt.Sprint("c", i), fmt.Sprint("m", i)
		evs[i] = []wcs.Event{
			{Event: "ConnectionStatusEvent", Status: "ESTABLISHED", SessionID: sid},
			{Event: "CallStatusEvent", Status: "RING", SessionID: sid, CallID: cid},
			{Event: "StreamStatusEvent", Status: "PUBLISHING", SessionID: sid, MediaSessionID: mid},
			{Event: "CallStatusEvent", Status: "FINISH", SessionID: sid, CallID: cid},
			{Event: "StreamStatusEvent", Status: "UNPUBLISHED", SessionID: sid, MediaSessionID: mid},
			{Event: "ConnectionStatusEvent", Status: "DISCONNECTED", SessionID: sid},
		}
	}
	tr := tracker.New(tracker.Options{})
	i := 0
	session := func() {
		for k := range evs[i%n] {
			if fs := tr.Take(&evs[i%n][k]); fs != nil {
				t.Fatal(fs)
			}
		}
		i++
	}
	for range n / 2 {
		session()
	}
	if allocs := testing.AllocsPerRun(n/2-1, session); allocs != 0 {
		t.Errorf("a session through a warm tracker allocates %.2f times, want 0", allocs)
	}
	if st := tr.Stats(); st.Tracked != 0 || st.Sessions != 0 {
		t.Errorf("after every session ended: %d entities, %d sessions tracked, want 0", st.Tracked, st.Sessions)
	}
}

// TestEndFindingsOutliveTracker: the dangling findings of End keep their
// ids when the tracker goes on and reuses the entities they were about.
func TestEndFindingsOutliveTracker(t *testing.T) {
	tr := tracker.New(tracker.Options{})
	tr.Take(&wcs.Event{Event: "ConnectionStatusEvent", Status: "ESTABLISHED", SessionID: "s1", NodeID: "n1"})
	tr.Take(&wcs.Event{Event: "CallStatusEvent", Status: "RING", SessionID: "s1", CallID: "c1", NodeID: "n1"})
	fs := tr.End()
	tr.Take(&wcs.Event{Event: "CallStatusEvent", Status: "FINISH", SessionID: "s1", CallID: "c1", NodeID: "n1"})
	tr.Take(&wcs.Event{Event: "ConnectionStatusEvent", Status: "DISCONNECTED", SessionID: "s1", NodeID: "n1"})
	tr.Take(&wcs.Event{Event: "ConnectionStatusEvent", Status: "ESTABLISHED", SessionID: "zz", NodeID: "n9"})
	tr.Take(&wcs.Event{Event: "CallStatusEvent", Status: "RING", SessionID: "zz", CallID: "xx", NodeID: "n9"})
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.Node+"/"+f.Entity)
	}
	if diff := cmp.Diff([]string{"n1/s1", "n1/c1"}, ids); diff != "" {
		t.Errorf("ids of End's findings after the tracker went on (-want +got):\n%s", diff)
	}
}

// TestPartialForgetsFollowers: under -partial, in a log without connection
// events nothing ends a session, so a stream's keep-alive is forgotten (as
// a mark) when the stream ends: tracked memory follows the media sessions
// open at once.
func TestPartialForgetsFollowers(t *testing.T) {
	tr := tracker.New(tracker.Options{Partial: true})
	for i := range 100 {
		sid, id := fmt.Sprint("s", i), fmt.Sprint("x", i)
		for _, e := range []wcs.Event{
			{Event: "StreamStatusEvent", Status: "PUBLISHING", SessionID: sid, MediaSessionID: id},
			{Event: "StreamKeepAliveEvent", Status: "PUBLISHING", SessionID: sid, MediaSessionID: id},
			{Event: "StreamStatusEvent", Status: "UNPUBLISHED", SessionID: sid, MediaSessionID: id},
		} {
			if fs := tr.Take(&e); fs != nil {
				t.Fatal(fs)
			}
		}
	}
	if st := tr.Stats(); st.Tracked != 0 || st.Sessions != 0 {
		t.Errorf("after 100 media sessions ended: %d entities, %d sessions tracked, want 0", st.Tracked, st.Sessions)
	}
}
