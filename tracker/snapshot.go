package tracker

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/wcsfsm/wcsfsm/fsm"
	"github.com/wcsfsm/wcsfsm/internal/hashtab"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// The snapshot format (version 5). A consumer that checkpoints a Tracker
// (across log rotation, a restart of its receiver) writes it with
// [Tracker.Snapshot] and reads it back with [Tracker.Restore].
//
// Numbers are unsigned LEB128 varints (encoding/binary's Uvarint) unless
// said otherwise; a string is its length as a varint and its bytes. A list
// is its length as a varint and its elements.
//
//	header    magic "WCSFSMTK", version (varint, 5), payload length (varint)
//	payload   options    flags (bit 0: Partial, bit 1: Tail), MaxEntities, MaxMarks, MaxID
//	          hash seed  the tracker's key of hashtab.Hash (8 bytes, little-endian): the marks are
//	                     hashes under it
//	          seq        the next entity's sequence number
//	          stats      Events, Entities, list of findings by Kind, list of status events by
//	                     family, list of hooks by method (in the order of wcs.Methods)
//	          coverage   list per family of lists of transition counts
//	          files      list of strings: the file names entities point at
//	          entities   list, in the order they started (seq): key (string: a family byte,
//	                     the node, 0, the id), state, direction (0 unset, 1 false, 2 true),
//	                     flags (bit 0: only invocations moved it, bit 1: its direction came
//	                     from a hook), seq, file (index in files), line (zig-zag varint)
//	          sessions   list, sorted by key: key (string: the node, 0, the sessionId),
//	                     flags (bit 0: revived from a mark), list of member entities (indexes
//	                     into entities, in the session's order); the member keyed by the
//	                     session as a ConnectionStatusEvent is its connection
//	          marks      what the tracker forgot, sessions and entities: a list, oldest first,
//	                     of a 64-bit hash of the key (8 bytes, little-endian) and a byte: the
//	                     state (bits 0-5; a session's is its connection's) and the direction
//	                     (bits 6-7)
//	trailer   CRC-32 (IEEE) of header and payload, 4 bytes, little-endian
//
// Stats.Open, Tracked and Sessions, and each session's counters, are not
// stored: Restore counts them again. The format is deterministic for a
// state, its hash seed included: two trackers in the same state with the
// same seed write the same bytes (a tracker restored from a snapshot keeps
// its seed, and writes the snapshot it was restored from). Two trackers
// that took the same events from Init do not: each draws its own seed.
const (
	snapshotMagic   = "WCSFSMTK"
	snapshotVersion = 5 // 4 had no MaxID (Restore reads it still, with the default); 3 had no Tail, no hooks by method, no entity flags (Restore reads it still); 2 had no PENDING state of connections, calls and data (the states after NEW were numbered one lower); 1 had a window of ended sessions kept whole
)

// ErrSnapshot is the error Restore wraps when its input is not a snapshot it
// can restore (bad header, unknown version, truncated, corrupt, or a state
// the tracker could not be in). Test for it with errors.Is.
var ErrSnapshot = errors.New("tracker: bad snapshot")

// Snapshot writes the whole state of t (options, sessions, entities with
// their states and last positions, the compact marks in their order,
// counters, statistics and coverage) to w, in the
// versioned binary format documented in snapshot.go. A tracker restored
// from it with [Tracker.Restore] judges the events that follow exactly as t
// would have: a consumer checkpoints a log at line k and resumes at k+1.
//
// The state is copied under t's lock, then written without it: Take is
// blocked only while the bytes are built.
func (t *Tracker) Snapshot(w io.Writer) error {
	t.mu.Lock()
	b := t.appendSnapshot(nil)
	t.mu.Unlock()
	_, err := w.Write(b)
	return err
}

