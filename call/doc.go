// Package call declares the state machine of CallStatusEvent, a SIP call
// placed or received through WCS, keyed by callId ([Machine], [State]), and
// maps SIP answers to its statuses as the WCS documentation defines them
// ([FromSIP]).
//
// The table, the reason for every edge and a diagram are in docs/call.md.
package call
