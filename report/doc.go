// Package report makes the audit page of a log of Web Call Server hooks
// (wcsfsm report, and GET /report of wcsfsm serve): one self-contained
// HTML file with a summary (hooks by kind, entities, findings by kind and
// severity), the findings in a table that sorts and filters, a timeline
// per session with findings (its entities as lanes, each event a box at
// its line, the box a finding names in red with the message beside it),
// and each machine's coverage as a diagram with the counts on its edges.
//
// A [Recorder] is fed during the validator's one pass (eventlog's
// Validator.Observe and Report): it keeps each open session's last events
// in a ring of [Options].Window, and keeps them, and the events after,
// only for the sessions that get a finding, at most [Options].Timelines of
// them; a session that ends clean is dropped. Its memory follows the
// sessions open at once and the sessions drawn, not the length of the log.
// [Recorder.Page] makes the page's model, every position computed
// (deterministic for a log), and [Page.WriteHTML] writes it with
// html/template; the style and the script are embedded, the pictures SVG.
package report