func (t *Tracker) appendSnapshot(b []byte) []byte {
	t.lazyInit()
	var p []byte
	// Options.
	flags := uint64(0)
	if t.opts.Partial {
		flags |= 1
	}
	if t.opts.Tail {
		flags |= 2
	}
	p = binary.AppendUvarint(p, flags)
	p = binary.AppendUvarint(p, uint64(t.opts.MaxEntities))
	p = binary.AppendUvarint(p, uint64(t.opts.MaxMarks))
	p = binary.AppendUvarint(p, uint64(t.opts.MaxID))
	p = binary.LittleEndian.AppendUint64(p, t.seed)
	p = binary.AppendUvarint(p, t.seq)
	// Stats.
	p = binary.AppendUvarint(p, uint64(t.stats.Events))
	p = binary.AppendUvarint(p, uint64(t.stats.Entities))
	p = binary.AppendUvarint(p, uint64(len(t.stats.Findings)))
	for _, c := range t.stats.Findings {
		p = binary.AppendUvarint(p, uint64(c))
	}
	p = binary.AppendUvarint(p, uint64(len(t.stats.Families)))
	for _, c := range t.stats.Families {
		p = binary.AppendUvarint(p, uint64(c))
	}
	p = binary.AppendUvarint(p, uint64(len(t.stats.Methods)))
	for _, c := range t.stats.Methods {
		p = binary.AppendUvarint(p, uint64(c))
	}
	// Coverage.
	p = binary.AppendUvarint(p, uint64(len(t.cov)))
	for _, counts := range t.cov {
		p = binary.AppendUvarint(p, uint64(len(counts)))
		for _, c := range counts {
			p = binary.AppendUvarint(p, uint64(c))
		}
	}
	// Files.
	p = binary.AppendUvarint(p, uint64(len(t.files)))
	for _, f := range t.files {
		p = appendSnapString(p, f)
	}
	// Entities, in the order they started.
	ents := make([]*entity, 0, t.entities.Len())
	for e := range t.entities.All() {
		ents = append(ents, e)
	}
	sort.Slice(ents, func(i, j int) bool { return ents[i].seq < ents[j].seq })
	index := make(map[*entity]uint64, len(ents))
	p = binary.AppendUvarint(p, uint64(len(ents)))
	for i, e := range ents {
		index[e] = uint64(i)
		p = appendSnapString(p, e.key)
		p = binary.AppendUvarint(p, uint64(e.state))
		p = binary.AppendUvarint(p, uint64(e.dir))
		p = binary.AppendUvarint(p, entityFlags(e))
		p = binary.AppendUvarint(p, e.seq)
		p = binary.AppendUvarint(p, uint64(e.file))
		p = binary.AppendVarint(p, int64(e.line))
	}
	// Sessions, by key.
	sess := make([]*session, 0, t.sessions.Len())
	for s := range t.sessions.All() {
		sess = append(sess, s)
	}
	sort.Slice(sess, func(i, j int) bool { return sess[i].key < sess[j].key })
	p = binary.AppendUvarint(p, uint64(len(sess)))
	for _, s := range sess {
		p = appendSnapString(p, s.key)
		flags := uint64(0)
		if s.revived {
			flags |= 1
		}
		p = binary.AppendUvarint(p, flags)
		p = binary.AppendUvarint(p, uint64(len(s.ents)))
		for _, e := range s.ents {
			p = binary.AppendUvarint(p, index[e])
		}
	}
	// Marks, oldest first.
	p = appendMarks(p, &t.marks)

	start := len(b)
	b = append(b, snapshotMagic...)
	b = binary.AppendUvarint(b, snapshotVersion)
	b = binary.AppendUvarint(b, uint64(len(p)))
	b = append(b, p...)
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:]))
}

func appendSnapString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendMarks(b []byte, m *hashtab.Marks) []byte {
	b = binary.AppendUvarint(b, uint64(m.Len()))
	for h, v := range m.All() {
		b = binary.LittleEndian.AppendUint64(b, h)
		b = binary.AppendUvarint(b, uint64(v))
	}
	return b
}

