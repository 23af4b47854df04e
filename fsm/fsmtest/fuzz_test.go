package fsmtest_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
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
	for _, s := range terminalSeeds() {
		f.Add(s)
	}
	fuzz(f, actionsProp(func(h fsmtest.Handler[fsm.Symbol]) fsmtest.Handler[fsm.Symbol] { return h }))
}

// actionsProp is the property of FuzzActions, its handler wrapped by wrap.
func actionsProp(wrap func(fsmtest.Handler[fsm.Symbol]) fsmtest.Handler[fsm.Symbol]) func(*rapid.T) {
	return func(t *rapid.T) {
		m := rapid.SampledFrom(families).Draw(t, "machine")
		t.Repeat(fsmtest.Actions(m, wrap(newBridge(m))))
	}
}

// terminalSeeds returns, for each machine of families with a terminal state,
// input for FuzzActions that picks the machine, takes the "legal" action
// along a shortest path to the terminal state, and then picks "legal" 100
// times more: with "legal" skipped in a terminal state, rapid gave up there
// ("can't find a valid (non-skipped) action"). Now "legal" runs there, and
// the next word of input ends the run.
//
// The input follows how rapid v1.3 turns fuzz input into draws: one
// little-endian uint64 word a draw; a Repeat step is a coin (a float from the
// low 53 bits, which goes on near 1); an index drawn by SampledFrom is a word
// that sets its bit length (2⁵², for one up to 6 bits) and then the index.
func terminalSeeds() (seeds [][]byte) {
	word := func(b []byte, u uint64) []byte { return binary.LittleEndian.AppendUint64(b, u) }
	index := func(b []byte, i int) []byte { return word(word(b, 1<<52), uint64(i)) }
	goOn := func(b []byte) []byte { return word(b, 1<<53-1) }
	for i, m := range families {
		keys := slices.Sorted(maps.Keys(fsmtest.Actions(m, newBridge(m))))
		legal := slices.Index(keys[1:], "legal") // keys[0] is "", the check
		for _, p := range fsmtest.StatePaths(m) {
			if !m.Terminal(p.To) {
				continue
			}
			b := index(nil, i)
			st := m.Initial()
			for _, x := range p.Seq {
				b = index(index(goOn(b), legal), slices.Index(m.Allowed(st), x))
				st, _ = m.Next(st, x)
			}
			b = goOn(b)
			for range 100 {
				b = index(b, legal)
			}
			seeds = append(seeds, b)
			break
		}
	}
	return seeds
}

// The seeds of terminalSeeds do what they say: each run reaches a terminal
// state and ends there, neither given up nor discarded as invalid input.
func TestTerminalSeeds(t *testing.T) {
	seeds := terminalSeeds()
	if len(seeds) == 0 {
		t.Fatal("no machine of families has a terminal state")
	}
	for i, seed := range seeds {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			var reached, done bool
			prop := actionsProp(func(h fsmtest.Handler[fsm.Symbol]) fsmtest.Handler[fsm.Symbol] {
				return terminalSpy{h.(resetHandler), &reached}
			})
			rapid.MakeFuzz(func(t *rapid.T) { prop(t); done = true })(t, seed)
			if !reached || !done {
				t.Errorf("terminal state reached %v, run ended %v; want both", reached, done)
			}
		})
	}
}

type resetHandler interface {
	fsmtest.Handler[fsm.Symbol]
	fsmtest.Resetter
}

// terminalSpy notes when its handler reaches a terminal state.
type terminalSpy struct {
	resetHandler
	reached *bool
}

func (h terminalSpy) Fire(x fsm.Symbol) error {
	err := h.resetHandler.Fire(x)
	if b, ok := h.resetHandler.(*bridge); ok && b.m.Terminal(h.State()) {
		*h.reached = true
	}
	return err
}
