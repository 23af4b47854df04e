package eventlog_test

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/wcsfsm/wcsfsm/call"
	"github.com/wcsfsm/wcsfsm/connection"
	"github.com/wcsfsm/wcsfsm/eventlog"
	"github.com/wcsfsm/wcsfsm/fsm"
	"github.com/wcsfsm/wcsfsm/fsm/fsmtest"
	"github.com/wcsfsm/wcsfsm/stream"
	"github.com/wcsfsm/wcsfsm/synth"
	"github.com/wcsfsm/wcsfsm/synth/synthtest"
	"github.com/wcsfsm/wcsfsm/tracker"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// The validator's properties, on logs from synthtest.Logs (package synth,
// its choices drawn by rapid): legal logs of many interleaved sessions give
// no finding; one illegal status put in gives exactly its finding. And the
// cover sets of fsmtest drive a table test: every transition of every
// family, in a minimal valid session.

// brief is a finding reduced to what the properties state.
type brief struct {
	Line         int
	Kind         string
	Entity       string
	From, Status string
}

func validate(t interface{ Fatal(...any) }, log []byte) []brief {
	var out []brief
	v := &eventlog.Validator{Report: func(f tracker.Finding) {
		out = append(out, brief{f.Line, f.Kind.String(), f.Entity, f.From, f.Status})
	}}
	if err := v.ReadJSONL("log", bytes.NewReader(log)); err != nil {
		t.Fatal(err)
	}
	v.End()
	return out
}

func TestPropertyLegalLogs(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		log := synthtest.Logs(synth.Options{Events: 300, Sessions: 10}).Draw(t, "log")
		if got := validate(t, log.Bytes()); len(got) != 0 {
			t.Fatalf("findings on a legal log of %d events:\n%v", len(log.Events), got)
		}
	})
}

// TestPropertyOneIllegalEvent: a legal log with one event put in that its
// entity's machine refuses there gets exactly one finding, an
// illegal-transition at that line. The event is a call's, a
// registration's, a debug switch's or a data send's, in a session still
// ESTABLISHED, right after another event of the same entity: no rule
// across families speaks of it, and its entity does not move.
func TestPropertyOneIllegalEvent(t *testing.T) {
	families := []wcs.Family{wcs.FamilyCall, wcs.FamilyRegistration, wcs.FamilyDebug, wcs.FamilyData}
	rapid.Check(t, func(t *rapid.T) {
		log := synthtest.Logs(synth.Options{Events: 200, Sessions: 6}).Draw(t, "log")
		// Places: after an event of such an entity, in a live session,
		// where its machine refuses something.
		var places []int
		for i, ev := range log.Events {
			if slices.Contains(families, ev.Family) && !ev.Ended && len(illegal(ev.Family, ev.To)) > 0 {
				places = append(places, i)
			}
		}
		if len(places) == 0 {
			t.Skip("no place for an illegal status")
		}
		at := rapid.SampledFrom(places).Draw(t, "after")
		ev := log.Events[at]
		m := ev.Family.Machine()
		bad := ev
		bad.From, bad.Method = ev.To, wcs.Method{} // its family's status event
		bad.Status = rapid.SampledFrom(illegal(ev.Family, ev.To)).Draw(t, "illegal")
		lines := slices.Insert(slices.Clone(log.Lines), at+1, synth.AppendJSON(nil, &bad))
		want := []brief{{at + 2, "illegal-transition", ev.Key, m.String(ev.To), m.String(bad.Status)}}
		if diff := cmp.Diff(want, validate(t, append(bytes.Join(lines, []byte("\n")), '\n'))); diff != "" {
			t.Fatalf("%s %s in %s got %s at line %d (-want +got):\n%s", ev.Family, ev.Key, m.String(ev.To), m.String(bad.Status), at+2, diff)
		}
	})
}

// illegal returns the statuses f's machine refuses in state s that f's
// status event may carry (the others are unknown-status in it).
func illegal(f wcs.Family, s fsm.Symbol) []fsm.Symbol {
	m := f.Machine()
	var out []fsm.Symbol
	for _, x := range m.Statuses() {
		if !m.Can(s, x) && wcs.StatusEventCarries(f, x) {
			out = append(out, x)
		}
	}
	return out
}

