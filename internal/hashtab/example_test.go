package hashtab_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/wcsfsm/wcsfsm/internal/hashtab"
)

type entity struct {
	key   string
	state int
}

func (e *entity) Key() string { return e.key }

func ExampleTable() {
	const seed = 42 // random for each tracker
	var t hashtab.Table[*entity]
	for _, k := range []string{"alice", "bob"} {
		t.Put(hashtab.HashString(seed, k), &entity{key: k})
	}
	key := []byte("bob") // an event's key, as read
	h := hashtab.Hash(seed, key)
	if e := t.Get(h, key); e != nil {
		e.state++
		t.Delete(h, e)
	}
	for e := range t.All() {
		fmt.Println(e.key, e.state)
	}
	fmt.Println(t.Len(), t.Get(h, key) == nil)
	// Output:
	// alice 0
	// 1 true
}

func ExampleMarks() {
	var m hashtab.Marks
	m.Init(2)
	m.Add(10, 1)
	m.Add(20, 2)
	m.Add(10, 3) // an update: 10 stays the oldest
	m.Add(30, 4) // full: 10 goes
	_, ok := m.Get(10)
	fmt.Println(ok)
	for h, v := range m.All() {
		fmt.Println(h, v)
	}
	// Output:
	// false
	// 20 2
	// 30 4
}

// TestMarksHugeMax checks that a bound far beyond memory costs nothing
// until it is used: Marks allocate for the hashes they hold, not for their
// maximum.
func TestMarksHugeMax(t *testing.T) {
	var m hashtab.Marks
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	m.Init(1 << 40)
	for i := range 1000 {
		m.Add(hashtab.HashString(1, fmt.Sprint(i)), uint8(i))
	}
	runtime.ReadMemStats(&after)
	// 1000 hashes: slots 2048*16 bytes, ring 1024*8, and the smaller ones
	// they grew from, with fmt.Sprint's strings: well below 256 KiB.
	if n := after.TotalAlloc - before.TotalAlloc; n > 256<<10 {
		t.Errorf("1000 marks of a Marks of max 1<<40 allocated %d bytes", n)
	}
	if m.Len() != 1000 {
		t.Errorf("Len %d, want 1000", m.Len())
	}
	if n := testing.AllocsPerRun(100, func() { m.Get(12345) }); n != 0 {
		t.Errorf("Get allocates %v times", n)
	}
}

// TestNoAllocs checks that the lookups and the updates that need no room
// allocate nothing.
func TestNoAllocs(t *testing.T) {
	var tb hashtab.Table[*entity]
	es := make([]*entity, 100)
	for i := range es {
		es[i] = &entity{key: fmt.Sprint("e", i)}
		tb.Put(hashtab.HashString(0, es[i].key), es[i])
	}
	key := []byte("e42")
	h := hashtab.Hash(0, key)
	if n := testing.AllocsPerRun(100, func() {
		if tb.Get(h, key) == nil {
			t.Fatal("miss")
		}
		tb.Delete(h, es[42])
		tb.Put(h, es[42])
	}); n != 0 {
		t.Errorf("Get, Delete and Put allocate %v times", n)
	}
	var m hashtab.Marks
	m.Init(10)
	for i := range 10 {
		m.Add(uint64(i), 0)
	}
	if n := testing.AllocsPerRun(100, func() { m.Add(h, 1); m.Add(h+1, 2) }); n != 0 {
		t.Errorf("Add to a full Marks allocates %v times", n)
	}
}
