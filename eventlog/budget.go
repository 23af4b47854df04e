package eventlog

import (
	"sync"

	"github.com/wcsfsm/wcsfsm/tracker"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// The entity budget: MaxEntities bounds the entities all the shards hold
// together, and an event meets the limit exactly where it would in one
// tracker (log-format.md: the findings never depend on -j).
//
// Whether an event meets the limit depends on every shard's count at its
// position in the log, which the shards, each at its own place in the
// pipeline, do not know. So the decision is made for a whole block, once,
// by the first tracker to reach it, from what is known for sure: the exact
// sum of the counts after the last block every tracker has taken (done),
// plus the most entities the blocks since may start (their creates; an
// event starts at most two: its session's connection brought back from a
// mark, and its own entity). If that stays below the cap, no event of the
// block can meet the limit in one tracker either, and each shard takes its
// events in parallel, as if the bound were its alone. Otherwise the block
// is judged in the log's order: the last tracker to finish the blocks
// before it takes every event of it, each in its shard's tracker with the
// others' exact count (Tracker.TakeShared), while the other trackers wait.
//
// Both ways give one tracker's findings, so which way a block goes (which
// depends on how far each tracker has got) changes only the time it takes:
// far from the cap, a block costs a lock and a count per tracker; within
// about twice the events in flight of the cap (a few thousand to tens of
// thousands of entities), the shards take turns.
type budget struct {
	max int // Options.MaxEntities
	// Between runs of the pipeline, and through the events taken outside
	// it (one at a time: a server log, JSONLine): the entities each
	// tracker holds, and their sum.
	counts []int
	total  int

	mu        sync.Mutex
	decided   int64  // the creates of the run's blocks decided so far
	doneIdx   uint64 // the last block every tracker has taken (0: the start of the run)
	doneCum   int64  // its cum
	doneTotal int    // the entities held after it
	// steer, for tests (SteerBlocks), sees each block's decision and may
	// send a block in order that would have gone in parallel (which must
	// give the same findings), never the reverse (which could be wrong).
	steer func(idx uint64, inOrder bool) bool
}

// maxStarts is the most entities an event may start: its own, and, when
// it names a session, that session's connection brought back from a mark.
// (Today's tracker starts nothing in a session brought back, and lets it
// go again within the event, so one would do; two does not lean on that,
// and costs only a little more room near the cap.)
func maxStarts(ev *wcs.Event) int64 {
	if ev.SessionID != "" {
		return 2
	}
	return 1
}

// start sets the budget of fresh shards.
func (g *budget) start(max int, ts []*tracker.Tracker) {
	g.max = max
	g.counts = make([]int, len(ts))
	g.recount(ts)
}

// recount reads the trackers' counts, once the pipeline has stopped.
func (g *budget) recount(ts []*tracker.Tracker) {
	g.total = 0
	for k, t := range ts {
		g.counts[k] = t.Stats().Tracked
		g.total += g.counts[k]
	}
}

// run starts a run of the pipeline from the counts at hand.
func (g *budget) run() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.decided, g.doneIdx, g.doneCum, g.doneTotal = 0, 0, 0, g.total
}

// inOrder reports whether the shards' events of b are judged in the log's
// order; the first tracker to reach b decides. Blocks are decided in their
// order: a tracker reaches b once it has taken the block before.
func (s *shards) inOrder(b *block) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !b.decided {
		b.decided = true
		s.decided += b.creates
		b.cum = s.decided
		// The entities held at any event of b are at most those held
		// after the last block taken by all, plus what the blocks since
		// may start.
		b.inOrder = int64(s.doneTotal)+(s.decided-s.doneCum) >= int64(s.max)
		if s.steer != nil {
			b.inOrder = s.steer(b.idx, b.inOrder) || b.inOrder
		}
	}
	return b.inOrder
}

// taken records the counts once every tracker has taken b.
func (s *shards) taken(b *block) {
	n := 0
	for _, c := range b.counts {
		n += c
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b.idx > s.doneIdx { // the last trackers of two blocks may come in either order
		s.doneIdx, s.doneCum, s.doneTotal = b.idx, b.cum, n
	}
}

// judgeInOrder takes every event of b in the log's order, each in its
// shard's tracker with the exact count of the others: every tracker has
// taken the blocks before b, and none takes anything meanwhile.
func (s *shards) judgeInOrder(b *block) {
	total := 0
	for k, t := range s.trackers {
		b.counts[k] = t.Stats().Tracked
		total += b.counts[k]
		b.out[k] = b.out[k][:0]
	}
	for i, k := range b.shard {
		if k < 0 {
			continue
		}
		fs, n := s.trackers[k].TakeShared(&b.evs[i], b.pos+uint64(i), total-b.counts[k])
		total += n - b.counts[k]
		b.counts[k] = n
		for _, f := range fs {
			b.out[k] = append(b.out[k], pending{i, f})
		}
	}
	s.taken(b)
}

// takeShared takes an event outside the pipeline in tracker k, with the
// exact count of the others.
func (s *shards) takeShared(k int, ev *wcs.Event, pos uint64) []tracker.Finding {
	fs, n := s.trackers[k].TakeShared(ev, pos, s.total-s.counts[k])
	s.total += n - s.counts[k]
	s.counts[k] = n
	return fs
}
