// Package eventlog validates logs of Web Call Server hooks: it reads them in
// one pass, as a stream, and has a tracker (package tracker) judge every
// hook, reporting each finding, in order, to a function.
//
//   - [Validator] reads whole logs from any io.Reader: JSON Lines (see
//     log-format.md) with [Validator.ReadJSONL], WCS's own server log with
//     [Validator.ReadWCSLog] (package wcslog); [SniffReader] tells them
//     apart. With Jobs > 1 it shards the log by session over as many
//     trackers, with the findings, their order and the statistics of one;
//     the bounds of the tracker's Options are the shards' together, never
//     each shard's (MaxEntities exactly as in one tracker; MaxMarks shared
//     out, which only an event of a session forgotten about MaxMarks
//     marks ago can tell: see [Validator.Jobs]).
//   - [Judge] judges one [Hook] (a body, where it was read, the name its
//     URL gives it) with a tracker: the one way JSON Lines, server logs and
//     wcsfsm serve turn a hook into findings, and what a backend's own hook
//     handler can use.
//
// What a finding says, and the memory a log takes, is the tracker's: see
// package tracker.
package eventlog
