package tracker

import (
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"unsafe"

	"github.com/wcsfsm/wcsfsm/fsm"
	"github.com/wcsfsm/wcsfsm/internal/hashtab"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// Defaults of the bounds in Options.
const (
	DefaultMaxEntities = 1 << 20 // entities tracked at once
	DefaultMaxMarks    = 1 << 16 // compact marks of forgotten sessions and entities
	DefaultMaxID       = 4 << 10 // bytes of an id: an entity's key, a sessionId, a nodeId
	// The largest bounds a Tracker takes: larger Options are taken as
	// these, a snapshot that claims larger ones is refused, and the
	// command refuses such flags.
	MaxMaxEntities         = 1 << 30
	MaxMaxMarks            = 1 << 30
	defaultFindingCapacity = 4
)

// Options configure a Tracker. The zero value is the default: all rules,
// default bounds.
type Options struct {
	// Partial is for logs that carry only some families: a rule across
	// families is checked only where its other side has appeared in the
	// log (machines.md, rule 6).
	Partial bool
	// Tail is for logs that may begin after some of their sessions began
	// (machines.md, rule 7): the first event of an entity the log has not
	// shown before is taken as it comes, when its status is one of its
	// family's, and the entity goes on from the state it leads to. Tail
	// implies Partial.
	Tail bool
	// MaxEntities bounds the entities tracked at once (0: DefaultMaxEntities;
	// at most MaxMaxEntities).
	// An event that would start one more gets an entity-limit finding and is
	// not tracked.
	MaxEntities int
	// MaxMarks bounds the compact marks (0: DefaultMaxMarks; at most
	// MaxMaxMarks) of what the
	// tracker forgot. An ended session is forgotten as soon as none of its
	// entities is open; it lives on as a mark (a 64-bit hash of its key and
	// its connection's state), and so does each of its entities that may
	// still move into another final state after the end (a registration,
	// for a late UNREGISTERED): a later event of the session is a
	// no-session error, and a late teardown event is judged against its
	// entity's state. Entities that close without a session to end them
	// (-partial) leave a mark too, so a reused id is still illegal. The
	// oldest mark goes first: an event of a session forgotten that long ago
	// is judged as one of a session never seen.
	MaxMarks int
	// MaxID bounds the length in bytes of the ids the tracker keeps (0:
	// DefaultMaxID): an entity's key, a sessionId, a nodeId. An event with
	// a longer one gets an id-too-long finding and is not tracked, so that
	// the memory of an entity is bounded whatever the line limit.
	MaxID int
}

// Stats counts what a Tracker has taken.
type Stats struct {
	Events   int64           // events taken (every call of Take)
	Entities int64           // entities started
	Open     int             // entities tracked now that are not in a final state
	Tracked  int             // entities tracked now
	Sessions int             // sessions tracked now
	Findings [NumKinds]int64 // findings by kind
	// Families counts the status events of each family (not the
	// invocations or commands that name it).
	Families [wcs.NumFamilies]int64
	// Methods counts the hooks taken by method, in the order of
	// wcs.Methods (Method.Index); Events less their sum is the number of
	// events that named no hook WCS posts (or none at all).
	Methods [wcs.NumMethods]int64
}

// Hooks returns the number of hooks of kind k taken: status events,
// invocations, commands or other hooks (hooks.md).
func (s *Stats) Hooks(k wcs.MethodKind) int64 {
	var n int64
	for _, m := range wcs.Methods() {
		if m.Kind == k {
			n += s.Methods[m.Index()]
		}
	}
	return n
}

// Unknown returns the number of events taken that named no hook WCS posts.
func (s *Stats) Unknown() int64 {
	n := s.Events
	for _, c := range s.Methods {
		n -= c
	}
	return n
}

// Add adds the counts of o to s: the statistics of trackers that shared an
// input (TakeAt) sum to those of one tracker.
func (s *Stats) Add(o Stats) {
	s.Events += o.Events
	s.Entities += o.Entities
	s.Open += o.Open
	s.Tracked += o.Tracked
	s.Sessions += o.Sessions
	for k := range s.Findings {
		s.Findings[k] += o.Findings[k]
	}
	for f := range s.Families {
		s.Families[f] += o.Families[f]
	}
	for i := range s.Methods {
		s.Methods[i] += o.Methods[i]
	}
}

// Errors returns the number of error findings.
func (s *Stats) Errors() int64 {
	var n int64
	for k, c := range s.Findings {
		if Kind(k).Severity() == SeverityError {
			n += c
		}
	}
	return n
}

// Warnings returns the number of warning findings.
func (s *Stats) Warnings() int64 { return s.Findings[KindDangling] }

// Tracker follows the entities of a stream of WCS events (connections,
// registrations, calls, transfers, streams, keep-alives, debug sessions,
// data sends), steps each entity's machine, and applies the rules across
// families of machines.md. It is the engine of the log validator and of
// serve, fed one event at a time. It is safe for concurrent use; events
// taken concurrently are judged in the order the tracker takes them.
//
// The zero value is a tracker with the default Options, ready to use.
type Tracker struct {
	mu       sync.Mutex
	opts     Options
	init     bool
	sessions hashtab.Table[*session] // by the hash of the key
	entities hashtab.Table[*entity]
	marks    hashtab.Marks // forgotten sessions and entities: key hash -> mark (packMark: state, direction)
	seed     uint64        // of hashtab.Hash: random for each tracker, so that no one can choose colliding ids
	seq      uint64
	keybuf   []byte
	stats    Stats
	cov      Coverage // transitions taken, per family (coverage.go)
	files    []string
	fileIdx  map[string]uint32

	// others is, during TakeShared, the entities the trackers sharing
	// MaxEntities with t hold: the bound is on theirs and t's together.
	others int

	// Entities and sessions forgotten during an event are dead until the
	// event is judged (its code may still hold them), then free: the
	// next ones to start reuse them, and a long log allocates no more
	// than a short one with as many open at once (recycle).
	dead     []*entity
	deadSess []*session
	free     []*entity
	freeSess []*session
}

// A tracker's marks take memory as they come, until presize; then room
// for reserveMarks of them (at most MaxMarks) is made at once, what a busy
// log reaches in minutes, so that its memory is flat from there; past it
// the table doubles as the marks come, up to MaxMarks. (Making room for
// all of MaxMarks at once costs a short log more time in page faults than
// it reads: the table is touched all over.)
const (
	presize      = 1024
	reserveMarks = 1 << 14
)

// mark keeps the mark of hash h: an entity's or a session's state.
func (t *Tracker) mark(h uint64, v uint8) {
	t.marks.Add(h, v)
	if t.marks.Len() == presize {
		t.marks.Reserve(min(t.marks.Max(), reserveMarks))
	}
}

// maxFree bounds each free list: enough for the turnover of a busy log,
// while a burst of closings leaves the rest to the garbage collector.
const maxFree = 1024

type session struct {
	key      string // node "\x00" sessionId
	h        uint64 // hashtab.Hash(seed, key)
	conn     *entity
	members  int // entities of the session, the connection included
	nonFinal int // members not in a final state
	dropped  bool
	revived  bool // brought back from a mark: the session had ended and been forgotten
	ents     []*entity
	kbuf     [inlineKey]byte // holds key when it fits (setKey)
}

type entity struct {
	key    string // family byte, node, "\x00", id
	h      uint64 // hashtab.Hash(seed, key)
	fam    wcs.Family
	state  uint8
	dir    wcs.Bool // the direction of a media session, from "published"
	sess   *session
	seq    uint64
	mark   uint64 // a detached copy of a mark (marked): the mark's hash, to write a move back
	marked bool
	// hookOnly: only invocations have moved the entity (a connect, a
	// publishStream, …), no status event of its family yet; such an entity
	// is no other side for rule 6.
	hookOnly bool
	dirHook  bool            // dir was fixed by a hook (publishStream, playStream), not by a published field
	idx      int             // position in sess.ents
	file     uint32          // index in Tracker.files of the file of the last event
	line     int             // line of the last event
	kbuf     [inlineKey]byte // holds key when it fits (setKey)
}

// inlineKey is the room for a key inside an entity or a session: most keys
// (a family byte, a nodeId, an id) fit, and then checking a key found by
// its hash reads memory the struct is already in, and starting an entity
// allocates at most once (nothing when it reuses a forgotten one). Entities
// and sessions are never copied by value, and a key is cloned before it
// leaves the tracker (a reused struct overwrites it).
const inlineKey = 112

// inlineString returns k as a string, in buf when it fits.
func inlineString(buf *[inlineKey]byte, k []byte) string {
	if len(k) == 0 || len(k) > len(buf) {
		return string(k)
	}
	n := copy(buf[:], k)
	return unsafe.String(&buf[0], n)
}

func (e *entity) setKey(k []byte) { e.key = inlineString(&e.kbuf, k) }

// Key returns the entity's key, by which its table tells it from others
// with the same hash.
func (e *entity) Key() string { return e.key }

// Key returns the session's key.
func (s *session) Key() string     { return s.key }
func (s *session) setKey(k []byte) { s.key = inlineString(&s.kbuf, k) }

func (e *entity) id() string {
	k := e.key[1:]
	return k[strings.IndexByte(k, 0)+1:]
}

func (e *entity) node() string {
	k := e.key[1:]
	return k[:strings.IndexByte(k, 0)]
}

// New returns a tracker with the options.
func New(opts Options) *Tracker {
	t := &Tracker{}
	t.Init(opts)
	return t
}

// Init resets t to an empty tracker with the options and returns it.
func (t *Tracker) Init(opts Options) *Tracker {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.reset(opts)
	return t
}

// reset empties the tracker, every field but the mutex (which the caller
// holds), and sets the options, defaults filled in.
func (t *Tracker) reset(opts Options) {
	if opts.MaxEntities <= 0 {
		opts.MaxEntities = DefaultMaxEntities
	}
	if opts.MaxMarks <= 0 {
		opts.MaxMarks = DefaultMaxMarks
	}
	if opts.MaxID <= 0 {
		opts.MaxID = DefaultMaxID
	}
	opts.MaxEntities = min(opts.MaxEntities, MaxMaxEntities)
	opts.MaxMarks = min(opts.MaxMarks, MaxMaxMarks)
	t.opts = opts
	t.init = true
	t.sessions.Reset()
	t.entities.Reset()
	t.fileIdx = map[string]uint32{}
	t.files = nil
	t.seq = 0
	t.stats = Stats{}
	t.cov = newCoverage()
	t.marks.Init(opts.MaxMarks)
	t.seed = rand.Uint64()
}

// Options returns the options in force.
func (t *Tracker) Options() Options {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lazyInit()
	return t.opts
}

func (t *Tracker) lazyInit() {
	if !t.init {
		t.reset(Options{})
	}
}

// Stats returns what the tracker has counted so far.
func (t *Tracker) Stats() Stats {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lazyInit()
	s := t.stats
	s.Tracked = t.entities.Len()
	s.Sessions = t.sessions.Len()
	return s
}

// Take judges one event, moves the entity's machine where its machine
// allows it, and returns the findings for it, in order (nil when there are
// none: no allocation on the way).
func (t *Tracker) Take(ev *wcs.Event) []Finding {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lazyInit()
	out := t.take(ev, nil)
	t.recycle()
	return out
}

// TakeAt is Take for the event at position pos of an input that several
// trackers share (sharded by session, as eventlog's parallel reader does):
// the entities it starts get the sequence numbers from 4*pos on, so that
// the dangling warnings of EndAll over the shards, merged by sequence number,
// come out in the order one tracker's End gives.
func (t *Tracker) TakeAt(ev *wcs.Event, pos uint64) []Finding {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.takeAtLocked(ev, pos)
}

// TakeMany is TakeAt for a run of events, under one lock: next gives each
// event and its position until it reports false, and emit gets each
// event's findings (nil for none) before the next event is taken. Both are
// called with t locked: they must not call t (that would deadlock).
func (t *Tracker) TakeMany(next func() (*wcs.Event, uint64, bool), emit func([]Finding)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for {
		ev, pos, ok := next()
		if !ok {
			return
		}
		emit(t.takeAtLocked(ev, pos))
	}
}

// TakeShared is TakeAt for trackers that share one bound of MaxEntities
// (eventlog's shards, which judge an event this way when the bound is
// near): others is the number of entities the other trackers hold at pos,
// and the event meets the entity limit when theirs and t's together reach
// MaxEntities, as it would in one tracker that took all their events in
// order. It returns the event's findings and the number of entities t
// holds after it.
func (t *Tracker) TakeShared(ev *wcs.Event, pos uint64, others int) ([]Finding, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.others = others
	out := t.takeAtLocked(ev, pos)
	t.others = 0
	return out, t.entities.Len()
}

// ShareMarks makes t one of n trackers that share an input (TakeAt,
// TakeShared) and MaxMarks: t keeps at most ⌈MaxMarks/n⌉ marks, so that
// the n of them keep about MaxMarks in all (at most n-1 more), not n times
// as many. It acts on a tracker that holds no marks yet (a fresh one), and
// lasts until Init or Restore. Which marks are forgotten then follows the
// marks of t's events alone: see eventlog's Validator.Jobs.
func (t *Tracker) ShareMarks(n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lazyInit()
	if n > 1 && t.marks.Len() == 0 {
		t.marks.Init((t.opts.MaxMarks + n - 1) / n)
	}
}

// takeAtLocked is TakeAt for a caller that holds t.mu.
func (t *Tracker) takeAtLocked(ev *wcs.Event, pos uint64) []Finding {
	t.lazyInit()
	if s := pos * 4; t.seq < s {
		t.seq = s
	}
	out := t.take(ev, nil)
	t.recycle()
	return out
}

// recycle frees what the event just judged made dead: nothing points to it
// any more (not the tables, not a session, not the event's code).
func (t *Tracker) recycle() {
	for i, e := range t.dead {
		if len(t.free) < maxFree {
			*e = entity{}
			t.free = append(t.free, e)
		}
		t.dead[i] = nil
	}
	t.dead = t.dead[:0]
	for i, s := range t.deadSess {
		if len(t.freeSess) < maxFree {
			ents := s.ents[:0]
			if cap(ents) > 64 {
				ents = nil // a large session's list is not kept for a small one
			}
			*s = session{ents: ents}
			t.freeSess = append(t.freeSess, s)
		}
		t.deadSess[i] = nil
	}
	t.deadSess = t.deadSess[:0]
}

// newEntity returns a zero entity, a free one when there is one.
func (t *Tracker) newEntity() *entity { return pop(&t.free) }

// newSession returns a zero session, a free one when there is one.
func (t *Tracker) newSession() *session { return pop(&t.freeSess) }

// pop takes the last of a free list, or a new value when it is empty.
func pop[T any](free *[]*T) *T {
	n := len(*free)
	if n == 0 {
		return new(T)
	}
	v := (*free)[n-1]
	(*free)[n-1] = nil
	*free = (*free)[:n-1]
	return v
}

// dropSession takes s out of the table; it is dead once the event is judged.
func (t *Tracker) dropSession(s *session) {
	if s.dropped {
		return
	}
	t.sessions.Delete(s.h, s)
	s.dropped = true
	t.deadSess = append(t.deadSess, s)
}

// add counts a finding of kind k about the event being judged and appends
// it to j.out: about the entity's machine (the state it was in and the
// statuses legal there) once j.stated, before that about the event alone.
// Messages name the entity by its id: the node that scopes it is left to
// the finding's nodeId field, so that they stay short.
func (t *Tracker) add(j *judgment, k Kind, msg string) {
	t.stats.Findings[k]++
	f := Finding{
		File: strings.Clone(j.ev.File), Line: j.ev.Line, Severity: k.Severity(), Kind: k,
		Entity: strings.Clone(j.id), Node: strings.Clone(j.ev.NodeID), Status: strings.Clone(j.ev.Status),
		Allowed: []string{}, Message: msg,
	}
	switch j.meth.Kind {
	case wcs.MethodKindInvocation:
		f.Status = j.m.String(j.meth.Status) // the hook is the status
	case wcs.MethodKindCommand:
		f.Status = "" // a command carries none
	}
	if j.m != nil {
		f.Event = j.m.Name()
	}
	if j.stated {
		f.From, f.Allowed = j.m.String(j.from), j.m.AllowedNames(j.from)
	}
	if j.out == nil {
		j.out = make([]Finding, 0, defaultFindingCapacity)
	}
	j.out = append(j.out, f)
}

func (t *Tracker) take(ev *wcs.Event, out []Finding) []Finding {
	j := judgment{ev: ev, out: out}
	t.judge(&j)
	return j.out
}

// judge judges the event of j: its hook, its format, its entity's machine,
// the rules across families; then moves the entity where its machine
// allows it.
func (t *Tracker) judge(j *judgment) {
	ev := j.ev
	t.stats.Events++
	// The hook: a status event, an invocation, a command, another hook.
	meth, ok := wcs.LookupMethod(ev.Event)
	if !ok {
		if ev.Types[wcs.FieldEvent] > wcs.JSONTypeString || ev.Event == "" {
			t.add(j, KindMissingField, fieldProblem(ev, wcs.FieldEvent))
			return
		}
		t.add(j, KindUnknownEvent, "event "+quote(ev.Event)+" names no hook that WCS posts (wcsfsm spec -hooks lists them; if WCS does post it, report it)")
		return
	}
	t.stats.Methods[meth.Index()]++
	if meth.Kind == wcs.MethodKindOther {
		return // known, counted, not checked
	}
	fam := meth.Family
	isStatus := meth.Kind == wcs.MethodKindStatus
	if isStatus {
		t.stats.Families[fam]++
	}
	m := fam.Machine()
	kf := fam.Key()
	id := ev.Get(kf)
	j.meth, j.fam, j.m, j.id = meth, fam, m, id
	// Format: the status (of a status event), the key, the types.
	// A field whose value is null counts as absent (WCS writes "nodeId":
	// null where it has none).
	if isStatus && (ev.Status == "" || notString(ev.Types[wcs.FieldStatus])) || id == "" && (fam != wcs.FamilyData || notString(ev.Types[kf])) ||
		notString(ev.Types[wcs.FieldSessionID]) || notString(ev.Types[wcs.FieldNodeID]) || notBool(ev.Types[wcs.FieldPublished]) ||
		kf != wcs.FieldCallID && notString(ev.Types[wcs.FieldCallID]) || kf != wcs.FieldMediaSessionID && notString(ev.Types[wcs.FieldMediaSessionID]) ||
		kf != wcs.FieldOperationID && notString(ev.Types[wcs.FieldOperationID]) {
		var msgs []string
		fatal := false
		for f := wcs.FieldStatus; f < wcs.NumFields; f++ {
			if f == wcs.FieldStatus && !isStatus {
				continue // the hook is the status: the body's is ignored
			}
			required := f == wcs.FieldStatus || f == kf && fam != wcs.FamilyData
			bad := notString(ev.Types[f])
			if f == wcs.FieldPublished {
				bad = notBool(ev.Types[f])
			}
			if bad || required && ev.Get(f) == "" {
				msgs = append(msgs, fieldProblem(ev, f))
				fatal = fatal || required || f == kf
			}
		}
		if len(msgs) > 0 {
			t.add(j, KindMissingField, j.hookName()+": "+strings.Join(msgs, "; "))
			if fatal {
				return
			}
		}
	}
	// Ids the tracker would keep: bounded.
	for _, f := range [...]wcs.Field{kf, wcs.FieldSessionID, wcs.FieldNodeID} {
		if n := len(ev.Get(f)); n > t.opts.MaxID {
			t.add(j, KindIDTooLong, j.hookName()+": "+f.String()+" is "+itoa(n)+" bytes long, longer than the limit of "+itoa(t.opts.MaxID)+
				" bytes; not tracked")
			return
		}
	}
	// The session the event names.
	if ev.SessionID != "" {
		j.sess = t.session(ev.NodeID, ev.SessionID)
		defer t.release(j.sess)
	}
	if meth.Kind == wcs.MethodKindCommand {
		t.command(j)
		return
	}
	// The status: a status event's own, an invocation's by its hook.
	var st fsm.Symbol
	if isStatus {
		st, ok = wcs.ParseStatus(fam, ev.Status)
		j.hookOnly = ok && !wcs.StatusEventCarries(fam, st)
		ok = ok && !j.hookOnly
	} else {
		st, ok = meth.Status, true
	}
	tail := t.opts.Tail
	sess := j.sess
	var e *entity
	if id != "" {
		// After its session ended nothing new starts: an entity not seen
		// before is judged, but not tracked. Nor is one whose first status
		// is unknown: that line is one finding, not an entity left in its
		// initial state (to dangle at the end, or to outlive its session
		// as a mark) — unless other families' rules ask whether it was
		// seen (rule 6), where it stays in its initial state, final. Under
		// -tail, a notice (a status that is no state) leaves a new entity
		// unseen (rule 7).
		ended := fam != wcs.FamilyConnection && sess != nil && sess.conn != nil && wcs.FamilyConnection.Machine().Terminal(fsm.Symbol(sess.conn.state))
		create := !ended && (ok || wcs.OtherSide(fam)) && !(tail && ok && !m.IsState(st))
		e, j.isNew = t.entity(fam, ev.NodeID, id, sess, create)
		if e != nil && j.isNew && e.key != "" && !isStatus {
			e.hookOnly = true
		}
	}
	j.e = e
	from := m.Initial()
	if e != nil {
		from = fsm.Symbol(e.state)
	}
	j.from, j.st = from, st
	if !ok {
		j.stated = true
		if j.hookOnly {
			t.add(j, KindUnknownStatus, m.Name()+" "+quote(id)+" got "+quote(ev.Status)+", which "+m.Name()+" never carries: only the "+
				strings.Join(wcs.InvocationsOf(fam, st), " or ")+" hook delivers it; allowed in "+m.String(from)+": "+allowedText(fam, from))
			return
		}
		t.add(j, KindUnknownStatus, m.Name()+" "+quote(id)+" got "+quote(ev.Status)+", which is not a status of "+m.Name()+
			"; allowed in "+m.String(from)+": "+allowedText(fam, from))
		return
	}
	if e == nil && id != "" {
		t.add(j, KindEntityLimit, m.Name()+" "+quote(id)+" is not tracked: the limit of "+itoa(t.opts.MaxEntities)+" entities at once is reached")
		return
	}
	j.stated = true
	to, legal := m.Next(from, st)
	first := j.isNew && from == m.Initial() && id != ""
	if !legal && first && tail {
		// Rule 7: the log began after this entity did; it goes on from
		// the state its status leads to (a notice leaves it unseen).
		if m.IsState(st) {
			to = st
		} else {
			to = from
		}
		legal = true
	} else if legal && (e == nil || e.key != "" || e.marked) {
		// Taken by a tracked entity (or a mark): not by one judged only.
		t.cov.cover(fam, from, st)
	}
	j.to, j.legal = to, legal
	if !legal {
		msg := illegalMessage(m, id, from, st)
		if !isStatus {
			msg = meth.Name + ": " + msg
		}
		if first {
			msg += "; for a log that begins after its sessions began use -tail"
		}
		t.add(j, KindIllegalTransition, msg)
	}
	t.rules(j)
	switch {
	case e == nil:
	case e.key != "":
		e.file, e.line = t.file(ev.File), ev.Line
		if isStatus {
			e.hookOnly = false
		}
		if legal {
			t.move(e, to)
		}
	case e.marked:
		// A forgotten entity lives on as its mark: the mark moves.
		if legal {
			e.state = uint8(to)
		}
		t.mark(e.mark, packMark(e.state, e.dir))
	}
}

// notString reports whether a field of type t is present (not null) and
// not a string.
func notString(t wcs.JSONType) bool { return t > wcs.JSONTypeString && t != wcs.JSONTypeNull }

// notBool reports whether a field of type t is present (not null) and not
// a boolean.
func notBool(t wcs.JSONType) bool {
	return t != wcs.JSONTypeAbsent && t != wcs.JSONTypeNull && t != wcs.JSONTypeBool
}

// command judges a command on an entity (hooks.md, section 3): it moves no
// machine, and needs its session to have been ESTABLISHED (rule 1, in its
// "not yet" sense); after the session ended it is no error.
func (t *Tracker) command(j *judgment) {
	sess := j.sess
	if sess == nil {
		return
	}
	conn := sess.conn
	partial := t.opts.Partial || t.opts.Tail
	cm := wcs.FamilyConnection.Machine()
	switch {
	case conn == nil && partial, conn != nil && conn.hookOnly && partial:
	case conn == nil:
		t.add(j, KindNoSession, j.hookName()+" for "+j.who()+": no "+wcs.FamilyConnection.String()+" "+cm.String(wcs.SessionLive)+" for session "+quote(j.ev.SessionID)+
			" before this command; for a log that carries only some families use -partial")
	case fsm.Symbol(conn.state) == wcs.SessionLive, cm.Terminal(fsm.Symbol(conn.state)):
	default:
		t.add(j, KindNoSession, j.hookName()+" for "+j.who()+": session "+quote(j.ev.SessionID)+" is "+sessionState(conn)+", not "+cm.String(wcs.SessionLive)+
			"; a client cannot act before its session is")
	}
}

// sessionState names the state of a session's connection in a message: a
// PENDING one is a session still connecting.
func sessionState(conn *entity) string {
	s := fsm.Symbol(conn.state)
	name := wcs.FamilyConnection.Machine().String(s)
	if s == wcs.SessionConnecting {
		return name + " (connecting: its connect hook came, its " + wcs.FamilyConnection.String() + " " +
			wcs.FamilyConnection.Machine().String(wcs.SessionLive) + " not yet)"
	}
	return name
}

// file interns a file name.
func (t *Tracker) file(name string) uint32 {
	if n := len(t.files); n > 0 && t.files[n-1] == name {
		return uint32(n - 1)
	}
	if i, ok := t.fileIdx[name]; ok {
		return i
	}
	name = strings.Clone(name)
	t.fileIdx[name] = uint32(len(t.files))
	t.files = append(t.files, name)
	return uint32(len(t.files) - 1)
}

// key builds in t.keybuf the key of an entity of family fam (with fam) or
// of a session (without): the family byte, the node, 0, the id; and
// returns its hash.
func (t *Tracker) key(fam wcs.Family, withFam bool, node, id string) uint64 {
	k := t.keybuf[:0]
	if withFam {
		k = append(k, byte(fam))
	}
	k = append(append(append(k, node...), 0), id...)
	t.keybuf = k
	return hashtab.Hash(t.seed, k)
}

// entityKey is key for an entity of fam.
func (t *Tracker) entityKey(fam wcs.Family, node, id string) uint64 {
	return t.key(fam, true, node, id)
}

// session returns the session named by node and sid, creating it (or
// reviving it from its mark) when needed.
func (t *Tracker) session(node, sid string) *session {
	h := t.key(0, false, node, sid)
	if s := t.sessions.Get(h, t.keybuf); s != nil {
		return s
	}
	s := t.newSession()
	s.h = h
	s.setKey(t.keybuf)
	t.sessions.Put(s.h, s)
	if v, ok := t.marks.Get(h ^ sessionSalt); ok && wcs.FamilyConnection.Machine().Terminal(fsm.Symbol(v)) {
		state := v
		// An ended session that was forgotten: bring back its connection.
		s.revived = true
		c := t.newEntity()
		c.fam, c.state, c.seq = wcs.FamilyConnection, state, t.seq
		c.h = t.entityKey(wcs.FamilyConnection, node, sid)
		c.setKey(t.keybuf)
		t.seq++
		t.entities.Put(c.h, c)
		t.attach(s, c)
		s.conn = c
	}
	return s
}

// entity returns the entity of fam keyed by node and id, creating it in the
// session sess when it is new and create is set (otherwise a new entity is
// a detached copy in the initial state, judged but not tracked). An entity
// that closed and was forgotten comes back as a detached copy in its last
// state. It returns nil when the entity limit stops a new one.
func (t *Tracker) entity(fam wcs.Family, node, id string, sess *session, create bool) (*entity, bool) {
	h := t.entityKey(fam, node, id)
	if e := sess.find(h, t.keybuf); e != nil {
		return e, false
	}
	if e := t.entities.Get(h, t.keybuf); e != nil {
		return e, false
	}
	if v, ok := t.marks.Get(h); ok {
		state, dir := unpackMark(v)
		return &entity{fam: fam, state: state, dir: dir, mark: h, marked: true}, false
	}
	if !create {
		return &entity{fam: fam, state: uint8(fam.Machine().Initial())}, true
	}
	if t.entities.Len()+t.others >= t.opts.MaxEntities {
		return nil, true
	}
	e := t.newEntity()
	e.h, e.fam, e.state, e.seq = h, fam, uint8(fam.Machine().Initial()), t.seq
	e.setKey(t.keybuf)
	t.seq++
	t.stats.Entities++
	t.entities.Put(e.h, e)
	if !fam.Machine().Final(fsm.Symbol(e.state)) {
		t.stats.Open++
	}
	if sess != nil {
		t.attach(sess, e)
		if fam == wcs.FamilyConnection && sess.conn == nil {
			sess.conn = e
		}
	}
	return e, true
}

// peekFull is peek that also returns the entity: the tracked one, or a
// detached copy of its mark. It looks in sess first (may be nil).
func (t *Tracker) peekFull(fam wcs.Family, node, id string, sess *session) (*entity, uint8, bool) {
	h := t.entityKey(fam, node, id)
	if e := sess.find(h, t.keybuf); e != nil {
		return e, e.state, true
	}
	if e := t.entities.Get(h, t.keybuf); e != nil {
		return e, e.state, true
	}
	if v, ok := t.marks.Get(h); ok {
		state, dir := unpackMark(v)
		return &entity{fam: fam, state: state, dir: dir, mark: h, marked: true}, state, true
	}
	return nil, 0, false
}

// peekEntity returns the entity, tracked or a detached copy of its mark,
// or nil.
func (t *Tracker) peekEntity(fam wcs.Family, node, id string) *entity {
	e, _, _ := t.peekFull(fam, node, id, nil)
	return e
}

// maxScan bounds the entities of a session that find scans; past it the
// table is faster.
const maxScan = 8

// find returns the entity of s whose key (with hash h) is key, or nil: the
// entities of the event's session are the likely ones, and comparing a few
// hashes costs less than a lookup in the table. Every entity of a session
// is in the table, so a nil answer means "ask the table".
func (s *session) find(h uint64, key []byte) *entity {
	if s == nil || len(s.ents) > maxScan {
		return nil
	}
	for _, e := range s.ents {
		if e.h == h && e.key == string(key) {
			return e
		}
	}
	return nil
}

func (t *Tracker) attach(s *session, e *entity) {
	e.sess = s
	e.idx = len(s.ents)
	s.ents = append(s.ents, e)
	s.members++
	t.count(s, e.fam, e.state, 1)
}

func (t *Tracker) detach(e *entity) {
	s := e.sess
	if s == nil {
		return
	}
	t.count(s, e.fam, e.state, -1)
	last := s.ents[len(s.ents)-1]
	s.ents[e.idx] = last
	last.idx = e.idx
	s.ents[len(s.ents)-1] = nil
	s.ents = s.ents[:len(s.ents)-1]
	s.members--
	e.sess = nil
}

// count adds d to the session's counters for an entity in state.
func (t *Tracker) count(s *session, fam wcs.Family, state uint8, d int) {
	if !fam.Machine().Final(fsm.Symbol(state)) {
		s.nonFinal += d
	}
}

// mayClose[f][s]: in state s (final), an entity of family f may still move
// into another final state, which rule 2 allows after its session ended:
// such entities outlive their session as marks.
var mayClose = func() (out [wcs.NumFamilies][]bool) {
	for _, f := range wcs.Families() {
		m := f.Machine()
		out[f] = make([]bool, m.Len())
		for _, tr := range m.Transitions() {
			if m.Final(tr.From) && tr.To != tr.From && m.Final(tr.To) {
				out[f][tr.From] = true
			}
		}
	}
	return
}()

// sessionSalt sets the marks of sessions apart from those of entities, whose
// keys could otherwise be the same bytes (a nodeId that starts with a
// family's byte).
const sessionSalt = 0x9e3779b97f4a7c15

// packMark packs an entity's state and direction into the byte of its mark.
func packMark(state uint8, dir wcs.Bool) uint8 { return state&0x3f | uint8(dir)<<6 }

// unpackMark is the inverse of packMark.
func unpackMark(v uint8) (uint8, wcs.Bool) { return v & 0x3f, wcs.Bool(v >> 6) }

// move puts e in state to and lets its session settle.
func (t *Tracker) move(e *entity, to fsm.Symbol) {
	if uint8(to) == e.state {
		return
	}
	m := e.fam.Machine()
	wasFinal := m.Final(fsm.Symbol(e.state))
	if s := e.sess; s != nil {
		t.count(s, e.fam, e.state, -1)
		t.count(s, e.fam, uint8(to), 1)
	}
	e.state = uint8(to)
	if isFinal := m.Final(to); isFinal != wasFinal {
		if isFinal {
			t.stats.Open--
		} else {
			t.stats.Open++
		}
	}
	s := e.sess
	if m.Terminal(to) && (s == nil || s.conn == nil) && e.fam != wcs.FamilyConnection {
		// Nothing will end this entity's session: keep a mark only.
		t.forget(e)
		if f, ok := follower[e.fam]; ok {
			// Nor its follower (a stream's keep-alive, whose states are
			// all final), which may not move once the stream ended (rule
			// 3): it becomes a mark too, and a later event of it is judged
			// against both marks.
			if k := t.entities.Get(t.entityKey(f, e.node(), e.id()), t.keybuf); k != nil && f.Machine().Final(fsm.Symbol(k.state)) &&
				(k.sess == nil || k.sess.conn == nil) {
				ks := k.sess
				t.forget(k)
				if ks != nil && ks != s && ks.members == 0 {
					t.dropSession(ks)
				}
			}
		}
		if s != nil && s.members == 0 {
			t.dropSession(s)
		}
		return
	}
	if s != nil {
		t.settle(s)
	}
}

// follower maps a family to the one whose entities share its ids, need it
// live to move on, and have only final states, so that a mark of one can
// never be left open: a stream's keep-alives (rule 3). (Not a call's
// transfers: rule 4 refuses a FAILED transfer's new attempt after the call
// ended, but its machine still moves into ACCEPTED, which is open.)
var follower = map[wcs.Family]wcs.Family{wcs.FamilyStream: wcs.FamilyKeepAlive}

// forget drops a closed entity, keeping a mark of its id, state and
// direction.
func (t *Tracker) forget(e *entity) {
	t.detach(e)
	t.entities.Delete(e.h, e)
	t.mark(e.h, packMark(e.state, e.dir))
	t.dead = append(t.dead, e)
}

// settle forgets an ended session none of whose entities is open.
func (t *Tracker) settle(s *session) {
	if s.conn == nil || !wcs.FamilyConnection.Machine().Terminal(fsm.Symbol(s.conn.state)) || s.nonFinal > 0 || s.dropped {
		return
	}
	t.drop(s)
}

// release, after an event of session s, forgets s if it holds no entity
// (the event started none: no key, or the entity limit), and lets a session
// revived from its mark go again: neither may stay, or the sessions map
// and the entities grow without bound.
func (t *Tracker) release(s *session) {
	switch {
	case s.dropped:
	case s.members == 0:
		t.dropSession(s)
	case s.revived:
		t.settle(s)
	}
}

// drop forgets a session and its entities, keeping a mark of the session
// (its connection's state), and one of each entity that may still move
// into another final state after the end (a registration that may still be
// UNREGISTERED): a later event of any other is a no-session error, as for
// a new one.
func (t *Tracker) drop(s *session) {
	for _, e := range s.ents {
		t.entities.Delete(e.h, e)
		e.sess = nil
		if mayClose[e.fam][e.state] {
			t.mark(e.h, packMark(e.state, e.dir))
		}
	}
	t.dead = append(t.dead, s.ents...)
	clear(s.ents)
	s.ents = s.ents[:0]
	t.mark(s.h^sessionSalt, packMark(s.conn.state, wcs.BoolUnset))
	t.dropSession(s)
}

// End reports the entities left open: a dangling warning for each entity
// not in a final state, in the order the entities started. The tracker
// stays usable, and its Stats count the dangling warnings of the last End
// only: calling End again (after more events, or none) does not count an
// entity twice.
//
// Under Partial (or Tail), an entity that only invocations moved is not
// dangling when the log held no status event of its family at all (rule
// 6): a backend that subscribes to connect, not to the events answering it.
func (t *Tracker) End() []Finding {
	var out []Finding
	EndFunc(func(f Finding) { out = append(out, f) }, t)
	return out
}

// EndAll is End for trackers that shared an input (TakeAt): the dangling
// warnings of all, merged in the order one tracker's End would give them,
// and judged by the log as a whole (which families' status events it held).
func EndAll(ts ...*Tracker) []Finding {
	var out []Finding
	EndFunc(func(f Finding) { out = append(out, f) }, ts...)
	return out
}

// EndFunc is EndAll that hands each finding to fn as it is made, in order,
// rather than making them all first: with a million entities open at the
// end, it holds a pointer to each, not a million findings. The trackers
// must be distinct; fn runs with them locked, and must not call them.
func EndFunc(fn func(Finding), ts ...*Tracker) {
	for _, t := range ts {
		t.mu.Lock()
		defer t.mu.Unlock()
		t.lazyInit()
	}
	var fams [wcs.NumFamilies]int64
	for _, t := range ts {
		for f, n := range t.stats.Families {
			fams[f] += n
		}
	}
	// Each tracker's open entities in the order they started, merged by
	// sequence number: the order of one tracker's.
	opens := make([][]*entity, len(ts))
	for i, t := range ts {
		// Dangling findings come from End alone: the count is that of this one.
		t.stats.Findings[KindDangling] = 0
		opens[i] = t.openAtEnd(fams)
	}
	for {
		k := -1
		for i, o := range opens {
			if len(o) > 0 && (k < 0 || o[0].seq < opens[k][0].seq) {
				k = i
			}
		}
		if k < 0 {
			return
		}
		e := opens[k][0]
		opens[k][0] = nil
		opens[k] = opens[k][1:]
		ts[k].stats.Findings[KindDangling]++
		fn(ts[k].dangling(e))
	}
}

// openAtEnd returns the entities dangling at the end, in the order they
// started, given the status events of each family the log held: those not
// in a final state, but (under Partial or Tail) one only invocations moved
// in a family that had no status event (rule 6).
func (t *Tracker) openAtEnd(fams [wcs.NumFamilies]int64) []*entity {
	partial := t.opts.Partial || t.opts.Tail
	var open []*entity
	for e := range t.entities.All() {
		if !e.fam.Machine().Final(fsm.Symbol(e.state)) && !(partial && e.hookOnly && fams[e.fam] == 0) {
			open = append(open, e)
		}
	}
	sort.Slice(open, func(i, j int) bool { return open[i].seq < open[j].seq })
	return open
}

// dangling is the warning about entity e, left open at the end.
func (t *Tracker) dangling(e *entity) Finding {
	m := e.fam.Machine()
	from := fsm.Symbol(e.state)
	file := ""
	if int(e.file) < len(t.files) {
		file = t.files[e.file]
	}
	why := ", which is not final"
	if e.hookOnly {
		why += ": its invocation came and no status event answered it"
	}
	return Finding{
		File: file, Line: 0, Last: e.line, Severity: SeverityWarning, Kind: KindDangling, Event: m.Name(), Entity: strings.Clone(e.id()), Node: strings.Clone(e.node()),
		From: m.String(from), Allowed: m.AllowedNames(from),
		Message: m.Name() + " " + quote(e.id()) + " is left in " + m.String(from) + why +
			" (last event at line " + itoa(e.line) + "); it may still get: " + allowedText(e.fam, from),
	}
}

// Reject counts and returns a finding about an input that is not an event
// at all (malformed, line-too-long, …): the readers of log formats use it so
// that the tracker's statistics count every finding.
func (t *Tracker) Reject(file string, line int, k Kind, msg string) Finding {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lazyInit()
	t.stats.Findings[k]++
	return Finding{File: strings.Clone(file), Line: line, Severity: k.Severity(), Kind: k, Allowed: []string{}, Message: msg}
}
