package stream_test

import (
	"testing"

	"github.com/wcsfsm/wcsfsm/internal/spectest"
	"github.com/wcsfsm/wcsfsm/stream"
)

var machines = []struct {
	why string
	c   spectest.Case
}{
	{"a published or played stream; four notices keep the state",
		spectest.For("StreamStatusEvent", "State", stream.Machine)},
	{"the heartbeat of a media session; it never changes direction",
		spectest.For("StreamKeepAliveEvent", "KeepAliveState", stream.KeepAlive)},
}

// TestMachinesMatchSpec checks the machines against machines.md, edge for
// edge: states, terminal and final states, why, and every legal and illegal
// (state, status) pair.
func TestMachinesMatchSpec(t *testing.T) {
	for _, tt := range machines {
		t.Run(tt.c.Event, func(t *testing.T) {
			t.Log(tt.why)
			tt.c.CheckSpec(t)
		})
	}
}

// TestConstDocs checks the "May be followed by" and "Terminal" lines of
// the state constants' doc comments against the machines.
func TestConstDocs(t *testing.T) {
	for _, tt := range machines {
		t.Run(tt.c.Event, func(t *testing.T) {
			t.Log(tt.why)
			tt.c.CheckDocs(t, ".")
		})
	}
}
