package hashtab_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/wcsfsm/wcsfsm/internal/hashtab"
)

// item is shaped like eventlog's entity: a key (of the usual length:
// family byte, node, NUL, id) held inside it, its hash, the chain link
// that the map baseline needs, and the rest of an entity.
type item struct {
	key  string // in kbuf
	h    uint64
	next *item
	_    [64]byte // the rest of an entity
	kbuf [64]byte
}

func (it *item) Key() string { return it.key }

// chainMap is the baseline: eventlog/table.go's map of hashes to chains.
type chainMap struct {
	m map[uint64]*item
	n int
}

func (t *chainMap) get(h uint64, key []byte) *item {
	for e := t.m[h]; e != nil; e = e.next {
		if e.key == string(key) {
			return e
		}
	}
	return nil
}

func (t *chainMap) put(e *item) {
	e.next = t.m[e.h]
	t.m[e.h] = e
	t.n++
}

func (t *chainMap) del(e *item) {
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

const benchSeed = 0x5eed

// benchItems makes n items with distinct keys, in a random order.
func benchItems(n int, tag string) []*item {
	r := rand.New(rand.NewPCG(1, uint64(n)))
	items := make([]*item, n)
	for i := range items {
		it := new(item)
		k := fmt.Appendf(it.kbuf[:0], "\x01node-%04d.example.net\x00%s-%016x", r.IntN(100), tag, r.Uint64())
		it.key = unsafe.String(&k[0], len(k))
		it.h = hashtab.HashString(benchSeed, it.key)
		items[i] = it
	}
	r.Shuffle(n, func(i, j int) { items[i], items[j] = items[j], items[i] })
	return items
}

// probes are the lookups of a benchmark, laid out in the order they are
// made (as a tracker has the key it looks up at hand, and its hash).
type probes struct {
	h   []uint64
	key [][]byte
}

// probesOf returns the lookups of items, in a random order.
func probesOf(items []*item) probes {
	order := rand.New(rand.NewPCG(2, uint64(len(items)))).Perm(len(items))
	p := probes{h: make([]uint64, len(items)), key: make([][]byte, len(items))}
	var buf []byte
	for _, k := range order {
		buf = append(buf, items[k].key...)
	}
	for i, k := range order {
		p.h[i] = items[k].h
		p.key[i], buf = buf[:len(items[k].key):len(items[k].key)], buf[len(items[k].key):]
	}
	return p
}

var benchSizes = []int{1e3, 1e5, 1e6}

var sink *item

func BenchmarkGetHit(b *testing.B) {
	for _, n := range benchSizes {
		items := benchItems(n, "hit")
		p := probesOf(items) // in another order than that of insertion
		b.Run(fmt.Sprintf("n=%d/impl=table", n), func(b *testing.B) {
			var t hashtab.Table[*item]
			for _, it := range items {
				t.Put(it.h, it)
			}
			i := 0
			for b.Loop() {
				if sink = t.Get(p.h[i], p.key[i]); sink == nil {
					b.Fatal("miss")
				}
				if i++; i == n {
					i = 0
				}
			}
		})
		b.Run(fmt.Sprintf("n=%d/impl=map", n), func(b *testing.B) {
			t := chainMap{m: map[uint64]*item{}}
			for _, it := range items {
				t.put(it)
			}
			i := 0
			for b.Loop() {
				if sink = t.get(p.h[i], p.key[i]); sink == nil {
					b.Fatal("miss")
				}
				if i++; i == n {
					i = 0
				}
			}
		})
	}
}

func BenchmarkGetMiss(b *testing.B) {
	for _, n := range benchSizes {
		items := benchItems(n, "in")
		p := probesOf(benchItems(n, "out"))
		b.Run(fmt.Sprintf("n=%d/impl=table", n), func(b *testing.B) {
			var t hashtab.Table[*item]
			for _, it := range items {
				t.Put(it.h, it)
			}
			i := 0
			for b.Loop() {
				if sink = t.Get(p.h[i], p.key[i]); sink != nil {
					b.Fatal("hit")
				}
				if i++; i == n {
					i = 0
				}
			}
		})
		b.Run(fmt.Sprintf("n=%d/impl=map", n), func(b *testing.B) {
			t := chainMap{m: map[uint64]*item{}}
			for _, it := range items {
				t.put(it)
			}
			i := 0
			for b.Loop() {
				if sink = t.get(p.h[i], p.key[i]); sink != nil {
					b.Fatal("hit")
				}
				if i++; i == n {
					i = 0
				}
			}
		})
	}
}

// BenchmarkChurn holds n of 2n items, and at each step puts one in and
// takes the one that has been in longest out (as a tracker starts and
// forgets entities): one Put and one Delete per op.
func BenchmarkChurn(b *testing.B) {
	for _, n := range benchSizes {
		items := benchItems(2*n, "churn")
		b.Run(fmt.Sprintf("n=%d/impl=table", n), func(b *testing.B) {
			var t hashtab.Table[*item]
			for _, it := range items[:n] {
				t.Put(it.h, it)
			}
			in, out := n, 0
			for b.Loop() {
				it := items[in]
				t.Put(it.h, it)
				it = items[out]
				if !t.Delete(it.h, it) {
					b.Fatal("not there")
				}
				if in++; in == 2*n {
					in = 0
				}
				if out++; out == 2*n {
					out = 0
				}
			}
		})
		b.Run(fmt.Sprintf("n=%d/impl=map", n), func(b *testing.B) {
			t := chainMap{m: map[uint64]*item{}}
			for _, it := range items[:n] {
				t.put(it)
			}
			in, out := n, 0
			for b.Loop() {
				t.put(items[in])
				t.del(items[out])
				if in++; in == 2*n {
					in = 0
				}
				if out++; out == 2*n {
					out = 0
				}
			}
		})
	}
}
