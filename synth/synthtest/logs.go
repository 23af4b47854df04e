// Package synthtest draws whole logs of WCS hooks for property tests, with
// pgregory.net/rapid: legal, interleaved multi-session logs across all
// eight families, with the invocations, commands and other hooks WCS posts
// among the status events, that keep the rules across families, built by
// package synth with every choice drawn by rapid ([Source]), so that a
// failing log shrinks. It is for tests only: no command or library package
// imports it.
package synthtest

import (
	"github.com/wcsfsm/wcsfsm/synth"
	"pgregory.net/rapid"
)

// Defaults of [Logs] for Options fields left 0.
const (
	DefaultLogEvents   = 200
	DefaultLogSessions = 8
)

// Source returns a [synth.Source] that draws every choice from t, so that
// rapid shrinks a failing log: each choice shrinks towards 0, which synth
// makes the simplest one (shorter sessions, fewer entities, earlier
// endings). A choice among one is not drawn.
func Source(t *rapid.T) synth.Source { return rapidSource{t} }

type rapidSource struct{ t *rapid.T }

func (s rapidSource) Intn(n int) int {
	if n <= 1 {
		return 0
	}
	return rapid.IntRange(0, n-1).Draw(s.t, "choice")
}

// Logs returns a generator of legal, interleaved multi-session logs across
// all eight families, built by package synth (see there for what a log
// holds and which rules across families it keeps): with End, a validator
// reports no finding on them. o.Events and o.Sessions are maxima here
// (0: [DefaultLogEvents], [DefaultLogSessions]): the number of events (at
// least 1) and of sessions open at once are drawn, and shrink.
//
// Each [synth.Event] of the log says which hook its line is (Method),
// which entity, and the state it left and reached, so a test can put a
// mistake in at a known place.
func Logs(o synth.Options) *rapid.Generator[*synth.Log] {
	maxEvents, maxSessions := o.Events, o.Sessions
	if maxEvents <= 0 {
		maxEvents = DefaultLogEvents
	}
	if maxSessions <= 0 {
		maxSessions = DefaultLogSessions
	}
	return rapid.Custom(func(t *rapid.T) *synth.Log {
		o := o
		o.Events = rapid.IntRange(1, maxEvents).Draw(t, "events")
		o.Sessions = rapid.IntRange(1, maxSessions).Draw(t, "sessions")
		return synth.Generate(Source(t), o)
	})
}