// session builds a minimal session around a path of one family's
// statuses: ESTABLISHED, what the path needs (a live call for a transfer,
// a running stream for a keep-alive), the path, what closes the helpers,
// and DISCONNECTED.
func session(f wcs.Family, path []string) []wcs.Event {
	const sid, id = "s1", "e1"
	// hook names the hook that delivers st to f: f's status event, or
	// the invocation where only one delivers it (a connection's PENDING
	// comes with connect).
	hook := func(f wcs.Family, st string) string {
		if s, ok := wcs.ParseStatus(f, st); ok && !wcs.StatusEventCarries(f, s) {
			return wcs.InvocationsOf(f, s)[0]
		}
		return f.String()
	}
	conn := func(st string) wcs.Event {
		return wcs.Event{Event: hook(wcs.FamilyConnection, st), Status: st, SessionID: sid}
	}
	of := func(f wcs.Family, st string) wcs.Event {
		e := wcs.Event{Event: hook(f, st), Status: st, SessionID: sid}
		switch f {
		case wcs.FamilyCall, wcs.FamilyTransfer:
			e.CallID = id
		case wcs.FamilyStream, wcs.FamilyKeepAlive:
			e.MediaSessionID = id
		case wcs.FamilyData:
			e.OperationID = id
		}
		return e
	}
	var body []wcs.Event
	for _, st := range path {
		body = append(body, of(f, st))
	}
	switch f {
	case wcs.FamilyConnection:
		var out []wcs.Event
		for _, st := range path {
			out = append(out, conn(st))
		}
		return out
	case wcs.FamilyStream:
		// One direction, the one the path's statuses imply (none for a
		// path of PENDING and FAILED only).
		dir := wcs.BoolUnset
		for _, st := range path {
			switch st {
			case stream.Publishing.String(), stream.Unpublished.String():
				dir = wcs.BoolTrue
			case stream.Playing.String(), stream.Paused.String(), stream.Stopped.String():
				dir = wcs.BoolFalse
			}
		}
		for i := range body {
			body[i].Published = dir
		}
	case wcs.FamilyTransfer:
		body = append([]wcs.Event{of(wcs.FamilyCall, call.Established.String())}, body...)
		body = append(body, of(wcs.FamilyCall, call.Finish.String()))
	case wcs.FamilyKeepAlive:
		run, end := stream.Publishing, stream.Unpublished
		if path[0] == stream.KeepAlivePlaying.String() {
			run, end = stream.Playing, stream.Stopped
		}
		body = append([]wcs.Event{of(wcs.FamilyStream, run.String())}, body...)
		body = append(body, of(wcs.FamilyStream, end.String()))
	}
	out := append([]wcs.Event{conn(connection.Established.String())}, body...)
	return append(out, conn(connection.Disconnected.String()))
}

// TestCoverPaths: every transition of every family, taken last by its
// cover path (fsmtest.TransitionPaths) in a minimal valid session, gives no
// finding; where the path ends in a state that is not final, exactly one
// dangling warning, for that entity in that state.
func TestCoverPaths(t *testing.T) {
	for _, f := range wcs.Families() {
		m := f.Machine()
		for _, p := range fsmtest.TransitionPaths(m) {
			path := m.Names(p.Seq)
			t.Run(fmt.Sprintf("%s/%v", f, path), func(t *testing.T) {
				var tr tracker.Tracker
				var got []brief
				for i, e := range session(f, path) {
					e.Line = i + 1
					for _, fd := range tr.Take(&e) {
						got = append(got, brief{fd.Line, fd.Kind.String(), fd.Entity, fd.From, fd.Status})
					}
				}
				for _, fd := range tr.End() {
					got = append(got, brief{fd.Line, fd.Kind.String(), fd.Entity, fd.From, fd.Status})
				}
				var want []brief
				why := "the path ends in a final state: no finding"
				if !m.Final(p.To) {
					key := "e1"
					if f == wcs.FamilyConnection || f == wcs.FamilyRegistration || f == wcs.FamilyDebug {
						key = "s1"
					}
					want = []brief{{0, "dangling", key, m.String(p.To), ""}}
					why = "the path ends in " + m.String(p.To) + ", not final: one dangling warning"
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s (-want +got):\n%s", why, diff)
				}
			})
		}
	}
}
