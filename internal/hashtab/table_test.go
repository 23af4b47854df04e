package hashtab

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"
)

func put(k string) op      { return op{opPut, k} }
func get(k string) op      { return op{opGet, k} }
func del(k string) op      { return op{opDel, k} }
func delOther(k string) op { return op{opDelOther, k} }

// hashes returns a hash function that gives the keys of m their hashes
// and any other key 1.
func hashes(m map[string]uint64) func(string) uint64 {
	return func(k string) uint64 {
		if h, ok := m[k]; ok {
			return h
		}
		return 1
	}
}

func TestTable(t *testing.T) {
	// The first table has 8 slots (mask 7): hashes 7, 15 and 23 share the
	// last slot as home, and their run goes on at slot 0.
	wrap := hashes(map[string]uint64{"a": 7, "b": 15, "c": 23, "d": 0, "e": 1})
	many := func() []op {
		var ops []op
		for i := range 100 {
			ops = append(ops, put(fmt.Sprint(i)))
		}
		for i := range 100 {
			ops = append(ops, get(fmt.Sprint(i)), del(fmt.Sprint(i)))
		}
		return ops
	}()
	tests := []struct {
		name string // why the row is there
		hash func(string) uint64
		ops  []op
	}{
		{"the zero Table is empty and usable", wrap, []op{get("a"), del("a"), delOther("a"), {kind: opSweep}, {kind: opReset}, put("a"), get("a")}},
		{"equal hashes: keys tell the values apart", hashes(nil), []op{put("x"), put("y"), put("z"), get("x"), get("y"), get("z"), get("w"), del("y"), get("x"), get("y"), get("z")}},
		{"hash 0 is a hash like any other", hashes(map[string]uint64{"z": 0, "o": ^uint64(0)}), []op{put("z"), put("o"), get("z"), get("o"), del("z"), get("z"), get("o")}},
		{"a run wraps around the end of the slots", wrap, []op{put("a"), put("b"), put("c"), put("d"), put("e"), get("a"), get("b"), get("c"), get("d"), get("e")}},
		{"deleting at the end shifts the wrapped values back across it", wrap, []op{put("a"), put("b"), put("c"), put("d"), del("a"), get("b"), get("c"), get("d"), del("b"), get("c"), get("d")}},
		{"a Put at a home taken by a wrapped value moves it on", wrap, []op{put("a"), put("b"), put("c"), put("d"), put("e"), del("c"), get("d"), get("e")}},
		{"Delete removes exactly the value it is given, not another of its key", wrap, []op{put("a"), delOther("a"), get("a"), delOther("b"), get("a")}},
		{"a miss stops at a run's values of later homes", hashes(map[string]uint64{"a": 2, "b": 2, "c": 3, "d": 4, "x": 2}), []op{put("a"), put("c"), put("d"), put("b"), get("x"), get("b"), del("a"), get("b"), get("c"), get("d")}},
		{"growth keeps every value, and deletions empty the table", func(k string) uint64 { return uint64(len(k)) * 0x9e3779b97f4a7c15 }, many},
		{"growth with all hashes equal", hashes(nil), many},
		{"Reset empties the table and keeps it usable", wrap, []op{put("a"), put("b"), {kind: opReset}, get("a"), put("b"), get("b")}},
		{"a sweep deletes the values it is given, across a wrapped run", wrap, []op{put("a"), put("b"), put("c"), put("d"), put("e"), {kind: opSweep}, get("a"), get("b"), get("c"), get("d"), get("e")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.hash)
			for _, o := range tt.ops {
				h.do(o)
			}
		})
	}
}

func TestTablePutZero(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Put of nil did not panic")
		}
	}()
	var tb Table[*val]
	tb.Put(0, nil)
}

// TestAllStops checks that All stops when the loop's body breaks.
func TestAllStops(t *testing.T) {
	var tb Table[*val]
	for i := range 10 {
		tb.Put(uint64(i), &val{fmt.Sprint(i), i})
	}
	n := 0
	for range tb.All() {
		if n++; n == 3 {
			break
		}
	}
	if n != 3 {
		t.Fatalf("%d values before the break, want 3", n)
	}
}

// TestTableProperty runs random operations against the model, with hashes
// drawn from a small set so that they collide (equal hashes, equal homes,
// runs wrapping around the end), and with keys whose hashes are equal.
func TestTableProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		nkeys := rapid.IntRange(1, 200).Draw(t, "keys")
		pool := rapid.SampledFrom([][]uint64{
			{0},
			{0, 1, 2, 3},
			{7, 15, 23, 31, 6, 0},
			{0, 1 << 63, ^uint64(0), 0x9e3779b97f4a7c15},
			{5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32},
		}).Draw(t, "pool")
		hs := make(map[string]uint64, nkeys)
		keys := make([]string, nkeys)
		for i := range keys {
			keys[i] = fmt.Sprint("k", i)
			hs[keys[i]] = rapid.SampledFrom(pool).Draw(t, "hash")
		}
		h := newHarness(t, func(k string) uint64 { return hs[k] })
		// rapid draws short slices: draw the length, so that some runs
		// are long enough to fill and grow the table.
		nops := rapid.SampledFrom([]int{10, 100, 1000}).Draw(t, "nops")
		kinds := []opKind{opPut, opPut, opPut, opGet, opGet, opDel, opDel, opDelOther, opSweep, opReset}
		for range nops {
			kind := rapid.SampledFrom(kinds).Draw(t, "op")
			if kind == opReset && rapid.IntRange(0, 9).Draw(t, "reset") > 0 {
				kind = opGet // a Reset now and then, not every tenth op
			}
			h.do(op{kind, rapid.SampledFrom(keys).Draw(t, "key")})
		}
	})
}

// FuzzTable reads the bytes as operations: the first picks how keys hash,
// then each pair is an operation and a key.
func FuzzTable(f *testing.F) {
	f.Add([]byte{0, 0, 1, 0, 2, 1, 1, 2, 1, 3, 1})
	f.Add([]byte{1, 0, 7, 0, 15, 0, 23, 2, 7, 1, 15, 4, 0})
	f.Add([]byte{2, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8, 2, 3, 3, 4, 5, 0})
	f.Add([]byte{3, 0, 0, 0, 1, 2, 0, 1, 1})
	f.Fuzz(fuzzTable)
}

func fuzzTable(t *testing.T, b []byte) {
	if len(b) == 0 {
		return
	}
	var hash func(string) uint64
	switch b[0] % 5 {
	case 0: // few hashes: equal hashes, equal homes
		hash = func(k string) uint64 { return uint64(len(k)+int(k[len(k)-1])) % 3 }
	case 1: // homes at the end of small tables: runs wrap around
		hash = func(k string) uint64 { return uint64(k[len(k)-1])*8 + 7 }
	case 2: // well mixed
		hash = func(k string) uint64 { return HashString(0x5eed, k) }
	case 3: // all equal
		hash = func(string) uint64 { return 0 }
	default: // high bits only: every home is slot 0
		hash = func(k string) uint64 { return uint64(k[len(k)-1]) << 56 }
	}
	h := newHarness(t, hash)
	// At most 1000 operations: each checks the whole table, and the
	// fuzzer should try many inputs rather than a few long ones.
	b = b[1:min(len(b), 2001)]
	for ; len(b) >= 2; b = b[2:] {
		// Keys are few, so that operations meet; puts are the most
		// frequent operation, so that the table grows.
		kind := opKind(b[0] % byte(numOps+3))
		if kind >= numOps {
			kind = opPut
		}
		h.do(op{kind, fmt.Sprint("k", b[1]%64)})
	}
}
