package hookbody_test

import (
	"errors"
	"testing"

	"github.com/wcsfsm/wcsfsm/hookbody"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// TestDecodeErrors: Decode returns a plain error, nil on success (it
// returned a *DecodeError, which is non-nil as an error even when it is a
// nil pointer), and each failure has its sentinel cause.
func TestDecodeErrors(t *testing.T) {
	var d hookbody.Decoder
	for _, row := range []struct {
		why   string
		body  string
		cause error // nil: no error
	}{
		{"a JSON object decodes: the error is nil as an error, not a nil *Error", `{"status":"ESTABLISHED"}`, nil},
		{"valid JSON of another type is not an object", `[1,2]`, hookbody.ErrNotObject},
		{"a string is not an object either", `"x"`, hookbody.ErrNotObject},
		{"an empty body is a syntax error", ``, hookbody.ErrSyntax},
		{"a body cut short is a syntax error", `{"status":`, hookbody.ErrSyntax},
		{"garbage after the object is a syntax error", `{} x`, hookbody.ErrSyntax},
	} {
		var ev wcs.Event
		var err error = d.Decode([]byte(row.body), &ev)
		if row.cause == nil {
			if err != nil {
				t.Errorf("%s: %v", row.why, err)
			}
			continue
		}
		var derr *hookbody.Error
		if !errors.Is(err, row.cause) || !errors.As(err, &derr) {
			t.Errorf("%s: %v, want an *Error with cause %v", row.why, err, row.cause)
		}
	}
}
