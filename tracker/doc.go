// Package tracker follows the entities of a stream of WCS hooks (a
// connection, a registration, a call, a transfer, a stream, a keep-alive,
// a debug session, a data send), steps each entity's machine, applies the
// rules across families of machines.md, and reports findings.
//
// A [Tracker] takes one [wcs.Event] at a time and returns its findings;
// it is the engine of the log validator (package eventlog) and of wcsfsm
// serve, and what a backend embeds to guard its own state. Its zero value
// is ready to use, and it is safe for concurrent use.
//
// A [Finding] has a [Kind] (malformed, illegal-transition, no-session,
// dangling, …) and a [Severity], and speaks of the entity's own machine:
// the state it was in and the statuses that were legal there. An event its
// machine refuses does not move the entity; an event its machine allows
// but a rule refuses still moves it; so one bad line neither hides nor
// causes findings on the lines after it.
//
// Memory follows the sessions open at the same time, not the length of the
// log: an ended session whose entities have closed is forgotten but for a
// compact mark, and every store is bounded ([Options]). [Tracker.Snapshot]
// and [Tracker.Restore] checkpoint a tracker; [Tracker.Coverage] counts the
// transitions taken.
package tracker
