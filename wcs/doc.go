// Package wcs is what the rest of wcsfsm knows of Web Call Server as a
// whole: the registry of the eight event families and their machines
// ([Family], [Families]), the field that keys each family's entities, the
// [Event] a hook body becomes, and the rules across families of
// machines.md as pure functions of the untyped statuses of the families'
// machines ([KeepAliveNeeds], [TransferAttempt], [CallLive], [Direction],
// [OtherSide], …, and the state [SessionLive]); and the catalogue of every
// REST method WCS posts, status events, invocations, commands and other
// hooks ([Methods], [LookupMethod]), declared once as data from hooks.md.
//
// Each family's table lives in its own package (connection, call,
// transfer, stream); this package lists them once. It judges nothing: the
// tracker (package tracker) applies the predicates to a log, and package
// synth obeys them to write logs that keep them.
package wcs
