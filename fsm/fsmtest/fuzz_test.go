package fsmtest_test

import (
	"errors"
	"testing"

	"github.com/wcsfsm/wcsfsm/fsm"
	"github.com/wcsfsm/wcsfsm/fsm/fsmtest"
	"pgregory.net/rapid"
)

// The generators under go test -fuzz: rapid.MakeFuzz turns the fuzzer's
// bytes into draws. Without -fuzz, go test runs the seeds below.
//
//	go test -fuzz=FuzzMutants ./fsm/fsmtest

var fuzzSeeds = [][]byte{nil, {0}, {1, 2, 3, 4, 5, 6, 7, 8}, {0xFF, 0x80, 0x7F, 0x01, 0xFE}}

func fuzz(f *testing.F, prop func(*rapid.T)) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(rapid.MakeFuzz(prop))
}

func FuzzWalk(f *testing.F) {
	fuzz(f, func(t *rapid.T) {
		m := rapid.SampledFrom(families).Draw(t, "machine")
		seq := fsmtest.Walk(m, fsmtest.Options{Final: true}).Draw(t, "seq")
		if err := m.Validate(seq); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzMutants(f *testing.F) {
	fuzz(f, func(t *rapid.T) {
		m := rapid.SampledFrom(families).Draw(t, "machine")
		mut := fsmtest.Mutants(m, fsmtest.Options{Unknown: rapid.Bool().Draw(t, "unknown")}).Draw(t, "mutant")
		var list fsm.ErrorList
		if err := m.Validate(mut.Seq); !errors.As(err, &list) || len(list) != 1 || list[0].Index != mut.Index {
			t.Fatalf("Validate(%v) = %v, want one error at %d", m.Names(mut.Seq), err, mut.Index)
		}
	})
}

func FuzzArbitrary(f *testing.F) {
	fuzz(f, func(t *rapid.T) {
		m := rapid.SampledFrom(families).Draw(t, "machine")
		seq := fsmtest.Arbitrary(m, fsmtest.Options{Unknown: true}).Draw(t, "seq")
		// Validate reports every status that the table refuses, and no other.
		var list fsm.ErrorList
		errors.As(m.Validate(seq), &list)
		st, bad := m.Initial(), 0
		for _, x := range seq {
			if to, ok := m.Next(st, x); ok {
				st = to
			} else {
				bad++
			}
		}
		if len(list) != bad {
			t.Fatalf("Validate(%v) reports %d errors, the table refuses %d statuses", seq, len(list), bad)
		}
	})
}

func FuzzActions(f *testing.F) {
	fuzz(f, func(t *rapid.T) {
		m := rapid.SampledFrom(families).Draw(t, "machine")
		t.Repeat(fsmtest.Actions(m, newBridge(m)))
	})
}
