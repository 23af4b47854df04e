package tracker_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wcsfsm/wcsfsm/eventlog"
	"github.com/wcsfsm/wcsfsm/tracker"
)

// hook is a hook's body as WCS posts it: its name as "event", the body's
// own "status" PENDING (which the tracker ignores), and the fields.
func hook(name string, kv ...string) string { return ev(name, "PENDING", kv...) }

// bare is a hook's body without a status.
func bare(name string, kv ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"event":%q`, name)
	for i := 0; i+1 < len(kv); i += 2 {
		fmt.Fprintf(&b, `,%q:%q`, kv[i], kv[i+1])
	}
	return b.String() + "}"
}

var (
	connect = hook("connect", "sessionId", "s1")
	publish = hook("publishStream", "sessionId", "s1", "mediaSessionId", "m1")
	play    = hook("playStream", "sessionId", "s1", "mediaSessionId", "m1")
	dial    = hook("call", "sessionId", "s1", "callId", "c1")
	offered = hook("OnCallEvent", "sessionId", "s1", "callId", "c1")
	send    = hook("OnDataEvent", "sessionId", "s1", "operationId", "op1")
)

func cmd(name string) string {
	key := "callId"
	switch name {
	case "unPublishStream", "stopStream", "pauseStream", "snapshot":
		key = "mediaSessionId"
	case "sessionDebug":
		return bare(name, "sessionId", "s1")
	}
	id := "c1"
	if key == "mediaSessionId" {
		id = "m1"
	}
	return bare(name, "sessionId", "s1", key, id)
}

// TestHooks: the hooks of hooks.md beside the status events: invocations
// move their machine, commands are checked for rule 1, other hooks are
// counted; and the options -partial and -tail (rules 6 and 7).
func TestHooks(t *testing.T) {
	partial, tail := tracker.Options{Partial: true}, tracker.Options{Tail: true}
	tests := []struct {
		why   string
		opts  tracker.Options
		lines []string
		want  []got
	}{
		{"the whole stream of a publish: connect, ESTABLISHED, publishStream, PUBLISHING, unPublishStream, UNPUBLISHED, DISCONNECTED: clean", tracker.Options{},
			[]string{connect, conn("ESTABLISHED"), publish, strm("PUBLISHING"), cmd("unPublishStream"), strm("UNPUBLISHED"), conn("DISCONNECTED")}, nil},
		{"an incoming call: OnCallEvent, RING, answer, ESTABLISHED, hold, HOLD, unhold, ESTABLISHED, hangup, FINISH: clean", tracker.Options{},
			[]string{conn("ESTABLISHED"), offered, callev("RING"), cmd("answer"), callev("ESTABLISHED"), cmd("hold"), callev("HOLD"), cmd("unhold"),
				callev("ESTABLISHED"), cmd("sendDtmf"), cmd("transfer"), xfer("ACCEPTED"), xfer("COMPLETED"), cmd("hangup"), callev("FINISH"), conn("DISCONNECTED")}, nil},
		{"the body's status of an invocation is ignored: the hook delivers PENDING", tracker.Options{},
			[]string{conn("ESTABLISHED"), ev("call", "ESTABLISHED", "sessionId", "s1", "callId", "c1"), callev("TRYING"), callev("FINISH"), conn("DISCONNECTED")}, nil},
		{"a connect that nothing answered is dangling in PENDING", tracker.Options{},
			[]string{connect},
			[]got{{0, "dangling", "PENDING", ""}}},
		{"a publishStream that no status answered is dangling", tracker.Options{},
			[]string{conn("ESTABLISHED"), publish, conn("DISCONNECTED")},
			[]got{{0, "dangling", "PENDING", ""}}},
		{"PENDING in a ConnectionStatusEvent, CallStatusEvent or DataStatusEvent is unknown-status: only the hooks deliver it", tracker.Options{},
			[]string{conn("PENDING"), conn("ESTABLISHED"), callev("PENDING"), ev("DataStatusEvent", "PENDING", "sessionId", "s1", "operationId", "op1"), conn("DISCONNECTED")},
			[]got{{1, "unknown-status", "NEW", "PENDING"}, {3, "unknown-status", "NEW", "PENDING"}, {4, "unknown-status", "NEW", "PENDING"}}},
		{"a StreamStatusEvent may carry PENDING, also after publishStream", tracker.Options{},
			[]string{conn("ESTABLISHED"), publish, strm("PENDING"), strm("PUBLISHING"), strm("UNPUBLISHED"), conn("DISCONNECTED")}, nil},
		{"rule 1: publishStream before the session is ESTABLISHED; the message says it was connecting", tracker.Options{},
			[]string{connect, publish, conn("ESTABLISHED"), strm("PUBLISHING"), strm("UNPUBLISHED"), conn("DISCONNECTED")},
			[]got{{2, "no-session", "NEW", "PENDING"}}},
		{"rule 1: a command before the session is ESTABLISHED is no-session; after it ended it is no error", tracker.Options{},
			[]string{connect, cmd("hangup"), conn("ESTABLISHED"), conn("DISCONNECTED"), cmd("hangup"), cmd("stopStream"), cmd("sessionDebug")},
			[]got{{2, "no-session", "", ""}}},
		{"rule 1: a command of a session never seen is no-session, and names -partial", tracker.Options{},
			[]string{cmd("hold")},
			[]got{{1, "no-session", "", ""}}},
		{"rule 2: nothing starts after the end, not by an invocation either", tracker.Options{},
			[]string{conn("ESTABLISHED"), conn("DISCONNECTED"), publish, dial},
			[]got{{3, "no-session", "NEW", "PENDING"}, {4, "no-session", "NEW", "PENDING"}}},
		{"rule 2: connect on a session that ended is illegal", tracker.Options{},
			[]string{conn("ESTABLISHED"), conn("DISCONNECTED"), connect},
			[]got{{3, "illegal-transition", "DISCONNECTED", "PENDING"}}},
		{"rule 5: publishStream fixes the direction; a PLAYING after it is a mismatch, reported once", tracker.Options{},
			[]string{conn("ESTABLISHED"), publish, strm("PLAYING"), strm("STOPPED"), conn("DISCONNECTED")},
			[]got{{3, "direction-mismatch", "PENDING", "PLAYING"}}},
		{"rule 5 as it was for status events: a direction a published field recorded stays, every later published field is held to it", tracker.Options{},
			[]string{conn("ESTABLISHED"), ev("StreamStatusEvent", "PUBLISHING", "sessionId", "s1", "mediaSessionId", "m1", "published", "false"),
				ev("StreamStatusEvent", "PUBLISHING", "sessionId", "s1", "mediaSessionId", "m1", "published", "true"),
				ev("StreamKeepAliveEvent", "PUBLISHING", "sessionId", "s1", "mediaSessionId", "m1", "published", "true"), strm("UNPUBLISHED"), conn("DISCONNECTED")},
			[]got{{2, "direction-mismatch", "NEW", "PUBLISHING"}, {3, "direction-mismatch", "PUBLISHING", "PUBLISHING"}, {4, "direction-mismatch", "NEW", "PUBLISHING"}}},
		{"rule 5: playStream with published=true in its body is a mismatch", tracker.Options{},
			[]string{conn("ESTABLISHED"), `{"event":"playStream","sessionId":"s1","mediaSessionId":"m1","published":true}`, strm("PLAYING"), strm("STOPPED"), conn("DISCONNECTED")},
			[]got{{2, "direction-mismatch", "NEW", "PENDING"}}},
		{"rule 5: publishStream and playStream may not share a mediaSessionId", tracker.Options{},
			[]string{conn("ESTABLISHED"), publish, play, strm("UNPUBLISHED"), conn("DISCONNECTED")},
			[]got{{3, "direction-mismatch", "PENDING", "PENDING"}}},
		{"rule 5: a keep-alive after playStream must be played", tracker.Options{},
			[]string{conn("ESTABLISHED"), play, strm("PLAYING"), ka("PUBLISHING"), strm("STOPPED"), conn("DISCONNECTED")},
			[]got{{4, "keepalive-mismatch", "NEW", "PUBLISHING"}, {4, "direction-mismatch", "NEW", "PUBLISHING"}}},
		{"other hooks are counted, not checked: no finding, whatever they carry", tracker.Options{},
			[]string{bare("StreamsStatEvent"), `{"event":"MessageStatusEvent","sessionId":7,"status":["x"]}`, bare("pushLogs", "sessionId", "nobody")}, nil},
		{"a command without its key is missing-field, once", tracker.Options{},
			[]string{conn("ESTABLISHED"), bare("hold", "sessionId", "s1"), bare("snapshot", "sessionId", "s1"), conn("DISCONNECTED")},
			[]got{{2, "missing-field", "", ""}, {3, "missing-field", "", ""}}},
		{"an invocation without its key is missing-field; OnDataEvent's operationId is optional", tracker.Options{},
			[]string{conn("ESTABLISHED"), hook("publishStream", "sessionId", "s1"), hook("OnDataEvent", "sessionId", "s1"), conn("DISCONNECTED")},
			[]got{{2, "missing-field", "", "PENDING"}}},
		{"an unknown hook is unknown-event", tracker.Options{},
			[]string{bare("publishstream", "sessionId", "s1")},
			[]got{{1, "unknown-event", "", ""}}},
		{"a hook named by a URL or path", tracker.Options{},
			[]string{conn("ESTABLISHED"), bare("http://backend:8081/apps/EchoApp/publishStream?x=1", "sessionId", "s1", "mediaSessionId", "m1"), strm("FAILED"), conn("DISCONNECTED")}, nil},
		{"null is absent: nodeId null is no node; a null key is missing", tracker.Options{},
			[]string{`{"event":"ConnectionStatusEvent","sessionId":"s1","nodeId":null,"status":"ESTABLISHED"}`, `{"event":"CallStatusEvent","sessionId":"s1","callId":null,"status":"RING"}`,
				`{"event":"ConnectionStatusEvent","sessionId":"s1","status":"DISCONNECTED","published":null}`},
			[]got{{2, "missing-field", "", "RING"}}},
		{"an id longer than MaxID is one finding, and not tracked (nothing dangles)", tracker.Options{MaxID: 8, Partial: true},
			[]string{ev("CallStatusEvent", "RING", "callId", "c-123456789"), ev("CallStatusEvent", "RING", "sessionId", "session-123456789", "callId", "c2"),
				ev("CallStatusEvent", "RING", "callId", "c3", "nodeId", "node-123456789"), ev("CallStatusEvent", "FINISH", "callId", "c-12345")},
			[]got{{1, "id-too-long", "", "RING"}, {2, "id-too-long", "", "RING"}, {3, "id-too-long", "", "RING"}, {4, "illegal-transition", "NEW", "FINISH"}}},
		{"data: OnDataEvent, then one status", tracker.Options{},
			[]string{conn("ESTABLISHED"), send, ev("DataStatusEvent", "ACCEPTED", "sessionId", "s1", "operationId", "op1"), conn("DISCONNECTED")}, nil},

		// Rule 6: invocations are no other side.
		{"-partial: connect does not make rule 1 apply to its session", partial,
			[]string{connect, callev("RING"), callev("FINISH"), cmd("hold")}, nil},
		{"-partial: a connect and calls offered, no status event of those families: nothing dangles", partial,
			[]string{connect, offered, send}, nil},
		{"-partial: with a status event of the family in the log, an entity left in PENDING dangles", partial,
			[]string{connect, hook("connect", "sessionId", "s2"), ev("ConnectionStatusEvent", "ESTABLISHED", "sessionId", "s2"), ev("ConnectionStatusEvent", "DISCONNECTED", "sessionId", "s2")},
			[]got{{0, "dangling", "PENDING", ""}}},
		{"-partial: a stream only publishStream moved is no other side for rule 3", partial,
			[]string{publish, ka("PUBLISHING")},
			[]got{}},
		{"-partial: a call only `call` moved is no other side for rule 4", partial,
			[]string{dial, xfer("ACCEPTED"), xfer("COMPLETED")}, []got{}},
		{"without -partial a keep-alive on a stream only publishStream moved is a mismatch", tracker.Options{},
			[]string{conn("ESTABLISHED"), publish, ka("PUBLISHING"), strm("FAILED"), conn("DISCONNECTED")},
			[]got{{3, "keepalive-mismatch", "NEW", "PUBLISHING"}}},

		// Rule 7: -tail.
		{"-tail: a log that begins mid-session: each entity's first status is taken as it comes", tail,
			[]string{callev("ESTABLISHED"), strm("PLAYING"), ka("PLAYING"), xfer("TRYING"), xfer("COMPLETED"), callev("FINISH"), strm("STOPPED"), conn("DISCONNECTED")}, nil},
		{"-tail: after the first event, everything is checked as usual", tail,
			[]string{strm("UNPUBLISHED"), strm("UNPUBLISHED"), callev("BUSY"), callev("RING"), conn("DISCONNECTED"), ev("StreamStatusEvent", "PLAYING", "sessionId", "s1", "mediaSessionId", "m2")},
			[]got{{2, "illegal-transition", "UNPUBLISHED", "UNPUBLISHED"}, {4, "illegal-transition", "BUSY", "RING"}, {6, "no-session", "NEW", "PLAYING"}}},
		{"-tail: a notice as first event leaves the entity unseen", tail,
			[]string{strm("RESIZE"), ka("PUBLISHING"), strm("PUBLISHING"), strm("UNPUBLISHED")}, nil},
		{"-tail: an unknown status is still unknown-status, PENDING in a ConnectionStatusEvent too", tail,
			[]string{conn("PENDING"), callev("RINGING")},
			[]got{{1, "unknown-status", "NEW", "PENDING"}, {2, "unknown-status", "NEW", "RINGING"}}},
		{"-tail: the first event of a direction is kept", tail,
			[]string{ev("StreamStatusEvent", "PLAYING", "sessionId", "s1", "mediaSessionId", "m1", "published", "true")},
			[]got{{1, "direction-mismatch", "NEW", "PLAYING"}, {0, "dangling", "PLAYING", ""}}},
		{"without -tail, an illegal first event names -tail (the message)", tracker.Options{},
			[]string{conn("DISCONNECTED")},
			[]got{{1, "illegal-transition", "NEW", "DISCONNECTED"}}},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			g := check(t, tt.opts, tt.lines...)
			want := tt.want
			if len(want) == 0 {
				want = nil
			}
			if diff := cmp.Diff(want, g); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

// TestHookMessages: the messages that point at a switch or a cause.
func TestHookMessages(t *testing.T) {
	tests := []struct {
		why   string
		opts  tracker.Options
		lines []string
		want  string // in the message of the first finding
	}{
		{"no-session after a connect says the session was connecting", tracker.Options{},
			[]string{connect, publish}, "is PENDING (connecting: its connect hook came"},
		{"a command before ESTABLISHED", tracker.Options{},
			[]string{connect, cmd("hold")}, "hold for CallStatusEvent c1: session s1 is PENDING (connecting"},
		{"an illegal first event names -tail", tracker.Options{},
			[]string{conn("DISCONNECTED")}, "for a log that begins after its sessions began use -tail"},
		{"PENDING in a CallStatusEvent names the hooks that deliver it", tracker.Options{},
			[]string{callev("PENDING")}, "which CallStatusEvent never carries: only the call or OnCallEvent hook delivers it"},
		{"unknown-event does not list the known hooks on every line", tracker.Options{},
			[]string{bare("Bogus")}, "names no hook that WCS posts (wcsfsm spec -hooks lists them; if WCS does post it, report it)"},
		{"an invocation's finding names its hook", tracker.Options{},
			[]string{conn("ESTABLISHED"), conn("DISCONNECTED"), publish}, "StreamStatusEvent m1 got PENDING (publishStream): session s1 ended"},
		{"a publish never answered", tracker.Options{},
			[]string{conn("ESTABLISHED"), publish}, "is left in ESTABLISHED"},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			var msgs []string
			v := validator(tt.opts, func(f tracker.Finding) { msgs = append(msgs, f.Message) })
			if err := v.ReadJSONL("t", strings.NewReader(strings.Join(tt.lines, "\n"))); err != nil {
				t.Fatal(err)
			}
			v.End()
			if len(msgs) == 0 || !strings.Contains(msgs[0], tt.want) {
				t.Errorf("messages %q, want the first to hold %q", msgs, tt.want)
			}
		})
	}
}

func validator(opts tracker.Options, report func(tracker.Finding)) *eventlog.Validator {
	return &eventlog.Validator{Tracker: tracker.New(opts), Report: report}
}