// Restore replaces the whole state of t, options included, with a snapshot
// that [Tracker.Snapshot] wrote, read from r. It reads exactly the snapshot
// (a snapshot may be followed by other data in r). It checks everything
// before it changes anything: on an error (wrapping [ErrSnapshot] when the
// input is at fault, or the reader's error) t is left as it was. Restore
// works on a zero Tracker.
func (t *Tracker) Restore(r io.Reader) error {
	st, err := readSnapshot(r)
	if err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.reset(st.opts)
	t.seed = st.seed
	t.seq = st.seq
	t.stats = st.stats
	t.cov = st.cov
	t.files = st.files
	for i, f := range st.files {
		t.fileIdx[f] = uint32(i)
	}
	for _, e := range st.entities {
		e.h = hashtab.HashString(t.seed, e.key)
		t.entities.Put(e.h, e)
		if !e.fam.Machine().Final(fsm.Symbol(e.state)) {
			t.stats.Open++
		}
	}
	for _, s := range st.sessions {
		s.h = hashtab.HashString(t.seed, s.key)
		t.sessions.Put(s.h, s)
	}
	t.marks = st.marks
	return nil
}

// restored is a snapshot read and checked, ready to put in place.
type restored struct {
	opts     Options
	seed     uint64
	seq      uint64
	stats    Stats
	cov      Coverage
	files    []string
	entities []*entity
	sessions []*session
	marks    hashtab.Marks
}

func snapErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrSnapshot}, args...)...)
}

// readSnapshot reads one snapshot from r and checks it.
func readSnapshot(r io.Reader) (*restored, error) {
	// The header: magic, version, payload length, read byte by byte so that
	// nothing after the snapshot is consumed.
	head := make([]byte, len(snapshotMagic), len(snapshotMagic)+2*binary.MaxVarintLen64)
	if n, err := io.ReadFull(r, head); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			if n == 0 {
				return nil, snapErr("empty input")
			}
			return nil, snapErr("truncated header (%d bytes)", n)
		}
		return nil, err
	}
	if string(head) != snapshotMagic {
		return nil, snapErr("not a tracker snapshot (the header is %q, not %q)", head, snapshotMagic)
	}
	readVarint := func(what string) (uint64, error) {
		var one [1]byte
		start := len(head)
		for {
			if len(head)-start >= binary.MaxVarintLen64 {
				return 0, snapErr("header: %s: bad number", what)
			}
			if _, err := io.ReadFull(r, one[:]); err != nil {
				if err == io.EOF || err == io.ErrUnexpectedEOF {
					return 0, snapErr("truncated header (in the %s)", what)
				}
				return 0, err
			}
			head = append(head, one[0])
			if one[0] < 0x80 {
				v, n := binary.Uvarint(head[start:])
				if n <= 0 {
					return 0, snapErr("header: %s: bad number", what)
				}
				return v, nil
			}
		}
	}
	version, err := readVarint("version")
	if err != nil {
		return nil, err
	}
	if version < 3 || version > snapshotVersion {
		return nil, snapErr("version %d; this build reads versions 3 to %d", version, snapshotVersion)
	}
	size, err := readVarint("payload length")
	if err != nil {
		return nil, err
	}
	if size > math.MaxInt-8 {
		return nil, snapErr("payload length %d is too large", size)
	}
	// ReadAll grows as the data comes: a corrupt length does not allocate
	// what the input does not have.
	rest, err := io.ReadAll(io.LimitReader(r, int64(size)+4))
	if err != nil {
		return nil, err
	}
	if uint64(len(rest)) < size+4 {
		return nil, snapErr("truncated: the header announces %d bytes of payload and a 4-byte checksum, the input has %d", size, len(rest))
	}
	payload := rest[:size]
	sum := crc32.ChecksumIEEE(head)
	sum = crc32.Update(sum, crc32.IEEETable, payload)
	if want := binary.LittleEndian.Uint32(rest[size:]); sum != want {
		return nil, snapErr("checksum mismatch (%08x, want %08x): the snapshot is corrupt", sum, want)
	}
	return decodePayload(payload, version)
}

// snapReader reads the payload; its first error sticks.
type snapReader struct {
	b   []byte
	off int
	err error
}

func (d *snapReader) fail(format string, args ...any) {
	if d.err == nil {
		d.err = snapErr("at byte %d of the payload: "+format, append([]any{d.off}, args...)...)
	}
}

