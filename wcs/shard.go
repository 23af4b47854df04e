package wcs

// The shard key: the rules never look beyond one WCS session (rules.md), so
// the events of a session, judged in order, get the verdicts of the whole
// log whatever else the judge sees. A publisher that partitions hooks for
// several validators, and validate -j inside one process, keys each event
// by its node and session, and turn the key into a partition the same way:
// with Partition, whose hash is FNV-1a, which every language has.

// ShardKey returns what an event is partitioned by: its nodeId, and its
// sessionId, or, for an event without one, the id of its entity (the
// field Method.Key names: a keep-alive's mediaSessionId, shared with its
// stream; a transfer's callId, shared with its call; "" for a hook of no
// family). Two events of one session have one key.
func (e *Event) ShardKey() (node, key string) {
	if e.SessionID != "" {
		return e.NodeID, e.SessionID
	}
	if m, ok := LookupMethod(e.Event); ok && m.HasFamily {
		return e.NodeID, e.Get(m.Key())
	}
	return e.NodeID, ""
}

// Partition returns the partition, of n (n > 0), of the events with the
// shard key node and key (Event.ShardKey): the 64-bit FNV-1a hash of the
// bytes of node, one zero byte, and the bytes of key, modulo n. So
// Partition("node1", "sess1", 16) is FNV-1a-64("node1\x00sess1") % 16, and
// a publisher in any language partitions as validate -j and
// wcsfsm serve -nats do. It panics if n is not positive.
func Partition(node, key string, n int) int {
	return PartitionHash(ShardHash(node, key), n)
}

// The FNV-1a constants (64 bits).
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// NodeHash is the state of ShardHash after node and the zero byte: a
// caller that keys many events of one node hashes the node once, and
// goes on with SessionHash.
func NodeHash(node string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(node); i++ {
		h = (h ^ uint64(node[i])) * fnvPrime
	}
	return h * fnvPrime // ^ 0, the separator
}

// SessionHash goes on from NodeHash(node) with key: it returns
// ShardHash(node, key).
func SessionHash(nodeHash uint64, key string) uint64 {
	h := nodeHash
	for i := 0; i < len(key); i++ {
		h = (h ^ uint64(key[i])) * fnvPrime
	}
	return h
}

// ShardHash is the 64-bit FNV-1a hash of node, a zero byte and key.
func ShardHash(node, key string) uint64 { return SessionHash(NodeHash(node), key) }

// PartitionHash is the partition, of n, of a ShardHash: h modulo n.
func PartitionHash(h uint64, n int) int {
	if n <= 0 {
		panic("wcs: Partition of a count that is not positive")
	}
	return int(h % uint64(n))
}
