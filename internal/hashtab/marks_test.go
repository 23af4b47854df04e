package hashtab

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// marksModel is eventlog's marks (rules.go) as it was before this package,
// copied line for line (presize included, which changes only its memory):
// the semantics that Marks must keep.
type marksModel struct {
	m    map[uint64]uint8
	ring []uint64
	head int
	max  int
}

const presize = 1024

func (s *marksModel) init(max int) {
	s.m = map[uint64]uint8{}
	s.ring = s.ring[:0]
	s.head = 0
	s.max = max
}

func (s *marksModel) get(h uint64) (uint8, bool) {
	v, ok := s.m[h]
	return v, ok
}

func (s *marksModel) add(h uint64, v uint8) {
	if _, ok := s.m[h]; ok {
		s.m[h] = v
		return
	}
	if len(s.ring) == presize && cap(s.ring) < s.max {
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

func (s *marksModel) len() int { return len(s.m) }

// pair is a hash and its byte, as Marks.All gives them.
type pair struct {
	H uint64
	V uint8
}

// all is eventlog's appendMarks: the marks, oldest first.
func (s *marksModel) all() []pair {
	var out []pair
	for i := range s.ring {
		h := s.ring[(s.head+i)%len(s.ring)]
		out = append(out, pair{h, s.m[h]})
	}
	return out
}

func marksPairs(s *Marks) []pair {
	var out []pair
	for h, v := range s.All() {
		out = append(out, pair{h, v})
	}
	return out
}

// marksHarness runs the same operations on a Marks and on the model.
type marksHarness struct {
	tb    fataler
	s     Marks
	model marksModel
}

func newMarksHarness(tb fataler, max int) *marksHarness {
	h := &marksHarness{tb: tb}
	h.s.Init(max)
	h.model.init(max)
	return h
}

func (h *marksHarness) add(k uint64, v uint8) {
	h.tb.Helper()
	h.s.Add(k, v)
	h.model.add(k, v)
	h.check(fmt.Sprintf("add(%#x, %d)", k, v))
}

func (h *marksHarness) get(k uint64) {
	h.tb.Helper()
	gv, gok := h.s.Get(k)
	wv, wok := h.model.get(k)
	if gv != wv || gok != wok {
		h.tb.Fatalf("get(%#x): %d, %v; want %d, %v", k, gv, gok, wv, wok)
	}
}

func (h *marksHarness) check(after string) {
	h.tb.Helper()
	if h.s.Len() != h.model.len() {
		h.tb.Fatalf("after %s: Len %d, want %d", after, h.s.Len(), h.model.len())
	}
	if diff := cmp.Diff(h.model.all(), marksPairs(&h.s)); diff != "" {
		h.tb.Fatalf("after %s: All (-want +got):\n%s", after, diff)
	}
	for k, v := range h.model.m {
		if got, ok := h.s.Get(k); !ok || got != v {
			h.tb.Fatalf("after %s: Get(%#x) = %d, %v; want %d, true", after, k, got, ok, v)
		}
	}
	if err := checkMarks(&h.s); err != "" {
		h.tb.Fatalf("after %s: %s", after, err)
	}
}

// checkMarks returns what is wrong with s's invariants (memory included),
// or "".
func checkMarks(s *Marks) string {
	if err := checkSlots(s.slots, s.n, s.limit, marksLoad); err != "" {
		return err
	}
	if len(s.ring) != s.n || s.n > s.max {
		return fmt.Sprintf("ring of %d, n %d, max %d", len(s.ring), s.n, s.max)
	}
	if s.head != 0 && (s.n != s.max || s.head >= s.n) {
		return fmt.Sprintf("head %d, n %d, max %d", s.head, s.n, s.max)
	}
	// Memory: the ring at most twice its hashes (and never above max),
	// the slots at most twice as many as the hashes need at the load.
	if cap(s.ring) > max(2*s.n, minSlots) || cap(s.ring) > s.max {
		return fmt.Sprintf("ring cap %d for %d hashes, max %d", cap(s.ring), s.n, s.max)
	}
	if len(s.slots) > max(2*(s.n*8/marksLoad+1), minSlots) {
		return fmt.Sprintf("%d slots for %d hashes", len(s.slots), s.n)
	}
	seen := map[uint64]bool{}
	for _, h := range s.ring {
		if seen[h] {
			return fmt.Sprintf("hash %#x twice in the ring", h)
		}
		seen[h] = true
		if _, ok := s.find(h); !ok {
			return fmt.Sprintf("hash %#x of the ring not in the slots", h)
		}
	}
	return ""
}

func TestMarks(t *testing.T) {
	type step struct {
		add bool // add h, v; else get h
		h   uint64
		v   uint8
	}
	add := func(h uint64, v uint8) step { return step{true, h, v} }
	get := func(h uint64) step { return step{h: h} }
	tests := []struct {
		name string // why the row is there
		max  int
		ops  []step
		want []pair // All at the end
	}{
		{"max 1: each new hash takes the place of the last", 1, []step{add(1, 1), add(2, 2), get(1), get(2), add(2, 3), add(3, 4), get(2)}, []pair{{3, 4}}},
		{"hash 0 is kept, found and evicted like any other", 2, []step{add(0, 5), get(0), add(1, 1), get(0), add(2, 2), get(0)}, []pair{{1, 1}, {2, 2}}},
		{"an update changes the byte but not the age", 2, []step{add(1, 1), add(2, 2), add(1, 9), add(3, 3), get(1), get(2)}, []pair{{2, 2}, {3, 3}}},
		{"an evicted hash added again is the youngest", 2, []step{add(1, 1), add(2, 2), add(3, 3), add(1, 4), get(2)}, []pair{{3, 3}, {1, 4}}},
		{"the ring wraps: All starts at the oldest", 3, []step{add(1, 1), add(2, 2), add(3, 3), add(4, 4), add(5, 5), add(6, 6), add(7, 7)}, []pair{{5, 5}, {6, 6}, {7, 7}}},
		{"hashes of one home, around the end of the slots", 4, []step{add(7, 1), add(15, 2), add(23, 3), add(0, 4), add(31, 5), get(7), get(0), get(15)}, []pair{{15, 2}, {23, 3}, {0, 4}, {31, 5}}},
		{"extreme hashes", 3, []step{add(^uint64(0), 1), add(1<<63, 2), add(0, 3), get(^uint64(0)), get(1 << 63)}, []pair{{^uint64(0), 1}, {1 << 63, 2}, {0, 3}}},
		{"a byte of 0 is a byte like any other", 2, []step{add(4, 0), get(4), add(4, 0)}, []pair{{4, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newMarksHarness(t, tt.max)
			for _, o := range tt.ops {
				if o.add {
					h.add(o.h, o.v)
				} else {
					h.get(o.h)
				}
			}
			if diff := cmp.Diff(tt.want, marksPairs(&h.s)); diff != "" {
				t.Errorf("All (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMarksZero(t *testing.T) {
	var s Marks
	if _, ok := s.Get(0); ok || s.Len() != 0 || len(marksPairs(&s)) != 0 {
		t.Fatal("the zero Marks is not empty")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Add on the zero Marks did not panic")
		}
	}()
	s.Add(0, 1)
}

// TestMarksGrowth adds past the model's presize and past several growths
// of the slots and the ring, with a bound both below and above.
func TestMarksGrowth(t *testing.T) {
	for _, max := range []int{7, 8, 9, 1000, 1024, 1025, 3000} {
		t.Run(fmt.Sprint(max), func(t *testing.T) {
			h := newMarksHarness(t, max)
			for i := range 4000 {
				// Updates now and then; hashes whose low bits collide.
				k := uint64(i) << 20
				if i%5 == 4 {
					k = uint64(i-3) << 20
				}
				h.s.Add(k, uint8(i))
				h.model.add(k, uint8(i))
				if i%97 == 0 {
					h.check(fmt.Sprint("add ", i))
				}
			}
			h.check("the end")
		})
	}
}

// TestMarksProperty checks Marks against the model under random adds and
// gets, with small bounds (evicting often) and hashes from a small set
// (colliding, 0 included).
func TestMarksProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		max := rapid.IntRange(1, 40).Draw(t, "max")
		pool := rapid.SampledFrom([][]uint64{
			{0, 1},
			{0, 8, 16, 24, 7, 15, 23},
			{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49},
			{0, 1 << 63, ^uint64(0), 0x9e3779b97f4a7c15, 1<<63 | 7},
		}).Draw(t, "pool")
		h := newMarksHarness(t, max)
		nops := rapid.SampledFrom([]int{10, 100, 1000}).Draw(t, "nops")
		for range nops {
			k := rapid.SampledFrom(pool).Draw(t, "hash")
			if rapid.Bool().Draw(t, "add") {
				h.add(k, rapid.Uint8().Draw(t, "v"))
			} else {
				h.get(k)
			}
		}
	})
}

// TestMarksReserve: after Reserve(n), adding up to n hashes allocates
// nothing, and the marks keep their order and their bound.
func TestMarksReserve(t *testing.T) {
	var m Marks
	m.Init(100)
	for h := range uint64(10) {
		m.Add(h, uint8(h))
	}
	m.Reserve(1000) // more than the maximum: room for 100
	next := uint64(10)
	allocs := testing.AllocsPerRun(1, func() { // run twice: a warm-up, then measured
		for end := next + 45; next < end; next++ {
			m.Add(next, uint8(next))
		}
	})
	if allocs != 0 {
		t.Errorf("adding up to the reserve: %v allocations, want 0", allocs)
	}
	m.Add(100, 100) // the oldest, 0, goes
	if _, ok := m.Get(0); ok || m.Len() != 100 {
		t.Errorf("past the maximum: hash 0 still there (%v) or %d marks, want 100", ok, m.Len())
	}
	var order []uint64
	for h := range m.All() {
		order = append(order, h)
	}
	if order[0] != 1 || order[99] != 100 {
		t.Errorf("order after Reserve: first %d, last %d; want 1 and 100", order[0], order[99])
	}
}
