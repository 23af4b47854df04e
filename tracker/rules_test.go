package tracker

import (
	"testing"

	"github.com/wcsfsm/wcsfsm/wcs"
)

// TestOtherSideStartsFinal: an event of a family of wcs.OtherSide with an
// unknown status starts its entity in the initial state, which must be
// final, or that one bad line would end in a dangling warning.
func TestOtherSideStartsFinal(t *testing.T) {
	for _, f := range wcs.Families() {
		if m := f.Machine(); wcs.OtherSide(f) && !m.Final(m.Initial()) {
			t.Errorf("%s: initial state %s is not final", m.Name(), m.String(m.Initial()))
		}
	}
}
