package hashtab

import "iter"

// Marks is a bounded set of 64-bit hashes, each with a byte: when it holds
// its maximum, adding a new hash forgets the oldest one (the one added
// first, FIFO; updating a hash's byte does not make it younger). Any hash
// may be kept, 0 included. Its memory grows with the hashes it holds: a
// hash takes 8 bytes in the order of insertion and one slot (16 bytes) of
// a table at most 7/8 full, whose size is a power of two; a huge maximum
// costs nothing until it is reached.
//
// The zero Marks is empty, with a maximum of 0: Get, Len and All work, Add
// panics; [Marks.Init] sets the maximum. A Marks is not safe for
// concurrent use, and must not be copied once used.
type Marks struct {
	slots []slot[mark] // len a power of two, or 0
	n     int          // hashes held, len(ring) too
	limit int          // n at which Add grows the slots
	ring  []uint64     // the hashes, oldest first from head
	head  int          // the oldest once the ring is full (n == max), else 0
	max   int
}

// mark is a Marks slot's value: the zero mark is an empty slot, so that
// any hash may be kept.
type mark struct {
	v    uint8
	used bool
}

// marksLoad is the highest share of a Marks' slots in use, in eighths:
// higher than a Table's, for the memory (marks are meant to be compact;
// the bound of a long run's Marks is reached, and its slots then stay),
// at the price of a slower Add near the top of the range.
const marksLoad = 7

// Init empties s, frees its memory, and sets its maximum to max.
// Add panics if max < 1.
func (s *Marks) Init(max int) { *s = Marks{max: max} }

// Len returns the number of hashes in s.
func (s *Marks) Len() int { return s.n }

// Max returns the maximum that Init set.
func (s *Marks) Max() int { return s.max }

// find returns the index of the slot of h, and whether h is there.
func (s *Marks) find(h uint64) (uint64, bool) {
	t := s.slots
	if len(t) == 0 {
		return 0, false
	}
	m := uint64(len(t) - 1)
	for i, d := h&m, uint64(0); ; i, d = (i+1)&m, d+1 {
		e := &t[i]
		if !e.v.used || dist(e, i, m) < d {
			return i, false
		}
		if e.h == h {
			return i, true
		}
	}
}

// Get returns the byte of h and whether h is in s.
func (s *Marks) Get(h uint64) (uint8, bool) {
	i, ok := s.find(h)
	if !ok {
		return 0, false
	}
	return s.slots[i].v.v, true
}

// Add sets the byte of h to v. A hash not in s is added as the youngest;
// if s holds its maximum, the oldest hash goes first.
func (s *Marks) Add(h uint64, v uint8) {
	if i, ok := s.find(h); ok {
		s.slots[i].v.v = v
		return
	}
	if s.max < 1 {
		panic("hashtab: Marks.Add with a maximum below 1 (Init sets it)")
	}
	if s.n == s.max {
		i, _ := s.find(s.ring[s.head])
		unplace(s.slots, i)
		s.n--
		s.ring[s.head] = h
		if s.head++; s.head == len(s.ring) {
			s.head = 0
		}
	} else {
		if len(s.ring) == cap(s.ring) {
			c := min(max(2*cap(s.ring), minSlots), s.max)
			s.ring = append(make([]uint64, 0, c), s.ring...)
		}
		s.ring = append(s.ring, h)
	}
	if s.n >= s.limit {
		size := max(2*len(s.slots), minSlots)
		s.slots = resize(s.slots, size)
		s.limit = size / 8 * marksLoad
	}
	place(s.slots, slot[mark]{h, mark{v, true}})
	s.n++
}

// Reserve makes room at once for n hashes in all (at most the maximum),
// so that s grows no more until it holds them: a caller that knows it will
// fill s trades the memory of a short run for a flat one.
func (s *Marks) Reserve(n int) {
	n = min(n, s.max)
	if cap(s.ring) < n {
		s.ring = append(make([]uint64, 0, n), s.ring...)
	}
	size := max(len(s.slots), minSlots)
	for size/8*marksLoad < n {
		size *= 2
	}
	if size > len(s.slots) {
		s.slots = resize(s.slots, size)
		s.limit = size / 8 * marksLoad
	}
}

// All returns an iterator over the hashes in s and their bytes, oldest
// first (the order in which Add would bring them back). The loop's body
// must not Add.
func (s *Marks) All() iter.Seq2[uint64, uint8] {
	return func(yield func(uint64, uint8) bool) {
		for k := range s.ring {
			j := s.head + k
			if j >= len(s.ring) {
				j -= len(s.ring)
			}
			h := s.ring[j]
			i, _ := s.find(h)
			if !yield(h, s.slots[i].v.v) {
				return
			}
		}
	}
}
