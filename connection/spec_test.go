package connection_test

import (
	"testing"

	"github.com/wcsfsm/wcsfsm/connection"
	"github.com/wcsfsm/wcsfsm/internal/spectest"
)

// TestMachines checks each machine of the package against its section of
// testdata/spec/machines.md, edge for edge (states, terminal and final
// states, why, every legal and illegal (state, status) pair), and the
// "May be followed by" and "Terminal" lines of its constants' doc comments
// against the machine.
func TestMachines(t *testing.T) {
	spectest.Run(t,
		spectest.For("ConnectionStatusEvent", "State", connection.Machine,
			"the WebSocket connection of a session; DISCONNECTED never follows FAILED"),
		spectest.For("RegistrationStatusEvent", "RegistrationState", connection.Registration,
			"the SIP registration of a session; AUTHENTICATION_FAIL is terminal"),
		spectest.For("SessionDebugStatusEvent", "DebugState", connection.Debug,
			"the debug logs of a session; nothing is terminal"),
		spectest.For("DataStatusEvent", "DataState", connection.Data,
			"one data send, keyed by operationId; exactly one status"),
	)
}
