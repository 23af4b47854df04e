package stream_test

import (
	"testing"

	"github.com/wcsfsm/wcsfsm/internal/spectest"
	"github.com/wcsfsm/wcsfsm/stream"
)

// TestMachines checks each machine of the package against its section of
// testdata/spec/machines.md, edge for edge (states, terminal and final
// states, why, every legal and illegal (state, status) pair), and the
// "May be followed by" and "Terminal" lines of its constants' doc comments
// against the machine.
func TestMachines(t *testing.T) {
	spectest.Run(t,
		spectest.For("StreamStatusEvent", "State", stream.Machine,
			"a published or played stream; four notices keep the state"),
		spectest.For("StreamKeepAliveEvent", "KeepAliveState", stream.KeepAlive,
			"the heartbeat of a media session; it never changes direction"),
	)
}
