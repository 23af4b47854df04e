package tracker

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// hashKey is the 64-bit hash of a key that entities, sessions and marks
// are kept under, keyed by the tracker's seed: sixteen bytes at a time,
// mixed by a 128-bit multiply (in the manner of wyhash). The seed is random
// for each tracker (and kept in its snapshots, which store the marks'
// hashes), so that ids cannot be chosen to collide: the tables would still
// be right (they chain and check whole keys) but slow, and one forgotten
// entity's mark could answer for another's.
func hashKey(key uint64, b []byte) uint64 {
	const (
		p0 = 0xa0761d6478bd642f
		p1 = 0xe7037ed1a0b428db
		p2 = 0x8ebc6af09c88c6e3
	)
	n := len(b)
	seed := wymix(key^p0, uint64(n)^p1)
	for len(b) > 16 {
		seed = wymix(binary.LittleEndian.Uint64(b)^p1^key, binary.LittleEndian.Uint64(b[8:])^seed)
		b = b[16:]
	}
	var a, c uint64
	switch {
	case len(b) >= 8:
		a, c = binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[len(b)-8:])
	case len(b) >= 4:
		a, c = uint64(binary.LittleEndian.Uint32(b)), uint64(binary.LittleEndian.Uint32(b[len(b)-4:]))
	case len(b) > 0:
		a = uint64(b[0])<<16 | uint64(b[len(b)/2])<<8 | uint64(b[len(b)-1])
	}
	return wymix(p2^uint64(n)^key, wymix(a^p1^key, c^seed))
}

func wymix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// hashString is hashKey of a string.
func hashString(key uint64, k string) uint64 {
	return hashKey(key, unsafe.Slice(unsafe.StringData(k), len(k)))
}

// presize is how many marks a tracker keeps before it makes room for
// MaxMarks of them.
const presize = 1024

// marks is a bounded set of 64-bit hashes with a byte each; the oldest goes
// first when it is full.
type marks struct {
	m    map[uint64]uint8
	ring []uint64
	head int
	max  int
}

func (s *marks) init(max int) {
	s.m = map[uint64]uint8{}
	s.ring = s.ring[:0]
	s.head = 0
	s.max = max
}

func (s *marks) get(h uint64) (uint8, bool) {
	v, ok := s.m[h]
	return v, ok
}

func (s *marks) add(h uint64, v uint8) {
	if _, ok := s.m[h]; ok {
		s.m[h] = v
		return
	}
	if len(s.ring) == presize && cap(s.ring) < s.max {
		// Past a few marks, make room for all at once: the memory of a
		// long log is then that of a short one, not one that grows until
		// the bound. (A tracker that keeps a few marks keeps them small.)
		m := make(map[uint64]uint8, s.max)
		for h, v := range s.m {
			m[h] = v
		}
		s.m = m
		s.ring = append(make([]uint64, 0, s.max), s.ring...)
	}
	if len(s.ring) < s.max {
		s.ring = append(s.ring, h)
	} else {
		delete(s.m, s.ring[s.head])
		s.ring[s.head] = h
		s.head = (s.head + 1) % len(s.ring)
	}
	s.m[h] = v
}

func (s *marks) len() int { return len(s.m) }
