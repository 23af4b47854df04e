package transfer_test

import (
	"testing"

	"github.com/wcsfsm/wcsfsm/internal/spectest"
	"github.com/wcsfsm/wcsfsm/transfer"
)

// TestMachines checks each machine of the package against its section of
// testdata/spec/machines.md, edge for edge (states, terminal and final
// states, why, every legal and illegal (state, status) pair), and the
// "May be followed by" and "Terminal" lines of its constants' doc comments
// against the machine.
func TestMachines(t *testing.T) {
	spectest.Run(t,
		spectest.For("TransferStatusEvent", "State", transfer.Machine,
			"the transfer (REFER) of a call; FAILED is final, not terminal: a new attempt may follow"),
	)
}
