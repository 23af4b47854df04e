package hashtab

// The tables share their slots: an array, of a power of two length, of
// values with their full hashes, in which a zero value marks an empty slot.
// A value's home is the slot of its hash's low bits (h&m, where m is the
// length less one); it stands at its home or after it, in the same run
// (the slots between two empty ones), and each run holds its values in the
// order of their homes (Robin Hood hashing): a lookup may stop at the first
// value whose home is past the one it looks for. That order also means
// that the values of a set always stand in the same slots, whatever the
// order of the insertions and deletions that made it: churn does not wear
// the table down.

type slot[V comparable] struct {
	h uint64
	v V // the zero V: empty
}

// minSlots is the length of a table's first array.
const minSlots = 8

// dist returns how far the value in slot i of a table of mask m stands
// from its home.
func dist[V comparable](e *slot[V], i, m uint64) uint64 { return (i - e.h) & m }

// place puts e in s, which has an empty slot: before the first value
// whose home is past e's, and the values from there to the end of the run
// move on by one.
func place[V comparable](s []slot[V], e slot[V]) {
	var zero V
	m := uint64(len(s) - 1)
	i, d := e.h&m, uint64(0)
	for s[i].v != zero && dist(&s[i], i, m) >= d {
		i, d = (i+1)&m, d+1
	}
	if s[i].v != zero {
		j := (i + 1) & m
		for s[j].v != zero {
			j = (j + 1) & m
		}
		// The values in [i, j) move to [i+1, j].
		if j < i { // around the end
			copy(s[1:j+1], s[:j])
			s[0] = s[m]
			j = m
		}
		copy(s[i+1:j+1], s[i:j])
	}
	s[i] = e
}

// unplace empties slot i of s, moving back by one the values after it up
// to the end of the run or the first value at its home.
func unplace[V comparable](s []slot[V], i uint64) {
	var zero V
	m := uint64(len(s) - 1)
	j := (i + 1) & m
	for s[j].v != zero && dist(&s[j], j, m) != 0 {
		j = (j + 1) & m
	}
	// The values in (i, j) move to [i, j-1).
	if j < i { // around the end
		copy(s[i:], s[i+1:])
		if j > 0 {
			s[m] = s[0]
			copy(s, s[1:j])
		}
	} else {
		copy(s[i:j-1], s[i+1:j])
	}
	s[(j-1)&m] = slot[V]{}
}

// resize returns the values of old placed in a new array of size slots
// (by their stored hashes: no key is hashed again).
func resize[V comparable](old []slot[V], size int) []slot[V] {
	var zero V
	s := make([]slot[V], size)
	for _, e := range old {
		if e.v != zero {
			place(s, e)
		}
	}
	return s
}
