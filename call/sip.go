package call

// FromSIP maps a SIP answer to the INVITE to the call status the source page
// defines for it, and reports whether it defines one:
//
//	100           TRYING
//	180           RING   (the page writes "183 RINGING"; SIP's Ringing is 180)
//	183           SESSION_PROGRESS
//	486, 600      BUSY
//	200           ESTABLISHED (200 OK to the INVITE)
//	300-699 else  FAILED (any other final failure)
//
// Other 1xx answers (181 Call Is Being Forwarded, 182 Queued, 199) and 2xx
// answers other than 200 give no status. RING_MEDIA and HOLD are not answers
// to an INVITE and have no code; FINISH follows a BYE or CANCEL, not an
// answer.
func FromSIP(code int) (State, bool) {
	switch {
	case code == 100:
		return Trying, true
	case code == 180:
		return Ring, true
	case code == 183:
		return SessionProgress, true
	case code == 200:
		return Established, true
	case code == 486 || code == 600:
		return Busy, true
	case code >= 300 && code <= 699:
		return Failed, true
	}
	return 0, false
}
