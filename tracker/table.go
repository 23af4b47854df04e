package tracker

// The tracker's entities and sessions are kept in maps keyed by the 64-bit
// hashKey of their keys, computed once per event and reused for the marks:
// hashing a key of a hundred bytes once costs less than the string map's
// hashing it again at every lookup, insert and delete. Keys that share a
// hash (never seen in practice, but possible) are chained, and every hit is
// checked against the whole key.

// entTable holds the tracked entities.
type entTable struct {
	m map[uint64]*entity
	n int
}

func (t *entTable) init() { t.m, t.n = map[uint64]*entity{}, 0 }

// get returns the entity whose key is key (hash h), or nil.
func (t *entTable) get(h uint64, key []byte) *entity {
	for e := t.m[h]; e != nil; e = e.next {
		if e.key == string(key) {
			return e
		}
	}
	return nil
}

// put adds e, whose hash e.h is set; its key must not be in t.
func (t *entTable) put(e *entity) {
	e.next = t.m[e.h]
	t.m[e.h] = e
	t.n++
}

// del removes e, which is in t.
func (t *entTable) del(e *entity) {
	p := t.m[e.h]
	if p == e {
		if e.next == nil {
			delete(t.m, e.h)
		} else {
			t.m[e.h] = e.next
		}
	} else {
		for p.next != e {
			p = p.next
		}
		p.next = e.next
	}
	e.next = nil
	t.n--
}

// each calls fn for every entity, in no particular order.
func (t *entTable) each(fn func(*entity)) {
	for _, e := range t.m {
		for ; e != nil; e = e.next {
			fn(e)
		}
	}
}

// sessTable holds the tracked sessions.
type sessTable struct {
	m map[uint64]*session
	n int
}

func (t *sessTable) init() { t.m, t.n = map[uint64]*session{}, 0 }

func (t *sessTable) get(h uint64, key []byte) *session {
	for s := t.m[h]; s != nil; s = s.next {
		if s.key == string(key) {
			return s
		}
	}
	return nil
}

func (t *sessTable) put(s *session) {
	s.next = t.m[s.h]
	t.m[s.h] = s
	t.n++
}

func (t *sessTable) del(s *session) {
	p := t.m[s.h]
	if p == s {
		if s.next == nil {
			delete(t.m, s.h)
		} else {
			t.m[s.h] = s.next
		}
	} else {
		for p.next != s {
			p = p.next
		}
		p.next = s.next
	}
	s.next = nil
	t.n--
}

func (t *sessTable) each(fn func(*session)) {
	for _, s := range t.m {
		for ; s != nil; s = s.next {
			fn(s)
		}
	}
}
