// Package fsmtest generates sequences of statuses for property-based tests
// of the machines of package fsm, with pgregory.net/rapid.
//
// Every generator is generic over the machine's status type and is built
// from a [*fsm.Machine]. None of them rejects: each draw picks from a list
// that is known, in advance, to lead somewhere legal, so rapid never
// discards a test case and shrinks towards short sequences of statuses that
// come first in name order.
//
// # Generators
//
// Legal sequences:
//   - [Walk]: random walks from the initial state, each status drawn from
//     the statuses allowed where the walk stands
//
// Sequences with one mistake:
//   - [Mutants]: a legal walk with exactly one illegal status put in, and
//     where it is ([Mutant])
//
// Anything:
//   - [Arbitrary]: sequences over all the machine's statuses (and, with
//     [Options.Unknown], symbols that are not statuses)
//
// Their lengths and endings are set by [Options].
//
// Whole logs of WCS hooks are not here: fsmtest knows nothing of WCS.
// Package github.com/wcsfsm/wcsfsm/synth/synthtest draws them.
//
// # State machine tests
//
//   - [Actions]: actions for [rapid.T.Repeat] that drive a [Handler] (the
//     code under test) side by side with the machine (the model)
//
// # Cover sets
//
// Deterministic, in the spirit of @xstate/graph, for table tests:
//   - [StatePaths]: a shortest path from the initial state to every state
//   - [TransitionPaths]: a shortest path through every transition
//
// Every generator also works under go test -fuzz, through [rapid.MakeFuzz].
//
// Package fsmtest is for tests only: with synth/synthtest, it is one of the
// two packages of the module that import rapid, and no command or library
// package imports either.
package fsmtest
