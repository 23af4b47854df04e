package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"

	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wcsfsm/wcsfsm/wcs"
)

// The journal of serve -state DIR: every request serve numbered, one line
// each, in the order taken, so that line k of the journal (its files read
// in order) is request k. A hook's line is its body as JSON Lines holds it
// (log-format.md): the object as posted, on one line, with the hook's name
// in "event" where the request path named it (appended: the last of
// duplicate keys wins, over a body's own "event"). A request that carried
// no hook keeps its number with a line that is no object: the body that
// was no JSON object, as a JSON string; a body too large to take, null.
// validate reads the files as they are (they are JSON Lines; those two are
// malformed lines to it).
//
// The files are DIR/journal-NNNNNNNNNNNN.jsonl, named by the number of
// their first request, twelve digits so that names sort as numbers do; a
// file past -journal-size is closed, a new one begun, and the old one
// compressed (.jsonl.gz) in the background.
type journal struct {
	dir     string
	maxSize int64
	out     *findingsOut // the writer: queue, retries, whole lines

	// Under the hookServer's mu.
	broken bool // a line was dropped (the queue was full): drop the rest until a checkpoint covers the gap

	resume atomic.Uint64 // set by a checkpoint after a gap: the number the next line starts a new file with

	// The writer's, under out.wmu.
	f     *os.File
	first uint64 // the number of f's first line
	base  uint64 // lines written before f was opened

	compressing sync.WaitGroup
	rotations   atomic.Int64
}

// Defaults of the journal and the checkpoints.
const (
	defaultJournalSize        = 64 << 20
	defaultCheckpointEvery    = 100_000
	defaultCheckpointInterval = time.Minute
	journalSyncEvery          = 100 * time.Millisecond // -sync unset: how stale the synced journal may be
)

// journalName is the name of the journal file whose first line is request first.
func journalName(first uint64) string { return fmt.Sprintf("journal-%012d.jsonl", first) }

// openJournal begins the journal file of request first in dir and starts
// writing (synced every journalSyncEvery, or each batch with syncEach),
// with at most maxQueue bytes waiting while writes fail.
func openJournal(dir string, first uint64, maxSize int64, maxQueue int, syncEach bool) (*journal, error) {
	if maxSize <= 0 {
		maxSize = defaultJournalSize
	}
	f, err := os.OpenFile(filepath.Join(dir, journalName(first)), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syncDir(dir); err != nil {
		f.Close()
		return nil, err
	}
	j := &journal{dir: dir, maxSize: maxSize, f: f, first: first}
	j.out = newLineOut(f, maxQueue)
	j.out.what = "journal lines"
	j.out.syncEach = syncEach
	j.out.syncEvery = journalSyncEvery
	j.out.beforeWrite = j.beforeWrite
	j.out.start()
	return j, nil
}

// add queues one request's line (under the hookServer's mu) and returns
// the number a wait for it goes up to; 0 when it was dropped.
func (j *journal) add(line []byte) uint64 {
	if j.broken {
		j.out.dropped.Add(1)
		return 0
	}
	seq := j.out.add(line)
	if seq == 0 {
		j.broken = true
	}
	return seq
}

// beforeWrite, the writer's, begins a new file when the current one is
// full, or when a checkpoint has covered a gap (the lines that follow are
// numbered from where it was taken).
func (j *journal) beforeWrite() error {
	first := j.resume.Load()
	if first == 0 && j.out.fileBytes < j.maxSize {
		return nil
	}
	j.out.mu.Lock()
	written := j.out.written
	j.out.mu.Unlock()
	if first == 0 {
		first = j.first + (written - j.base)
	}
	f, err := os.OpenFile(filepath.Join(j.dir, journalName(first)), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		if j.resume.Load() != 0 {
			return err // the lines would be numbered wrong in the old file: not written until there is a new one
		}
		return nil // full, but it can take more: a new file next time
	}
	j.resume.CompareAndSwap(first, 0)
	old := j.f
	if err := j.out.sync(); err != nil {
		j.out.failures.Add(1)
	}
	j.out.setFile(f)
	j.f, j.first, j.base = f, first, written
	syncDir(j.dir)
	old.Close()
	j.rotations.Add(1)
	j.compressing.Add(1)
	go func() {
		defer j.compressing.Done()
		compressJournal(old.Name())
	}()
	return nil
}

// close writes what is queued (trying a failing disk again for d at most),
// syncs, and waits for the compression of rotated files.
func (j *journal) close(d time.Duration) error {
	err := j.out.close(d)
	select {
	case <-j.out.done:
		j.out.wmu.Lock()
		if cerr := j.f.Close(); err == nil {
			err = cerr
		}
		j.out.wmu.Unlock()
	default:
		// A write that does not return holds the file (and wmu): close
		// gave up on it, and so does this; the process's end closes it.
	}
	j.compressing.Wait()
	return err
}

// compressJournal compresses a journal file that is complete into
// NAME.gz, atomically, and removes it; on any error the file stays as it is.
func compressJournal(name string) error {
	in, err := os.Open(name)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := name + ".gz.tmp"
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(out)
	_, err = io.Copy(zw, in)
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if serr := out.Sync(); err == nil {
		err = serr
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, name+".gz")
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	syncDir(filepath.Dir(name))
	return os.Remove(name)
}

// syncDir syncs a directory, so that a file created or renamed in it stays.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// journalEventSuffix[i] ends a hook's line with the name of wcs.Methods()[i].
var journalEventSuffix = func() (out [wcs.NumMethods][]byte) {
	for _, m := range wcs.Methods() {
		out[m.Index()] = []byte(`"event":"` + m.Name + `"}` + "\n")
	}
	return
}()

// appendJournalLine appends a request's journal line to b: for a hook
// (derr nil) its body on one line, with "event" set to name when named;
// for a body that is no JSON object, the body as a JSON string.
func appendJournalLine(b, body []byte, name string, named bool, derr error) []byte {
	if derr != nil {
		q, _ := json.Marshal(string(body))
		return append(append(b, q...), '\n')
	}
	body = bytes.TrimLeft(body, "\ufeff \t\r\n")
	body = bytes.TrimRight(body, " \t\r\n")
	if !named || len(body) < 2 {
		return appendOneLine(b, body)
	}
	b = appendOneLine(b, body[:len(body)-1]) // the object without its '}'
	b = b[:len(b)-1]                         // and without the newline appendOneLine ended it with
	if len(bytes.TrimLeft(body[1:len(body)-1], " \t\r\n")) > 0 {
		b = append(b, ',')
	}
	if m, ok := wcs.LookupMethod(name); ok && m.Name == name {
		return append(b, journalEventSuffix[m.Index()]...)
	}
	q, _ := json.Marshal(name)
	return append(append(append(b, `"event":`...), q...), "}\n"...)
}

// appendOneLine appends a JSON value on one line: the line breaks it may
// hold between its tokens (never inside a string, where JSON allows none)
// become spaces; and a newline.
func appendOneLine(b, v []byte) []byte {
	start := len(b)
	b = append(b, v...)
	if bytes.ContainsAny(v, "\r\n") {
		for i := start; i < len(b); i++ {
			if b[i] == '\r' || b[i] == '\n' {
				b[i] = ' '
			}
		}
	}
	return append(b, '\n')
}

// journalTooLarge is the line of a request whose body was too large to take.
var journalTooLarge = []byte("null\n")

// A journalFile is one file of a journal directory.
type journalFile struct {
	path  string
	first uint64 // the number of its first line
	gz    bool
}

// journalFiles lists the journal files of dir in order. It tidies what a
// crash may have left: a compression not finished (NAME.gz.tmp) is
// removed, and a file whose compressed copy is complete is removed for it.
func journalFiles(dir string) ([]journalFile, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	byFirst := map[uint64]journalFile{}
	for _, e := range ents {
		name := e.Name()
		if strings.HasSuffix(name, ".gz.tmp") && strings.HasPrefix(name, "journal-") {
			os.Remove(filepath.Join(dir, name))
			continue
		}
		num, gz, ok := parseJournalName(name)
		if !ok {
			continue
		}
		f := journalFile{path: filepath.Join(dir, name), first: num, gz: gz}
		if prev, dup := byFirst[num]; dup {
			plain := prev
			if prev.gz {
				plain = f
			} else {
				byFirst[num] = f
			}
			os.Remove(plain.path)
			continue
		}
		byFirst[num] = f
	}
	out := make([]journalFile, 0, len(byFirst))
	for _, f := range byFirst {
		out = append(out, f)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].first < out[b].first })
	return out, nil
}

