// Package synth generates synthetic event logs of Web Call Server: many
// WebSocket sessions, interleaved, each with its registration, debug
// switch, data sends, calls with their transfers, and published and played
// streams with their keep-alives, in realistic hook bodies (JSON Lines with
// an "event" field, log-format.md). A log is the whole hook stream a WCS
// backend receives (hooks.md): the status events, the invocations before
// the statuses they cause (connect, publishStream, playStream, call,
// OnCallEvent, OnDataEvent, each delivering PENDING), the commands before
// their effects (hold before HOLD, hangup before FINISH, stopStream before
// STOPPED, …; most effects have one, some come without), and now and then
// another hook (sendDtmf, sendMessage, MessageStatusEvent, OnMessageEvent,
// StreamsStatEvent, RecordingStatusEvent).
//
// Every log is valid by construction: each entity walks its family's own
// machine (the next status is drawn from [fsm.Machine.Allowed], never from
// a hand-written script; a PENDING that only an invocation delivers comes
// only by one), filtered only by the rules across families of
// machines.md:
//
//   - a session starts with connect (its connection then PENDING, and
//     nothing else in it moves until the next ConnectionStatusEvent) or
//     with a ConnectionStatusEvent from NEW (rule 1); a command is sent only
//     while the connection is ESTABLISHED or, in a teardown, after it
//     ended;
//   - it ends either after its entities have reached a final state, or
//     with DISCONNECTED or FAILED first, after which its entities only take
//     transitions into another final state (rule 2);
//   - a keep-alive is sent only while its stream is in the matching state
//     (rule 3), a transfer attempt only while its call is ESTABLISHED or
//     HOLD (rule 4), and a media session keeps one direction (rule 5).
//
// So "wcsfsm validate -strict" reports nothing on a generated log. The
// randomness comes through a [Source]: [NewSource] for a seeded
// math/rand/v2 generator (the command "wcsfsm gen"), or the rapid adapter
// of package fsmtest, so that property tests shrink a failing log.
//
// Package synth does not import rapid: the command links it.
package synth

