package wcs_test

import (
	"fmt"
	"hash/fnv"
	"testing"

	"github.com/wcsfsm/wcsfsm/wcs"
)

// TestPartitionVectors pins the hash a publisher in another language must
// reproduce: the values were computed apart from Go (FNV-1a-64 by hand in
// Python) and must never change, or every partitioned stream moves.
func TestPartitionVectors(t *testing.T) {
	for _, c := range []struct {
		node, key string
		hash      uint64
		p16, p7   int
		why       string
	}{
		{"node1", "sess1", 0xf9800124051bb425, 5, 0, "a node and a session"},
		{"", "", 0xaf63bd4c8601b7df, 15, 3, "neither: the hash of the zero byte alone"},
		{"ec2-1", "/192.168.1.5:51234/192.168.1.10:8443-a1b2", 0x6255f85c557328e0, 0, 3, "a session id as WCS makes them"},
	} {
		if h := wcs.ShardHash(c.node, c.key); h != c.hash {
			t.Errorf("%s: ShardHash(%q, %q) = %#x, want %#x", c.why, c.node, c.key, h, c.hash)
		}
		if p := wcs.Partition(c.node, c.key, 16); p != c.p16 {
			t.Errorf("%s: Partition(%q, %q, 16) = %d, want %d", c.why, c.node, c.key, p, c.p16)
		}
		if p := wcs.Partition(c.node, c.key, 7); p != c.p7 {
			t.Errorf("%s: Partition(%q, %q, 7) = %d, want %d", c.why, c.node, c.key, p, c.p7)
		}
		f := fnv.New64a()
		f.Write([]byte(c.node + "\x00" + c.key))
		if f.Sum64() != c.hash {
			t.Errorf("%s: hash/fnv gives %#x, not %#x", c.why, f.Sum64(), c.hash)
		}
	}
}

func TestShardKey(t *testing.T) {
	for _, c := range []struct {
		ev        wcs.Event
		node, key string
		why       string
	}{
		{wcs.Event{Event: "CallStatusEvent", NodeID: "n", SessionID: "s", CallID: "c"}, "n", "s", "the session first"},
		{wcs.Event{Event: "StreamKeepAliveEvent", NodeID: "n", MediaSessionID: "m"}, "n", "m", "no session: a keep-alive goes with its stream, by mediaSessionId"},
		{wcs.Event{Event: "TransferStatusEvent", NodeID: "n", CallID: "c", OperationID: "o"}, "n", "c", "no session: a transfer goes with its call, by callId"},
		{wcs.Event{Event: "nosuchhook", NodeID: "n"}, "n", "", "no session and no family: the node alone"},
	} {
		node, key := c.ev.ShardKey()
		if node != c.node || key != c.key {
			t.Errorf("%s: ShardKey = %q, %q; want %q, %q", c.why, node, key, c.node, c.key)
		}
	}
}

func TestPartitionPanicsOnZero(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Partition(…, 0) did not panic")
		}
	}()
	wcs.Partition("n", "s", 0)
}

// A publisher puts each hook on the partition of its node and session:
// all the hooks of a session on one, in order.
func ExamplePartition() {
	ev := wcs.Event{Event: "ConnectionStatusEvent", NodeID: "node1", SessionID: "sess1"}
	node, key := ev.ShardKey()
	fmt.Println(wcs.Partition(node, key, 16))
	// Output: 5
}
