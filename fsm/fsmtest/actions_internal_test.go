package fsmtest

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wcsfsm/wcsfsm/fsm"
	"pgregory.net/rapid"
)

// light is a small machine for testing the checks themselves:
// OFF -ON-> ON -OFF-> OFF, and ON -BROKEN-> BROKEN (terminal).
type light uint8

const (
	off light = iota
	on
	broken
)

var lightMachine = fsm.MustBuild(fsm.Spec[light]{
	Name:    "Light",
	Names:   []string{"OFF", "ON", "BROKEN"},
	Initial: off,
	Rules: []fsm.Rule[light]{
		{Status: on, From: []light{off}},
		{Status: off, From: []light{on}},
		{Status: broken, From: []light{on}},
	},
	Terminal: []light{broken},
	Final:    []light{off, broken},
})

// fake is a handler that answers with err and reports state.
type fake struct {
	err   error
	state light
}

func (f *fake) Fire(light) error { return f.err }
func (f *fake) State() light     { return f.state }

func TestFireAndAgree(t *testing.T) {
	refuse := errors.New("no")
	rows := []struct {
		why       string
		h         fake
		st, x     light
		fire, agr string // the errors of fire(st, x) and agree(st), "" for none
	}{
		{"accepting a legal status is right", fake{nil, off}, off, on, "", ""},
		{"refusing an illegal status is right", fake{refuse, off}, off, off, "", ""},
		{"refusing a legal status is a bug", fake{refuse, on}, on, broken,
			"handler refused BROKEN in ON, which allows it: no", ""},
		{"accepting an illegal status is a bug", fake{nil, off}, off, broken,
			"handler accepted BROKEN in OFF, which allows only ON", ""},
		{"accepting anything in a terminal state is a bug", fake{nil, broken}, broken, on,
			"handler accepted ON in BROKEN, which allows only nothing", ""},
		{"a handler in another state is a bug", fake{nil, on}, off, on,
			"", "handler in state ON, model in OFF"},
		{"a handler in no state of the machine is a bug, named by number", fake{nil, 7}, off, on,
			"", "handler in state #7, model in OFF"},
	}
	msg := func(err error) string {
		if err == nil {
			return ""
		}
		return err.Error()
	}
	for _, row := range rows {
		h := row.h
		got := [2]string{msg(fire(lightMachine, Handler[light](&h), row.st, row.x)), msg(agree(lightMachine, Handler[light](&h), row.st))}
		if diff := cmp.Diff([2]string{row.fire, row.agr}, got); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", row.why, diff)
		}
	}
}

// beat is a machine whose states IDLE and BEAT allow every status:
// IDLE -BEAT-> BEAT -BEAT-> BEAT, and IDLE or BEAT -STOP-> STOP (terminal).
type beat uint8

const (
	idle beat = iota
	beating
	stop
)

var beatMachine = fsm.MustBuild(fsm.Spec[beat]{
	Name:    "Beat",
	Names:   []string{"IDLE", "BEAT", "STOP"},
	Initial: idle,
	Rules: []fsm.Rule[beat]{
		{Status: beating, From: []beat{idle, beating}},
		{Status: stop, From: []beat{idle, beating}},
	},
	Terminal: []beat{stop},
	Final:    []beat{idle, stop},
})

// runner is a right Handler: it runs m itself.
type runner[S ~uint8] struct {
	m  *fsm.Machine[S]
	st S
}

func (r *runner[S]) Fire(x S) error {
	to, ok := r.m.Next(r.st, x)
	if !ok {
		return errors.New("refused")
	}
	r.st = to
	return nil
}

func (r *runner[S]) State() S { return r.st }

// resetRunner is a runner that is a Resetter.
type resetRunner[S ~uint8] struct{ *runner[S] }

func (r resetRunner[S]) Reset() { r.st = r.m.Initial() }

// Whatever action rapid draws, again and again, it runs: rapid never gives
// up with "can't find a valid (non-skipped) action". Each action is run on
// its own, so that a state where it would skip is one that rapid cannot
// leave: "legal" alone ends in BROKEN or STOP, which allow nothing, and
// "illegal" alone stays in IDLE, which allows everything.
func TestActionsNeverSkip(t *testing.T) {
	for _, m := range []*fsm.Machine[fsm.Symbol]{lightMachine.Untyped(), beatMachine.Untyped()} {
		for _, reset := range []bool{false, true} {
			newHandler := func() Handler[fsm.Symbol] {
				r := &runner[fsm.Symbol]{m, m.Initial()}
				if reset {
					return resetRunner[fsm.Symbol]{r}
				}
				return r
			}
			for _, name := range slices.Sorted(maps.Keys(Actions(m, newHandler()))) {
				if name == "" {
					continue
				}
				t.Run(fmt.Sprintf("%s/reset=%v/%s", m.Name(), reset, name), rapid.MakeCheck(func(t *rapid.T) {
					actions := Actions(m, newHandler())
					t.Repeat(map[string]func(*rapid.T){name: actions[name], "": actions[""]})
				}))
			}
		}
	}
}