// parseJournalName parses "journal-NNNNNNNNNNNN.jsonl" and its ".gz".
func parseJournalName(name string) (first uint64, gz, ok bool) {
	rest, ok := strings.CutPrefix(name, "journal-")
	if !ok {
		return 0, false, false
	}
	if r, isGz := strings.CutSuffix(rest, ".jsonl.gz"); isGz {
		rest, gz = r, true
	} else if rest, ok = strings.CutSuffix(rest, ".jsonl"); !ok {
		return 0, false, false
	}
	n, err := strconv.ParseUint(rest, 10, 64)
	if err != nil || n == 0 || len(rest) != 12 {
		return 0, false, false
	}
	return n, gz, true
}

// readJournal calls fn with each line (without its newline) of the journal
// files, numbered, from request from on; gap is told of each run of
// numbers the files lack (a disk that failed, files removed). A last line
// without its newline was being written when serve stopped (its request
// was never answered): it is cut from the file, not read.
func readJournal(files []journalFile, from uint64, gap func(first, last uint64), fn func(n uint64, line []byte)) (next uint64, err error) {
	// The first file to read is the last that begins at from or before.
	start := 0
	for i, f := range files {
		if f.first <= from {
			start = i
		}
	}
	next = from
	for i := start; i < len(files); i++ {
		f := files[i]
		if f.first > next {
			gap(next, f.first-1)
			next = f.first
		}
		n := f.first
		last := i == len(files)-1
		if err := readJournalFile(f, last, func(line []byte) {
			if n >= next {
				fn(n, line)
				next = n + 1
			}
			n++
		}); err != nil {
			return next, err
		}
	}
	return next, nil
}

// readJournalFile calls fn with each line of one journal file; for the
// last file, a torn last line is cut off.
func readJournalFile(jf journalFile, last bool, fn func(line []byte)) error {
	f, err := os.OpenFile(jf.path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader = f
	if jf.gz {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return fmt.Errorf("%s: %w", jf.path, err)
		}
		r = zr
	}
	br := bufio.NewReaderSize(r, 1<<20)
	var off int64
	var long []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			long = append(long, chunk...)
			continue
		}
		line := chunk
		if long != nil {
			line = append(long, chunk...)
			long = nil
		}
		if err == io.EOF {
			if len(line) > 0 {
				if jf.gz || !last {
					return fmt.Errorf("%s: its last line has no end", jf.path)
				}
				// Torn: the write of this line did not finish.
				if terr := f.Truncate(off); terr != nil {
					return terr
				}
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", jf.path, err)
		}
		off += int64(len(line))
		fn(bytes.TrimSuffix(line, []byte{'\n'}))
	}
}
