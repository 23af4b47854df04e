// Package connection declares the state machines of four WCS event
// families that belong to one WebSocket session:
//
//   - ConnectionStatusEvent ([Machine], [State]): the connection itself,
//     keyed by sessionId.
//   - RegistrationStatusEvent ([Registration], [RegistrationState]): the SIP
//     registration of the session, keyed by sessionId.
//   - SessionDebugStatusEvent ([Debug], [DebugState]): the debug logs of the
//     session, keyed by sessionId.
//   - DataStatusEvent ([Data], [DataState]): one data send, keyed by
//     operationId.
//
// Each machine is declared once, with the reason for every edge; the rules
// across families (nothing before the session is ESTABLISHED, …) belong to
// the log validator, package eventlog. The tables, with diagrams, are in
// docs/connection.md and the pages beside it.
package connection
