package hashtab

import (
	"fmt"
	"slices"

	"github.com/google/go-cmp/cmp"
)

// val is what the tests keep in a Table.
type val struct {
	key string
	id  int // tells apart two vals of the same key
}

func (v *val) Key() string { return v.key }

// opKind is one operation of a table test.
type opKind uint8

const (
	opPut      opKind = iota // put a new val of key (skipped if key is in: Put's caller guarantees it is not)
	opGet                    // get key
	opDel                    // delete the val of key (or find that there is none)
	opDelOther               // delete a val of key that is not the one in the table: must do nothing
	opSweep                  // range over All, deleting the vals whose id is odd
	opReset                  // Reset
	numOps
)

var opNames = [...]string{"put", "get", "del", "delOther", "sweep", "reset"}

type op struct {
	kind opKind
	key  string
}

func (o op) String() string { return opNames[o.kind] + "(" + fmt.Sprintf("%q", o.key) + ")" }

// harness runs ops on a Table and on a model (a Go map of keys to vals),
// and reports every difference, with the table's invariants after each op.
type harness struct {
	tb    fataler
	hash  func(key string) uint64
	t     Table[*val]
	model map[string]*val
	ids   int
}

// fataler is what the harness needs of a *testing.T or a *rapid.T.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

func newHarness(tb fataler, hash func(string) uint64) *harness {
	return &harness{tb: tb, hash: hash, model: map[string]*val{}}
}

func (h *harness) do(o op) {
	h.tb.Helper()
	hk := h.hash(o.key)
	switch o.kind {
	case opPut:
		if h.model[o.key] != nil {
			return
		}
		h.ids++
		v := &val{o.key, h.ids}
		h.t.Put(hk, v)
		h.model[o.key] = v
	case opGet:
		if got, want := h.t.Get(hk, []byte(o.key)), h.model[o.key]; got != want {
			h.tb.Fatalf("%v: got %v, want %v", o, got, want)
		}
	case opDel:
		want := h.model[o.key]
		if got := h.t.Delete(hk, want); got != (want != nil) {
			h.tb.Fatalf("%v: Delete reported %v, want %v", o, got, want != nil)
		}
		delete(h.model, o.key)
	case opDelOther:
		if h.t.Delete(hk, &val{o.key, -1}) {
			h.tb.Fatalf("%v: Delete removed a val it was not given", o)
		}
	case opSweep:
		seen := map[*val]int{}
		for v := range h.t.All() {
			seen[v]++
			if v.id%2 == 1 {
				if !h.t.Delete(h.hash(v.key), v) {
					h.tb.Fatalf("%v: Delete of %v, given by All, reported false", o, v)
				}
			}
		}
		want := map[*val]int{}
		for k, v := range h.model {
			want[v] = 1
			if v.id%2 == 1 {
				delete(h.model, k)
			}
		}
		if diff := cmp.Diff(want, seen); diff != "" {
			h.tb.Fatalf("%v: All gave other vals (-want +got):\n%s", o, diff)
		}
	case opReset:
		h.t.Reset()
		clear(h.model)
	}
	h.check(o)
}

// check compares t with the model, and checks t's invariants. It is
// cheap (the fuzzer runs it after every operation); it computes a diff
// only when there is a difference to show.
func (h *harness) check(o op) {
	h.tb.Helper()
	n := 0
	for v := range h.t.All() {
		n++
		if h.model[v.key] != v {
			n = -1
			break
		}
	}
	if n != len(h.model) || h.t.Len() != len(h.model) {
		var got, want []string
		for v := range h.t.All() {
			got = append(got, fmt.Sprintf("%s#%d", v.key, v.id))
		}
		for _, v := range h.model {
			want = append(want, fmt.Sprintf("%s#%d", v.key, v.id))
		}
		slices.Sort(got)
		slices.Sort(want)
		h.tb.Fatalf("after %v: Len %d, want %d; All (-want +got):\n%s", o, h.t.Len(), len(h.model), cmp.Diff(want, got))
	}
	for k, v := range h.model {
		if h.t.Get(h.hash(k), []byte(k)) != v {
			h.tb.Fatalf("after %v: Get(%q) misses %v", o, k, v)
		}
	}
	if err := checkSlots(h.t.slots, h.t.n, h.t.limit, tableLoad); err != "" {
		h.tb.Fatalf("after %v: %s", o, err)
	}
}

// checkSlots returns what is wrong with s, of n values, growing at limit
// with load (in eighths), or "".
func checkSlots[V comparable](s []slot[V], n, limit, load int) string {
	var zero V
	if len(s) == 0 {
		if n != 0 || limit != 0 {
			return fmt.Sprintf("no slots, but n %d, limit %d", n, limit)
		}
		return ""
	}
	if len(s)&(len(s)-1) != 0 || len(s) < minSlots {
		return fmt.Sprintf("%d slots", len(s))
	}
	if limit != len(s)/8*load || n > limit {
		return fmt.Sprintf("%d slots, limit %d, n %d", len(s), limit, n)
	}
	m := uint64(len(s) - 1)
	count := 0
	for i := range s {
		e := &s[i]
		if e.v == zero {
			if e.h != 0 {
				return fmt.Sprintf("empty slot %d keeps hash %#x", i, e.h)
			}
			continue
		}
		count++
		// A value away from home follows a value (so, by induction, every
		// slot from its home to it is full) whose home is not past its
		// own (Robin Hood).
		d := dist(e, uint64(i), m)
		p := (uint64(i) - 1) & m
		if d > 0 && (s[p].v == zero || d > dist(&s[p], p, m)+1) {
			return fmt.Sprintf("slot %d (hash %#x) stands %d from home, after slot %d (%v, %d from home)", i, e.h, d, p, s[p].v != zero, dist(&s[p], p, m))
		}
	}
	if count != n {
		return fmt.Sprintf("%d full slots, n %d", count, n)
	}
	return ""
}
