package transfer_test

import (
	"testing"

	"github.com/wcsfsm/wcsfsm/internal/spectest"
	"github.com/wcsfsm/wcsfsm/transfer"
)

var machines = []struct {
	why string
	c   spectest.Case
}{
	{"the transfer (REFER) of a call; FAILED is final, not terminal: a new attempt may follow",
		spectest.For("TransferStatusEvent", "State", transfer.Machine)},
}

// TestMachineMatchesSpec checks the machine against machines.md, edge for
// edge: states, terminal and final states, why, and every legal and illegal
// (state, status) pair.
func TestMachineMatchesSpec(t *testing.T) {
	for _, tt := range machines {
		t.Run(tt.c.Event, func(t *testing.T) {
			t.Log(tt.why)
			tt.c.CheckSpec(t)
		})
	}
}

// TestConstDocs checks the "May be followed by" and "Terminal" lines of
// the state constants' doc comments against the machine.
func TestConstDocs(t *testing.T) {
	for _, tt := range machines {
		t.Run(tt.c.Event, func(t *testing.T) {
			t.Log(tt.why)
			tt.c.CheckDocs(t, ".")
		})
	}
}
