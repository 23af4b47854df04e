package fsmtest

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wcsfsm/wcsfsm/fsm"
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
