package fsmtest_test

import (
	"testing"

	"github.com/wcsfsm/wcsfsm/call"
	"github.com/wcsfsm/wcsfsm/fsm/fsmtest"
)

// The cost of one draw (rapid's own machinery included) and of building
// the generators and the cover sets, on the largest machine.

func BenchmarkWalk(b *testing.B) {
	gen := fsmtest.Walk(call.Machine, fsmtest.Options{Final: true})
	for i := 0; b.Loop(); i++ {
		gen.Example(i)
	}
}

func BenchmarkMutants(b *testing.B) {
	gen := fsmtest.Mutants(call.Machine, fsmtest.Options{Final: true})
	for i := 0; b.Loop(); i++ {
		gen.Example(i)
	}
}

func BenchmarkArbitrary(b *testing.B) {
	gen := fsmtest.Arbitrary(call.Machine, fsmtest.Options{Unknown: true})
	for i := 0; b.Loop(); i++ {
		gen.Example(i)
	}
}

func BenchmarkNewWalk(b *testing.B) {
	for b.Loop() {
		fsmtest.Walk(call.Machine, fsmtest.Options{MaxLen: 256, Final: true})
	}
}

func BenchmarkTransitionPaths(b *testing.B) {
	for b.Loop() {
		fsmtest.TransitionPaths(call.Machine)
	}
}
