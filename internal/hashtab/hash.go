package hashtab

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// Hash is the 64-bit hash of b keyed by seed: sixteen bytes at a time,
// mixed by a 128-bit multiply (in the manner of wyhash). It is, bit for
// bit, the hashKey that eventlog has always used: snapshots store these
// hashes (the marks') with the seed, so the outputs must never change.
// A seed chosen at random for each table keeps keys from being chosen to
// collide.
func Hash(seed uint64, b []byte) uint64 {
	const (
		p0 = 0xa0761d6478bd642f
		p1 = 0xe7037ed1a0b428db
		p2 = 0x8ebc6af09c88c6e3
	)
	n := len(b)
	h := wymix(seed^p0, uint64(n)^p1)
	for len(b) > 16 {
		h = wymix(binary.LittleEndian.Uint64(b)^p1^seed, binary.LittleEndian.Uint64(b[8:])^h)
		b = b[16:]
	}
	var a, c uint64
	switch {
	case len(b) >= 8:
		a, c = binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[len(b)-8:])
	case len(b) >= 4:
		a, c = uint64(binary.LittleEndian.Uint32(b)), uint64(binary.LittleEndian.Uint32(b[len(b)-4:]))
	case len(b) > 0:
		a = uint64(b[0])<<16 | uint64(b[len(b)/2])<<8 | uint64(b[len(b)-1])
	}
	return wymix(p2^uint64(n)^seed, wymix(a^p1^seed, c^h))
}

// wymix folds the 128-bit product of a and b into 64 bits.
func wymix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// HashString is [Hash] of the bytes of s (without copying them).
func HashString(seed uint64, s string) uint64 {
	return Hash(seed, unsafe.Slice(unsafe.StringData(s), len(s)))
}
