package call

import "github.com/wcsfsm/wcsfsm/fsm"

// State is a status of CallStatusEvent, a SIP call, or New before any. The
// key of the entity is the callId (the SIP Call-ID).
//
// The statuses are SIP answers to the INVITE (RFC 3261 §13, §17.1.1; flows
// of RFC 3665), plus hold (RFC 3264 §8.4, RFC 6337) and the end of the
// dialog. Provisional statuses (TRYING, RING, RING_MEDIA, SESSION_PROGRESS)
// are 1xx answers: optional, repeatable, and only before the final answer.
// Deliberate deviations from the source page:
//
//   - RING_MEDIA (ringing with early media, RFC 3960) is not on the page,
//     but the Web SDK declares it and WCS sends it; it is accepted wherever
//     RING is.
//   - The page maps RING to "183 RINGING"; SIP's Ringing is 180, and 183 is
//     Session Progress. See [FromSIP].
//   - TRYING may repeat: a new INVITE transaction (after a 401/407
//     challenge or a 3xx redirect) brings another 100 Trying.
//   - PENDING, the state after the call hook (an outgoing call requested)
//     or OnCallEvent (an incoming call offered), is not on the page and is
//     delivered only by those hooks, never by a CallStatusEvent (hooks.md).
type State uint8

const (
	// New: nothing seen yet (an outgoing call before its first answer).
	// May be followed by: BUSY, ESTABLISHED, FAILED, PENDING, RING, RING_MEDIA, SESSION_PROGRESS, TRYING.
	New State = iota
	// Pending: the call hook (outgoing) or OnCallEvent (incoming): the call
	// is requested or offered. Not on the source page; only those hooks
	// deliver it.
	// May be followed by: BUSY, ESTABLISHED, FAILED, FINISH, RING, RING_MEDIA, SESSION_PROGRESS, TRYING.
	Pending
	// Trying: "SIP вернул TRYING", SIP answered 100 Trying.
	// May be followed by: BUSY, ESTABLISHED, FAILED, FINISH, RING, RING_MEDIA, SESSION_PROGRESS, TRYING.
	Trying
	// Ring: "SIP вернул 183 RINGING", SIP answered Ringing (180 in SIP); an
	// incoming call starts here.
	// May be followed by: BUSY, ESTABLISHED, FAILED, FINISH, RING, RING_MEDIA, SESSION_PROGRESS.
	Ring
	// RingMedia: ringing with early media. Not on the source page; the Web
	// SDK declares it and WCS sends it.
	// May be followed by: BUSY, ESTABLISHED, FAILED, FINISH, RING, RING_MEDIA, SESSION_PROGRESS.
	RingMedia
	// SessionProgress: "SIP вернул 183 SESSION PROGRESS", SIP answered 183
	// Session Progress (RFC 3960 early media).
	// May be followed by: BUSY, ESTABLISHED, FAILED, FINISH, RING, RING_MEDIA, SESSION_PROGRESS.
	SessionProgress
	// Busy: "SIP вернул 486 или 600 BUSY", SIP answered 486 Busy Here or 600
	// Busy Everywhere.
	// Terminal: nothing may follow.
	Busy
	// Established: "SIP вернул 200 OK на INVITE", SIP answered 200 OK to the
	// INVITE.
	// May be followed by: ESTABLISHED, FAILED, FINISH, HOLD.
	Established
	// Hold: "SIP звонок поставлен на удержание", the call was put on hold.
	// May be followed by: ESTABLISHED, FAILED, FINISH.
	Hold
	// Finish: "SIP звонок завершен", the call ended.
	// Terminal: nothing may follow.
	Finish
	// Failed: "SIP звонок не прошел или завершился с ошибкой", the call did
	// not go through, or ended with an error.
	// Terminal: nothing may follow.
	Failed
)

var stateNames = [...]string{
	New:             "NEW",
	Pending:         "PENDING",
	Trying:          "TRYING",
	Ring:            "RING",
	RingMedia:       "RING_MEDIA",
	SessionProgress: "SESSION_PROGRESS",
	Busy:            "BUSY",
	Established:     "ESTABLISHED",
	Hold:            "HOLD",
	Finish:          "FINISH",
	Failed:          "FAILED",
}

func (s State) String() string { return fsm.NameOf(stateNames[:], s) }

var early = []State{New, Pending, Trying, Ring, RingMedia, SessionProgress}

// Machine is the declared machine of CallStatusEvent.
var Machine = fsm.MustBuild(fsm.Spec[State]{
	Name:    "CallStatusEvent",
	Names:   stateNames[:],
	Initial: New,
	Rules: []fsm.Rule[State]{
		{Status: Pending, From: []State{New},
			Why:    "the call hook (outgoing) or OnCallEvent (incoming): the call is requested or offered; only those hooks deliver it",
			Source: "WCS REST hooks call and OnCallEvent (hooks.md)"},
		{Status: Trying, From: []State{New, Pending, Trying},
			Why:    "100 Trying comes first; a new INVITE transaction (after a 401/407 challenge or a 3xx redirect) brings another",
			Source: "RFC 3261 §8.1.3.5, §17.1.1, §22.2; RFC 3665 §3.3"},
		{Status: Ring, From: early,
			Why:    "180 Ringing; an incoming call starts at RING",
			Source: "RFC 3261 §13.3.1.1; RFC 3665 §3.1; Web SDK incoming call"},
		{Status: RingMedia, From: early,
			Why:    "ringing with early media",
			Source: "RFC 3960 §3; Web SDK CALL_STATUS.RING_MEDIA"},
		{Status: SessionProgress, From: early,
			Why:    "183 Session Progress (RFC 3960), before or after 180",
			Source: "RFC 3960 §2; RFC 3261 §21.1.5"},
		{Status: Established, From: []State{New, Pending, Trying, Ring, RingMedia, SessionProgress, Established, Hold},
			Why:    "200 OK to the INVITE; a re-INVITE's 200 OK; taking the call off hold",
			Source: "RFC 3261 §13.2.2.4, §14; RFC 3264 §8.4"},
		{Status: Hold, From: []State{Established},
			Why:    "only an established call can be held",
			Source: "RFC 3264 §8.4; RFC 6337 §5"},
		{Status: Busy, From: early,
			Why:    "486/600 is a final answer to the INVITE, never after 200 OK",
			Source: "RFC 3261 §21.4.25, §21.6.1; RFC 3665 §3.4"},
		{Status: Finish, From: []State{Pending, Trying, Ring, RingMedia, SessionProgress, Established, Hold},
			Why:    "CANCEL (needs a provisional answer first) or BYE; an offered call hung up before it rang",
			Source: "RFC 3261 §9.1 (CANCEL), §15 (BYE)"},
		{Status: Failed, From: []State{New, Pending, Trying, Ring, RingMedia, SessionProgress, Established, Hold},
			Why:    "any other failure, before or during the call",
			Source: "RFC 3261 §21.4-§21.6; Web SDK CALL_STATUS.FAILED"},
	},
	Terminal: []State{Busy, Finish, Failed},
	Final:    []State{New, Busy, Finish, Failed},
})
