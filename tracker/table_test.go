package tracker

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// TestTablesChain: keys that share a hash are chained; every lookup checks
// the whole key, and deleting any of them leaves the others.
func TestTablesChain(t *testing.T) {
	var et entTable
	et.init()
	a := &entity{key: "\x02n\x00a", h: 7}
	b := &entity{key: "\x02n\x00b", h: 7}
	c := &entity{key: "\x02n\x00c", h: 7}
	for _, e := range []*entity{a, b, c} {
		et.put(e)
	}
	keys := func() []string {
		var out []string
		for _, k := range []string{"\x02n\x00a", "\x02n\x00b", "\x02n\x00c", "\x02n\x00d"} {
			if e := et.get(7, []byte(k)); e != nil {
				out = append(out, e.key)
			}
		}
		return out
	}
	tests := []struct {
		why  string
		del  *entity
		want []string
	}{
		{"three keys, one hash: each found by its key, an unknown key not", nil, []string{"\x02n\x00a", "\x02n\x00b", "\x02n\x00c"}},
		{"delete from the middle of the chain", b, []string{"\x02n\x00a", "\x02n\x00c"}},
		{"delete the head of the chain", c, []string{"\x02n\x00a"}},
		{"delete the last one: the hash is gone", a, nil},
	}
	for _, tt := range tests {
		if tt.del != nil {
			et.del(tt.del)
		}
		if diff := cmp.Diff(tt.want, keys()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.why, diff)
		}
	}
	if et.n != 0 || len(et.m) != 0 {
		t.Errorf("after deleting all: n=%d, %d hashes", et.n, len(et.m))
	}

	var st sessTable
	st.init()
	s1, s2 := &session{key: "n\x00s1", h: 9}, &session{key: "n\x00s2", h: 9}
	st.put(s1)
	st.put(s2)
	st.del(s2)
	if st.get(9, []byte("n\x00s1")) != s1 || st.get(9, []byte("n\x00s2")) != nil || st.n != 1 {
		t.Errorf("sessions: chain broken after a delete")
	}
}

// TestHashKeyLengths: every length from 0 to 40 hashes, and changing any
// one byte changes the hash (a smoke test of the mixing, not a proof).
func TestHashKeyLengths(t *testing.T) {
	seen := map[uint64]string{}
	for n := 0; n <= 40; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('a' + i%26)
		}
		for i := -1; i < n; i++ {
			c := append([]byte(nil), b...)
			if i >= 0 {
				c[i] ^= 1
			}
			h := hashKey(42, c)
			if hashKey(43, c) == h {
				t.Fatalf("hashKey(%q) does not depend on its key", c)
			}
			if prev, ok := seen[h]; ok {
				t.Fatalf("hashKey(%q) == hashKey(%q)", c, prev)
			}
			seen[h] = string(c)
			if hashString(42, string(c)) != h {
				t.Fatalf("hashString and hashKey differ on %q", c)
			}
		}
	}
}

// TestOtherSideStartsFinal: an event of a family of wcs.OtherSide with an
// unknown status starts its entity in the initial state, which must be
// final, or that one bad line would end in a dangling warning.
func TestOtherSideStartsFinal(t *testing.T) {
	for _, f := range wcs.Families() {
		if m := f.Machine(); wcs.OtherSide(f) && !m.Final(m.Initial()) {
			t.Errorf("%s: initial state %s is not final", m.Name(), m.String(m.Initial()))
		}
	}
}
