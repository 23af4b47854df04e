package call_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wcsfsm/wcsfsm/call"
)

func TestFromSIP(t *testing.T) {
	type result struct {
		State call.State
		OK    bool
	}
	tests := []struct {
		why  string
		code int
		want result
	}{
		{"100 Trying", 100, result{call.Trying, true}},
		{"180 is SIP's Ringing, whatever the page's \"183 RINGING\" says", 180, result{call.Ring, true}},
		{"183 is Session Progress, not RING", 183, result{call.SessionProgress, true}},
		{"181 Call Is Being Forwarded has no status", 181, result{0, false}},
		{"182 Queued has no status", 182, result{0, false}},
		{"199 Early Dialog Terminated has no status", 199, result{0, false}},
		{"200 OK to the INVITE", 200, result{call.Established, true}},
		{"202 Accepted is no answer to an INVITE", 202, result{0, false}},
		{"299, the end of 2xx, has no status", 299, result{0, false}},
		{"300, the first redirect, is a failure of the call", 300, result{call.Failed, true}},
		{"401 Unauthorized", 401, result{call.Failed, true}},
		{"486 Busy Here", 486, result{call.Busy, true}},
		{"487 Request Terminated is a failure, not BUSY", 487, result{call.Failed, true}},
		{"600 Busy Everywhere", 600, result{call.Busy, true}},
		{"603 Decline is a failure, not BUSY", 603, result{call.Failed, true}},
		{"699, the last failure code", 699, result{call.Failed, true}},
		{"700 is no SIP answer", 700, result{0, false}},
		{"99 is no SIP answer", 99, result{0, false}},
		{"0 is no SIP answer", 0, result{0, false}},
		{"a negative code is no SIP answer", -486, result{0, false}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.code), func(t *testing.T) {
			s, ok := call.FromSIP(tt.code)
			if d := cmp.Diff(tt.want, result{s, ok}); d != "" {
				t.Errorf("FromSIP(%d): %s (-want +got):\n%s", tt.code, tt.why, d)
			}
		})
	}
}

// Every status FromSIP gives is one the machine may receive.
func TestFromSIPGivesStatuses(t *testing.T) {
	for code := -1; code <= 1000; code++ {
		if s, ok := call.FromSIP(code); ok && !call.Machine.IsStatus(s) {
			t.Errorf("FromSIP(%d) = %v, not a status of %s", code, s, call.Machine.Name())
		}
	}
}

func ExampleFromSIP() {
	for _, code := range []int{100, 180, 183, 200, 486, 404, 181} {
		s, ok := call.FromSIP(code)
		fmt.Println(code, s, ok)
	}
	// Output:
	// 100 TRYING true
	// 180 RING true
	// 183 SESSION_PROGRESS true
	// 200 ESTABLISHED true
	// 486 BUSY true
	// 404 FAILED true
	// 181 NEW false
}
