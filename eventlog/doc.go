// Package eventlog validates logs of Web Call Server events: it reads them
// in one pass, as a stream, routes each event to its entity (a connection,
// a registration, a call, a transfer, a stream, a keep-alive, a debug
// session, a data send), steps that entity's machine, applies the rules
// across families of machines.md, and reports findings.
//
// One engine, two faces:
//
//   - [Tracker] takes one [Event] at a time and returns its findings; it is
//     what a hook receiver (wcsfsm serve) or a backend's own guard uses. Its
//     zero value is ready to use.
//   - [Validator] reads whole logs (JSON Lines, see log-format.md, or WCS's
//     own server log, see [Validator.ReadWCSLog] and [SniffReader]) from any
//     io.Reader, line by line, and hands every finding, in order, to a
//     function.
//
// [Decoder] reads the few fields the checks need from a hook body without
// decoding the rest: it accepts exactly what encoding/json accepts.
//
// A finding ([Finding]) has a [Kind] (malformed, illegal-transition,
// no-session, dangling, …) and speaks of the entity's own machine: the state
// it was in and the statuses that were legal there. An event its machine
// refuses does not move the entity; an event its machine allows but a rule
// refuses still moves it; so one bad line neither hides nor causes findings
// on the lines after it.
//
// Memory follows the sessions open at the same time, not the length of the
// log: an ended session whose entities have closed is forgotten but for a
// compact mark, and every store is bounded ([Options]).
//
// The families are listed once, in [Families]; each family's table lives in
// its own package (connection, call, transfer, stream).
package eventlog
