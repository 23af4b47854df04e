package call_test

import (
	"testing"

	"github.com/wcsfsm/wcsfsm/call"
	"github.com/wcsfsm/wcsfsm/internal/spectest"
)

// TestMachines checks each machine of the package against its section of
// testdata/spec/machines.md, edge for edge (states, terminal and final
// states, why, every legal and illegal (state, status) pair), and the
// "May be followed by" and "Terminal" lines of its constants' doc comments
// against the machine.
func TestMachines(t *testing.T) {
	spectest.Run(t,
		spectest.For("CallStatusEvent", "State", call.Machine,
			"a SIP call; provisional answers repeat, RING_MEDIA is accepted wherever RING is"),
	)
}
