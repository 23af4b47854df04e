package hashtab

import "testing"

// TestHashLengths: every length from 0 to 40 hashes, and changing any
// one byte changes the hash (a smoke test of the mixing, not a proof).
func TestHashLengths(t *testing.T) {
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
			h := Hash(42, c)
			if Hash(43, c) == h {
				t.Fatalf("Hash(%q) does not depend on its key", c)
			}
			if prev, ok := seen[h]; ok {
				t.Fatalf("Hash(%q) == Hash(%q)", c, prev)
			}
			seen[h] = string(c)
			if HashString(42, string(c)) != h {
				t.Fatalf("HashString and Hash differ on %q", c)
			}
		}
	}
}
