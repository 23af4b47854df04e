// Package fsm is a small core for declared, verified state machines whose
// events are statuses: a machine receives a status and moves to the state of
// the same name, or (for a notice) stays where it is.
//
// A machine is declared once, as data, in a [Spec]: a typed enum of names,
// the initial state, the rules that say which status may follow which
// states (and why), and the terminal and final states. [Build] verifies the
// declaration and reports every problem at once, in the manner of
// golang.org/x/exp/ebnf's Verify: unknown states, states unreachable from
// the initial state, states with no way out that are not terminal, duplicate
// edges, edges out of terminal states. [MustBuild] panics on the same, so a
// package-level machine with a bad table fails at start-up and in every
// test.
//
// A built [Machine] answers, without allocating: may status S follow state
// X ([Machine.Can]), and where does it lead ([Machine.Next]). It lists the
// statuses allowed in a state, sorted by name ([Machine.Allowed]), and
// validates whole sequences ([Machine.Validate]), returning every violation
// as an [ErrorList] of [*Error], whose causes ([ErrIllegal], [ErrTerminal],
// [ErrUnknownStatus], …) match with [errors.Is]. It draws itself as Mermaid
// or DOT ([Machine.Mermaid], [Machine.DOT]) and becomes a real
// github.com/looplab/fsm FSM with callbacks ([Machine.Looplab]), with that
// library's traps handled by a [Bridge].
//
// A [Guard], embedded in the value that stands for one call or stream,
// holds that entity's state and moves it by compare-and-swap, refusing an
// illegal status with the same [*Error] and leaving the state as it was:
// safe for concurrent use, lock-free, and without allocation when the status
// is accepted.
//
// The package knows nothing of any particular protocol. The machines of the
// Web Call Server live in the packages connection, call, transfer and
// stream; generators for property tests live in fsm/fsmtest.
package fsm
