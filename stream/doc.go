// Package stream declares the state machines of two WCS event families of a
// media session, keyed by mediaSessionId:
//
//   - StreamStatusEvent ([Machine], [State]): a published or played stream.
//   - StreamKeepAliveEvent ([KeepAlive], [KeepAliveState]): its heartbeat.
//
// That a keep-alive matches its stream, and that a media session keeps one
// direction, are rules across machines: they belong to the log validator,
// package eventlog. The tables, with diagrams, are in docs/stream.md and
// docs/keepalive.md.
package stream
