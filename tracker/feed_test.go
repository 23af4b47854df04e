package tracker

import (
	"bufio"
	"bytes"
	"io"

	"github.com/wcsfsm/wcsfsm/hookbody"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// feeder is the part of eventlog.Validator that the tests of this package
// need, which cannot import eventlog: it reads JSON Lines into a Tracker
// and reports every finding, blank lines skipped, a line that is not a JSON
// object a malformed finding.
type feeder struct {
	Tracker *Tracker
	Report  func(Finding)
	dec     hookbody.Decoder
	ev      wcs.Event
}

func (v *feeder) setup() {
	if v.Tracker == nil {
		v.Tracker = New(Options{})
	}
	if v.Report == nil {
		v.Report = func(Finding) {}
	}
}

// ReadJSONL reads the lines of r, numbered from 1, as events of file name.
func (v *feeder) ReadJSONL(name string, r io.Reader) error {
	v.setup()
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<30)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSuffix(sc.Bytes(), []byte{'\r'})
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		v.JSONLine(name, n, line)
	}
	return sc.Err()
}

// JSONLine judges one line.
func (v *feeder) JSONLine(name string, n int, line []byte) {
	v.setup()
	if len(bytes.TrimSpace(line)) == 0 {
		return
	}
	v.ev.File, v.ev.Line = name, n
	if err := v.dec.Decode(line, &v.ev); err != nil {
		v.Report(v.Tracker.Reject(name, n, KindMalformed, err.Error()))
		return
	}
	for _, f := range v.Tracker.Take(&v.ev) {
		v.Report(f)
	}
}

// End reports the entities left open.
func (v *feeder) End() {
	v.setup()
	for _, f := range v.Tracker.End() {
		v.Report(f)
	}
}
