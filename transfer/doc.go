// Package transfer declares the state machine of TransferStatusEvent, the
// transfer (SIP REFER) of a call, keyed by the callId of the call
// ([Machine], [State]).
//
// The table, the reason for every edge and a diagram are in
// docs/transfer.md.
package transfer
