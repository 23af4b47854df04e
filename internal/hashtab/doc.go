// Package hashtab holds the hash tables of the event-log tracker, keyed
// by 64-bit hashes that the caller computes once per key and passes in.
//
//   - [Hash] and [HashString] are the keyed hash (wyhash-like) of the
//     tracker's keys. Their outputs are fixed: snapshots store them.
//   - [Table] is a set of pointers (entities, sessions) under the hashes
//     of their keys; the keys themselves are checked only when hashes are
//     equal. The zero Table is ready to use.
//   - [Marks] is a bounded set of hashes with a byte each, which forgets
//     the oldest hash when full, and lists them oldest first. [Marks.Init]
//     sets its bound.
//
// Both tables use open addressing with linear probing over slots that
// hold the full hash: a lookup reads one run of adjacent slots, growth
// places the stored hashes again without hashing any key, and deletion
// shifts the following slots back instead of leaving tombstones, so a
// long run with churn stays as fast as a fresh one. The runs of slots
// keep their values in the order of their homes (Robin Hood), so that a
// miss stops early. A Table is at most 3/4 full, a Marks 7/8; both grow
// by doubling and never shrink (a Marks never needs to: it only grows,
// up to its bound).
//
// Iteration: Table.All and Marks.All return iterators (range over them);
// a Table's order is unspecified, a Marks' is insertion order. None of
// the types is safe for concurrent use.
package hashtab
