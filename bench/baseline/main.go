// Command baseline is the validator a user would write with the usual
// tools: bufio.Scanner for the lines, encoding/json into a map[string]any
// for each body, and one github.com/looplab/fsm FSM per entity, built from
// the project's tables (the events of each family are built once, an FSM
// per entity is made with looplab.NewFSM). It checks each family's machine
// only (not the rules across families) and counts the statuses an FSM
// refuses. bench/run.sh measures `wcsfsm validate` against it.
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

// family is what the baseline knows of one event family.
type family struct {
	initial string
	events  looplab.Events
	key     string // the field that keys its entities
}

var keyField = map[wcs.Family]string{
	wcs.FamilyConnection:   "sessionId",
	wcs.FamilyRegistration: "sessionId",
	wcs.FamilyDebug:        "sessionId",
	wcs.FamilyCall:         "callId",
	wcs.FamilyTransfer:     "callId",
	wcs.FamilyStream:       "mediaSessionId",
	wcs.FamilyKeepAlive:    "mediaSessionId",
	wcs.FamilyData:         "operationId",
}

func main() {
	families := map[string]*family{}
	for _, f := range wcs.Families() {
		m := f.Machine()
		families[m.Name()] = &family{initial: m.String(m.Initial()), events: m.LooplabEvents(), key: keyField[f]}
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
			fam, ok := families[name]
			if !ok {
				malformed++
				continue
			}
			status, _ := body["status"].(string)
			id, _ := body[fam.key].(string)
			if id == "" {
				continue
			}
			node, _ := body["nodeId"].(string)
			key := name + "/" + node + "/" + id
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
