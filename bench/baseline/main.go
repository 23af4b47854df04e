// Command baseline is the validator a user would write with the usual
// tools: bufio.Scanner for the lines, encoding/json into a map[string]any
// for each body, and one github.com/looplab/fsm FSM per entity, built from
// the project's tables (the events of each family are built once, an FSM
// per entity is made with looplab.NewFSM), and a map of the hooks of
// hooks.md (an invocation delivers its status, a command or another hook
// is skipped). It checks each family's machine only (not the rules across
// families) and counts the statuses an FSM refuses. bench/run.sh measures
// `wcsfsm validate` against it.
//
//	go run ./bench/baseline FILE ...
//
// It prints one line: lines, events, entities, illegal transitions.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	looplab "github.com/looplab/fsm"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// hook is what the baseline knows of one hook: the family it moves (nil
// for a command or another hook), and the status it delivers ("": the
// body's).
type hook struct {
	fam    *family
	status string
}

// family is what the baseline knows of one event family.
type family struct {
	name    string
	initial string
	events  looplab.Events
	key     string // the field that keys its entities
}

func main() {
	families := map[string]*family{}
	for _, f := range wcs.Families() {
		m := f.Machine()
		families[m.Name()] = &family{name: m.Name(), initial: m.String(m.Initial()), events: m.LooplabEvents(), key: f.Key().String()}
	}
	hooks := map[string]hook{}
	for _, m := range wcs.Methods() {
		switch m.Kind {
		case wcs.MethodKindStatus:
			hooks[m.Name] = hook{fam: families[m.Name]}
		case wcs.MethodKindInvocation:
			hooks[m.Name] = hook{fam: families[m.Family.String()], status: m.Family.Machine().String(m.Status)}
		default:
			hooks[m.Name] = hook{}
		}
	}
	fsms := map[string]*looplab.FSM{}
	ctx := context.Background()
	var lines, events, illegal, malformed int
	for _, name := range os.Args[1:] {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 2<<20) // lines of up to 2 MiB
		for sc.Scan() {
			lines++
			line := sc.Bytes()
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			var body map[string]any
			if err := json.Unmarshal(line, &body); err != nil {
				malformed++
				continue
			}
			events++
			name, _ := body["event"].(string)
			if i := strings.LastIndexByte(name, '/'); i >= 0 {
				name = name[i+1:]
			}
			h, ok := hooks[name]
			if !ok {
				malformed++
				continue
			}
			fam := h.fam
			if fam == nil {
				continue // a command, another hook: no machine moves
			}
			status, _ := body["status"].(string)
			if h.status != "" {
				status = h.status
			}
			id, _ := body[fam.key].(string)
			if id == "" {
				continue
			}
			node, _ := body["nodeId"].(string)
			key := fam.name + "/" + node + "/" + id
			m, ok := fsms[key]
			if !ok {
				m = looplab.NewFSM(fam.initial, fam.events, nil)
				fsms[key] = m
			}
			if err := m.Event(ctx, status); err != nil {
				var nt looplab.NoTransitionError
				if errors.As(err, &nt) {
					continue // a self-loop the table allows
				}
				illegal++
			}
		}
		if err := sc.Err(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		f.Close()
	}
	fmt.Printf("baseline: %d lines, %d events, %d entities, %d illegal transitions, %d malformed\n", lines, events, len(fsms), illegal, malformed)
}
