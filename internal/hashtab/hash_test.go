package hashtab_test

import (
	"strings"
	"testing"

	"github.com/wcsfsm/wcsfsm/internal/hashtab"
)

// TestHashFixed checks Hash against values that eventlog's hashKey gave
// (computed by running it): snapshots keep these hashes, so Hash must
// give them forever. The inputs cover each tail length (0, 1 to 3, 4 to
// 7, 8 to 16 bytes) and the loop over 16-byte blocks, under several seeds.
func TestHashFixed(t *testing.T) {
	tests := []struct {
		seed uint64
		in   string
		want uint64
	}{
		{0x0, "", 0xc96f21ebf6290549},
		{0x0, "a", 0xc38da3818e6d912f},
		{0x0, "ab", 0xa3f101b16f30f0ca},
		{0x0, "abc", 0x438258d31d1475b6},
		{0x0, "abcd", 0xeca6684596f35fca},
		{0x0, "abcdefg", 0x3ecb2fb3c36397ef},
		{0x0, "abcdefgh", 0x970769e32beeec40},
		{0x0, "0123456789abcdef", 0x2d5d6b31cce0e87a},
		{0x0, "0123456789abcdefg", 0xd8d78a634b083cc0},
		{0x0, "\x01node-7\x00call-42", 0xee37300abaf65eed},
		{0x0, strings.Repeat("xyz", 40), 0x6c3d927663a4d558},
		{0x1, "", 0x0cf11771b72056cf},
		{0x1, "a", 0x51f43cd85cfc6fdc},
		{0x1, "ab", 0x1cc6e2f2ee32e4bf},
		{0x1, "abc", 0xfe76f14cec136440},
		{0x1, "abcd", 0x143dac9d39782d83},
		{0x1, "abcdefg", 0xff302995fc531af3},
		{0x1, "abcdefgh", 0x830ef371d2d238f3},
		{0x1, "0123456789abcdef", 0xd533d70b545e6279},
		{0x1, "0123456789abcdefg", 0x543e491edc7eef63},
		{0x1, "\x01node-7\x00call-42", 0x8eaeea4754047128},
		{0x1, strings.Repeat("xyz", 40), 0x6a419ede769e31e6},
		{0x123456789abcdef, "", 0x6d7541618ae3e6e3},
		{0x123456789abcdef, "a", 0xfe8d3fc8616ffea4},
		{0x123456789abcdef, "ab", 0xc7374a0a5c5fb751},
		{0x123456789abcdef, "abc", 0x2729831a241cb2a3},
		{0x123456789abcdef, "abcd", 0xaf039f6522a7a6c8},
		{0x123456789abcdef, "abcdefg", 0x6053b11d66937f2e},
		{0x123456789abcdef, "abcdefgh", 0x09e4c0e2f3d299e5},
		{0x123456789abcdef, "0123456789abcdef", 0xc80f7eeb45b347ec},
		{0x123456789abcdef, "0123456789abcdefg", 0xf6756a31d201b785},
		{0x123456789abcdef, "\x01node-7\x00call-42", 0xd4b9a4c2426e7b14},
		{0x123456789abcdef, strings.Repeat("xyz", 40), 0x8390c615c461a4db},
		{0xffffffffffffffff, "", 0xf8295b0b81214ea2},
		{0xffffffffffffffff, "a", 0x93d32266690932e7},
		{0xffffffffffffffff, "ab", 0xf4e04900e7c03ac8},
		{0xffffffffffffffff, "abc", 0x1e44ce9261045e2e},
		{0xffffffffffffffff, "abcd", 0xe01d67dc1d17a257},
		{0xffffffffffffffff, "abcdefg", 0x7e9476677ccfefd8},
		{0xffffffffffffffff, "abcdefgh", 0x9b26372cdaacb42f},
		{0xffffffffffffffff, "0123456789abcdef", 0xeff00a0a769ab342},
		{0xffffffffffffffff, "0123456789abcdefg", 0xd1464033e77af101},
		{0xffffffffffffffff, "\x01node-7\x00call-42", 0xaebd079d38d01ba0},
		{0xffffffffffffffff, strings.Repeat("xyz", 40), 0x6fe5c02333cce5ae},
	}
	for _, tt := range tests {
		if got := hashtab.Hash(tt.seed, []byte(tt.in)); got != tt.want {
			t.Errorf("Hash(%#x, %q) = %#016x, want %#016x", tt.seed, tt.in, got, tt.want)
		}
		if got := hashtab.HashString(tt.seed, tt.in); got != tt.want {
			t.Errorf("HashString(%#x, %q) = %#016x, want %#016x", tt.seed, tt.in, got, tt.want)
		}
	}
}

func TestHashStringAllocates(t *testing.T) {
	s := strings.Repeat("k", 100)
	if n := testing.AllocsPerRun(100, func() { hashtab.HashString(1, s) }); n != 0 {
		t.Errorf("HashString allocates %v times", n)
	}
}