import (
	"io"
	"math/rand/v2"

	"github.com/wcsfsm/wcsfsm/fsm"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// A Source supplies every random choice of a [Generator].
type Source interface {
	// Intn returns a number in [0, n), n > 0. A choice of 0 is always the
	// simplest one (the shortest session, the first status in name order,
	// an ending rather than going on), so a source that shrinks towards 0
	// shrinks towards short logs.
	Intn(n int) int
}

// NewSource returns a Source of a math/rand/v2 PCG generator seeded with
// seed: the same seed gives the same log.
func NewSource(seed uint64) Source {
	return randSource{rand.New(rand.NewPCG(seed, 0x5eed_0f_3c5f5))}
}

type randSource struct{ r *rand.Rand }

func (s randSource) Intn(n int) int { return s.r.IntN(n) }

// Defaults of Options.
const (
	DefaultEvents   = 1000
	DefaultSessions = 10
	DefaultLife     = 40
	DefaultNode     = "d2hxbqNPE04vGeZ51NPhDuId6k3hUrBB@95.191.130.39"
)

// Options shape a generated log. The zero value is the default.
type Options struct {
	// Events is the number of events, exactly (0: DefaultEvents): of
	// lines, every hook one, whatever its kind. Every session and entity
	// is closed by the end of the log (one left PENDING after its
	// invocation is not): as the end nears, the generator stops opening
	// things and closes the rest.
	Events int
	// Sessions is the number of sessions open at the same time (0:
	// DefaultSessions). Sessions end and new ones start all through the
	// log, so a longer log has more sessions, not more at once.
	Sessions int
	// Life bounds the steps a session takes before it starts to end (0:
	// DefaultLife); each session draws its own, from 1 to Life.
	Life int
	// Node is the nodeId of every event ("": DefaultNode).
	Node string
}

func (o Options) withDefaults() Options {
	if o.Events <= 0 {
		o.Events = DefaultEvents
	}
	if o.Sessions <= 0 {
		o.Sessions = DefaultSessions
	}
	if o.Life <= 0 {
		o.Life = DefaultLife
	}
	if o.Node == "" {
		o.Node = DefaultNode
	}
	return o
}

// An Event is one generated event: what it is, beside its JSON line, so
// that tests know which line is which entity and which hook.
type Event struct {
	Seq int // the event's place in the log, from 0 (its line is Seq+1)
	// Method is the hook the line is, its "event" field (hooks.md): a
	// status event, an invocation, a command or another hook. The zero
	// Method stands for the status event of Family; see [Event.Hook] for
	// an event changed after it was generated.
	Method wcs.Method
	// Family is the family of the entity the line is about, and so the
	// machine of From, Status, To: the status event's or the invocation's
	// family, the one a command acts on (a transfer's for "transfer"), and
	// for another hook the stream or call it speaks of (StreamsStatEvent,
	// RecordingStatusEvent, sendDtmf), else the session's connection.
	Family wcs.Family
	// From is the entity's state before the event, To after it. Status is
	// the status received: a status event's (To differs from Status for a
	// notice), the one an invocation delivers (PENDING: From is NEW, To
	// PENDING). A command or another hook moves nothing: From and To are
	// both the entity's state, Status is 0.
	From, Status, To fsm.Symbol
	Node             string // nodeId
	Session          string // sessionId
	SessionNo        int    // the session's number, from 0
	// Key is the entity's key: the sessionId (connection, registration,
	// debug), the callId (call, transfer), the mediaSessionId (stream,
	// keep-alive) or the operationId (data).
	Key string
	// Entity is the entity's number, from 0, unique in the log: (Family,
	// Key) and Entity name the same entity.
	Entity int
	// Parent is the number of the stream of a keep-alive or of the call of
	// a transfer, and -1 for every other family.
	Parent    int
	Published bool // streams and keep-alives: a published (true) or played media session
	// Ended: the session's connection had ended (DISCONNECTED or FAILED)
	// before this event, which is then a teardown (rule 2).
	Ended bool
}

// Hook returns the hook the event's line is, the one [AppendJSON] writes:
// Method, or the status event of Family where Method is the zero Method.
// So a test puts a status of its choice in a log by copying an event and
// setting Status, From and the zero Method.
func (e *Event) Hook() wcs.Method {
	if e.Method.Name == "" && e.Family < wcs.NumFamilies {
		return statusMethods[e.Family]
	}
	return e.Method
}

// Moves reports whether the event moves its entity's machine: a status
// event or an invocation; a command or another hook does not.
func (e *Event) Moves() bool {
	k := e.Hook().Kind
	return k == wcs.MethodKindStatus || k == wcs.MethodKindInvocation
}

// StatusName returns the name of the event's status ("" for a command or
// another hook, which carry none).
func (e *Event) StatusName() string {
	if !e.Moves() {
		return ""
	}
	return e.Family.Machine().String(e.Status)
}

// A Log is a generated log held in memory.
type Log struct {
	Events []Event
	Lines  [][]byte // Lines[i] is Events[i] as a JSON object, without a line ending
}

// Bytes returns the log as JSON Lines, each line ended by "\n".
func (l *Log) Bytes() []byte {
	n := 0
	for _, line := range l.Lines {
		n += len(line) + 1
	}
	out := make([]byte, 0, n)
	for _, line := range l.Lines {
		out = append(append(out, line...), '\n')
	}
	return out
}

// Generate generates a whole log in memory.
func Generate(src Source, o Options) *Log {
	g := New(src, o)
	l := &Log{Events: make([]Event, 0, g.o.Events), Lines: make([][]byte, 0, g.o.Events)}
	var buf []byte
	for {
		ev, ok := g.Next()
		if !ok {
			break
		}
		start := len(buf)
		buf = AppendJSON(buf, &ev)
		l.Events = append(l.Events, ev)
		l.Lines = append(l.Lines, buf[start:len(buf):len(buf)])
	}
	// The lines point into buf, which may have moved as it grew: point
	// them again, at its last home.
	off := 0
	for i, line := range l.Lines {
		l.Lines[i] = buf[off : off+len(line) : off+len(line)]
		off += len(line)
	}
	return l
}

// Write generates a log and writes it to w as JSON Lines, one event at a
// time, holding no more than a small buffer of it; it returns the number
// of events written and the first error of w.
func Write(w io.Writer, src Source, o Options) (int, error) {
	g := New(src, o)
	buf := make([]byte, 0, 64<<10)
	n := 0
	for {
		ev, ok := g.Next()
		if !ok {
			break
		}
		buf = append(AppendJSON(buf, &ev), '\n')
		n++
		if len(buf) >= 60<<10 {
			if _, err := w.Write(buf); err != nil {
				return n, err
			}
			buf = buf[:0]
		}
	}
	if _, err := w.Write(buf); err != nil {
		return n, err
	}
	return n, nil
}