func (d *snapReader) uvarint(what string) uint64 { return readVarint(d, what, binary.Uvarint) }

func (d *snapReader) varint(what string) int64 { return readVarint(d, what, binary.Varint) }

// readVarint reads one number with read (binary.Uvarint or binary.Varint).
func readVarint[T uint64 | int64](d *snapReader, what string, read func([]byte) (T, int)) T {
	if d.err != nil {
		return 0
	}
	v, n := read(d.b[d.off:])
	if n <= 0 {
		if n == 0 {
			d.fail("truncated in %s", what)
		} else {
			d.fail("%s: number overflows 64 bits", what)
		}
		return 0
	}
	d.off += n
	return v
}

// int reads a count or bound that must fit in an int and be at most max.
func (d *snapReader) int(what string, max uint64) int {
	v := d.uvarint(what)
	if d.err == nil && v > max {
		d.fail("%s is %d, more than %d", what, v, max)
		return 0
	}
	return int(v)
}

// count reads the length of a list whose elements take at least minSize
// bytes each: a length the rest of the payload cannot hold is an error, not
// an allocation.
func (d *snapReader) count(what string, minSize int) int {
	n := d.uvarint(what)
	if d.err == nil && n > uint64(len(d.b)-d.off)/uint64(minSize) {
		d.fail("%s: %d elements announced, the rest of the input cannot hold them", what, n)
		return 0
	}
	return int(n)
}

func (d *snapReader) string(what string) string {
	n := d.count(what, 1)
	if d.err != nil {
		return ""
	}
	s := string(d.b[d.off : d.off+n])
	d.off += n
	return s
}

func (d *snapReader) counter(what string) int64 {
	return int64(d.int(what, math.MaxInt64))
}

// uint64 reads 8 bytes, little-endian.
func (d *snapReader) uint64(what string) uint64 {
	if d.err != nil {
		return 0
	}
	if len(d.b)-d.off < 8 {
		d.fail("%s: truncated", what)
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b[d.off:])
	d.off += 8
	return v
}

func (d *snapReader) marks(what string, max int, valid func(uint8) bool) hashtab.Marks {
	n := d.count(what, 9)
	var m hashtab.Marks
	m.Init(max)
	if n > max {
		d.fail("%s: %d marks, more than the limit of %d", what, n, max)
		return m
	}
	for i := 0; i < n && d.err == nil; i++ {
		if len(d.b)-d.off < 8 {
			d.fail("truncated in %s", what)
			break
		}
		h := binary.LittleEndian.Uint64(d.b[d.off:])
		d.off += 8
		v := d.uvarint(what)
		if d.err != nil {
			break
		}
		if v > math.MaxUint8 || !valid(uint8(v)) {
			d.fail("%s: mark %d holds state %d, which is no state it may hold", what, i, v)
			break
		}
		if _, dup := m.Get(h); dup {
			d.fail("%s: mark %d repeats the hash %016x", what, i, h)
			break
		}
		m.Add(h, uint8(v))
	}
	return m
}

