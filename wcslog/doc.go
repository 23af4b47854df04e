// Package wcslog reads the REST hooks that WCS sent out of its own server
// log, logs/server_logs/flashphoner.log: every "SEND REST OBJECT ==>"
// entry, its URL: line and its pretty-printed OBJECT:, in one pass, as a
// stream, holding one entry at a time ([Reader], [Hook]). Every other line
// (other loggers, the answers received, stack traces, SIP dumps) is passed
// over; an entry that cannot be read is an [*EntryError] whose cause is
// [ErrMalformed] or [ErrTooLong], and reading goes on at the next entry.
// docs/wcslog.md has the format.
package wcslog
