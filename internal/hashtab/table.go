package hashtab

import "iter"

// Keyed is what a [Table] holds: a pointer type (such as *entity) whose
// Key method returns the key the value is kept under. The zero value of
// the type (nil) marks an empty slot, so it cannot be stored.
type Keyed interface {
	comparable
	Key() string
}

// Table is a set of values kept under the 64-bit hashes of their keys,
// which the caller computes (once, with [Hash]) and passes to every call.
// It is an open-addressing table with linear probing (Robin Hood): each
// slot holds a value and its full hash, a lookup compares the keys (by
// v.Key()) only of the values whose hash is equal, and values whose
// hashes are equal are told apart by their keys. Growing reuses the stored
// hashes (no key is hashed again), and Delete shifts the following values
// back (no tombstones), so churn never slows it down. The hashes should be
// well mixed, as Hash's are: the table takes their low bits.
//
// The zero Table is empty and ready to use. A Table is not safe for
// concurrent use, and must not be copied once used.
type Table[T Keyed] struct {
	slots []slot[T] // len a power of two, or 0
	n     int       // values held
	limit int       // n at which Put grows the table
}

// tableLoad is the highest share of a Table's slots in use, in eighths.
// Lookups are about as fast at 7/8 as at 3/4, but Put and Delete slow
// down past 3/4 (they move the rest of a run, and runs lengthen): at 0.85
// a Put and a Delete took 1.4 times as long as at 0.7, and twice as long
// as at 0.45. The slots (16 bytes a value) weigh little beside the values
// they point to.
const tableLoad = 6

// Len returns the number of values in t.
func (t *Table[T]) Len() int { return t.n }

// Get returns the value in t whose key is key and hash h, or the zero T.
func (t *Table[T]) Get(h uint64, key []byte) T {
	var zero T
	s := t.slots
	if len(s) == 0 {
		return zero
	}
	m := uint64(len(s) - 1)
	for i, d := h&m, uint64(0); ; i, d = (i+1)&m, d+1 {
		e := &s[i]
		if e.v == zero || dist(e, i, m) < d {
			return zero
		}
		if e.h == h && e.v.Key() == string(key) {
			return e.v
		}
	}
}

// Put adds v, whose key's hash is h. The caller guarantees that no value
// with the same key is in t (Put does not look); v must not be the zero T.
func (t *Table[T]) Put(h uint64, v T) {
	var zero T
	if v == zero {
		panic("hashtab: Put of the zero value")
	}
	if t.n >= t.limit {
		size := max(2*len(t.slots), minSlots)
		t.slots = resize(t.slots, size)
		t.limit = size / 8 * tableLoad
	}
	place(t.slots, slot[T]{h, v})
	t.n++
}

// Delete removes v, kept under hash h, from t, and reports whether it was
// there. It compares values, not keys: it removes exactly v.
func (t *Table[T]) Delete(h uint64, v T) bool {
	var zero T
	s := t.slots
	if len(s) == 0 || v == zero {
		return false
	}
	m := uint64(len(s) - 1)
	i, d := h&m, uint64(0)
	for s[i].v != v {
		if s[i].v == zero || dist(&s[i], i, m) < d {
			return false
		}
		i, d = (i+1)&m, d+1
	}
	unplace(s, i)
	t.n--
	return true
}

// All returns an iterator over the values in t, in no particular order.
// The loop's body may Delete the value it is given (and Get any), but must
// not Put, nor Delete other values: values would then be missed or seen
// twice.
func (t *Table[T]) All() iter.Seq[T] {
	return func(yield func(T) bool) {
		var zero T
		s := t.slots
		if t.n == 0 {
			return
		}
		m := uint64(len(s) - 1)
		// Start after an empty slot (there is one: the table is never
		// full), so that no run wraps around the start: a Delete moves
		// values back only within their run, into slots not yet visited or
		// into the one just visited, which is then visited again.
		start := uint64(0)
		for s[start].v != zero {
			start++
		}
		for k := uint64(1); k <= m+1; k++ {
			i := (start + k) & m
			for {
				v := s[i].v
				if v == zero {
					break
				}
				if !yield(v) {
					return
				}
				if s[i].v == v {
					break
				}
			}
		}
	}
}

// Reset removes all the values from t, keeping its memory. (A Table never
// shrinks: to free its memory, assign it the zero Table.)
func (t *Table[T]) Reset() {
	clear(t.slots)
	t.n = 0
}