func decodePayload(payload []byte, version uint64) (*restored, error) {
	d := &snapReader{b: payload}
	st := &restored{}
	// Options.
	flags := d.uvarint("options")
	known := uint64(3)
	if version < 4 {
		known = 1
	}
	if d.err == nil && flags&^known != 0 {
		d.fail("unknown option flags %#x", flags)
	}
	st.opts.Partial = flags&1 != 0
	st.opts.Tail = flags&2 != 0
	st.opts.MaxEntities = d.int("MaxEntities", MaxMaxEntities)
	st.opts.MaxMarks = d.int("MaxMarks", MaxMaxMarks)
	st.opts.MaxID = DefaultMaxID
	if version >= 5 {
		st.opts.MaxID = d.int("MaxID", math.MaxInt32)
	}
	st.seed = d.uint64("hash seed")
	if d.err == nil && (st.opts.MaxEntities == 0 || st.opts.MaxMarks == 0 || st.opts.MaxID == 0) {
		d.fail("a bound of the options is 0")
	}
	st.seq = d.uvarint("seq")
	// Stats.
	st.stats.Events = d.counter("stats: events")
	st.stats.Entities = d.counter("stats: entities")
	if n := d.int("stats: kinds", uint64(NumKinds)); d.err == nil {
		for k := 0; k < n; k++ {
			st.stats.Findings[k] = d.counter("stats: findings of kind " + Kind(k).String())
		}
	}
	if n := d.int("stats: families", uint64(wcs.NumFamilies)); d.err == nil {
		for f := 0; f < n; f++ {
			st.stats.Families[f] = d.counter("stats: events of " + wcs.Family(f).String())
		}
	}
	if version >= 4 {
		if n := d.int("stats: methods", uint64(wcs.NumMethods)); d.err == nil {
			for i := 0; i < n; i++ {
				st.stats.Methods[i] = d.counter("stats: hooks of " + wcs.Methods()[i].Name)
			}
		}
	} else {
		// Version 3 knew status events only: each family's, by its method.
		for f, n := range st.stats.Families {
			if m, ok := wcs.LookupMethod(wcs.Family(f).String()); ok {
				st.stats.Methods[m.Index()] = n
			}
		}
	}
	// Coverage.
	st.cov = newCoverage()
	if n := d.int("coverage: families", uint64(wcs.NumFamilies)); d.err == nil {
		for f := 0; f < n && d.err == nil; f++ {
			want := len(st.cov[f])
			if m := d.int("coverage of "+wcs.Family(f).String(), math.MaxInt); d.err == nil && m != want {
				d.fail("coverage of %s has %d transitions; its machine has %d", wcs.Family(f), m, want)
			}
			for i := 0; i < want && d.err == nil; i++ {
				st.cov[f][i] = d.counter("coverage")
			}
		}
	}
	// Files.
	nf := d.count("files", 1)
	fileSeen := map[string]bool{}
	for i := 0; i < nf && d.err == nil; i++ {
		f := d.string("file name")
		if d.err == nil && fileSeen[f] {
			d.fail("file %q is listed twice", f)
		}
		fileSeen[f] = true
		st.files = append(st.files, f)
	}
	// Entities.
	ne := d.count("entities", 6)
	st.entities = make([]*entity, 0, ne)
	keys := make(map[string]bool, ne)
	seqs := make(map[uint64]bool, ne)
	for i := 0; i < ne && d.err == nil; i++ {
		key := d.string("entity key")
		state := d.uvarint("entity state")
		dir := d.uvarint("entity direction")
		var eflags uint64
		if version >= 4 {
			eflags = d.uvarint("entity flags")
		}
		seq := d.uvarint("entity seq")
		file := d.uvarint("entity file")
		line := d.varint("entity line")
		if d.err != nil {
			break
		}
		switch {
		case len(key) < 2 || strings.IndexByte(key[1:], 0) < 0:
			d.fail("entity %d: key %q is not a family, a node, 0, an id", i, key)
		case wcs.Family(key[0]) >= wcs.NumFamilies:
			d.fail("entity %d: unknown family %d", i, key[0])
		case keys[key]:
			d.fail("entity %d: key %q is listed twice", i, key)
		case state > math.MaxUint8 || !wcs.Family(key[0]).Machine().IsState(fsm.Symbol(state)):
			d.fail("entity %d: state %d is no state of %s", i, state, wcs.Family(key[0]))
		case dir > uint64(wcs.BoolTrue):
			d.fail("entity %d: direction %d", i, dir)
		case eflags&^3 != 0:
			d.fail("entity %d: unknown flags %#x", i, eflags)
		case seq >= st.seq || seqs[seq]:
			d.fail("entity %d: seq %d is repeated or not below the tracker's %d", i, seq, st.seq)
		case file >= uint64(len(st.files)) && file != 0:
			d.fail("entity %d: file %d of %d", i, file, len(st.files))
		case line < math.MinInt || line > math.MaxInt:
			d.fail("entity %d: line %d", i, line)
		}
		if d.err != nil {
			break
		}
		keys[key], seqs[seq] = true, true
		st.entities = append(st.entities, &entity{key: key, fam: wcs.Family(key[0]), state: uint8(state), dir: wcs.Bool(dir),
			hookOnly: eflags&1 != 0, dirHook: eflags&2 != 0, seq: seq, file: uint32(file), line: int(line)})
	}
	// Sessions.
	ns := d.count("sessions", 3)
	st.sessions = make([]*session, 0, ns)
	skeys := make(map[string]bool, ns)
	for i := 0; i < ns && d.err == nil; i++ {
		s := &session{key: d.string("session key")}
		flags := d.uvarint("session flags")
		switch {
		case d.err != nil:
		case strings.IndexByte(s.key, 0) < 0:
			d.fail("session %d: key %q is not a node, 0, a sessionId", i, s.key)
		case skeys[s.key]:
			d.fail("session %d: key %q is listed twice", i, s.key)
		case flags&^1 != 0:
			d.fail("session %d: unknown flags %#x", i, flags)
		}
		skeys[s.key] = true
		s.revived = flags&1 != 0
		nm := d.count("session members", 1)
		connKey := string(byte(wcs.FamilyConnection)) + s.key
		for j := 0; j < nm && d.err == nil; j++ {
			x := d.uvarint("session member")
			if d.err != nil {
				break
			}
			if x >= uint64(len(st.entities)) {
				d.fail("session %d: member %d is entity %d of %d", i, j, x, len(st.entities))
				break
			}
			e := st.entities[x]
			if e.sess != nil {
				d.fail("session %d: entity %d belongs to two sessions", i, x)
				break
			}
			e.sess, e.idx = s, len(s.ents)
			s.ents = append(s.ents, e)
			s.members++
			if !e.fam.Machine().Final(fsm.Symbol(e.state)) {
				s.nonFinal++
			}
			if e.key == connKey {
				s.conn = e
			}
		}
		switch {
		case d.err != nil:
		case s.revived && s.conn == nil:
			d.fail("session %d: revived without its connection", i)
		case s.revived && !wcs.FamilyConnection.Machine().Terminal(fsm.Symbol(s.conn.state)):
			d.fail("session %d: revived, but its connection is %s, not ended", i, wcs.FamilyConnection.Machine().String(fsm.Symbol(s.conn.state)))
		case nm == 0:
			d.fail("session %d: no member (a tracker keeps no empty session)", i)
		case i > 0 && st.sessions[i-1].key >= s.key:
			d.fail("session %d: out of order (sessions are sorted by key)", i)
		}
		st.sessions = append(st.sessions, s)
	}
	// What a tracker's state always holds: no more entities than its
	// bound, and every entity keyed by a sessionId in that session (a
	// connection, a registration, a debug session). Another entity may be
	// in no session (under -partial, an event without a sessionId), or in
	// the session its events named.
	if d.err == nil && len(st.entities) > st.opts.MaxEntities {
		d.fail("%d entities, more than MaxEntities %d", len(st.entities), st.opts.MaxEntities)
	}
	for i, e := range st.entities {
		if d.err != nil {
			break
		}
		if e.fam.Key() == wcs.FieldSessionID && (e.sess == nil || e.sess.key != e.key[1:]) {
			where := "in no session"
			if e.sess != nil {
				where = "in session " + strconv.Quote(e.sess.key)
			}
			d.fail("entity %d: %s %q is %s, not in its own", i, e.fam, e.key[1:], where)
		}
	}
	// Marks.
	st.marks = d.marks("marks", st.opts.MaxMarks, func(v uint8) bool {
		state, dir := unpackMark(v)
		if dir > wcs.BoolTrue {
			return false
		}
		for _, f := range wcs.Families() {
			if f.Machine().IsState(fsm.Symbol(state)) {
				return true
			}
		}
		return false
	})
	if d.err == nil && d.off != len(d.b) {
		d.fail("%d bytes after the marks", len(d.b)-d.off)
	}
	if d.err != nil {
		return nil, d.err
	}
	return st, nil
}

// entityFlags packs the flags of an entity in a snapshot.
func entityFlags(e *entity) uint64 {
	var f uint64
	if e.hookOnly {
		f |= 1
	}
	if e.dirHook {
		f |= 2
	}
	return f
}
