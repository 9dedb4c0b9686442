package download

import "sync"

// queue is the work list every peer worker shares: which pieces still need a
// peer, how many workers are fetching each one right now, and which are
// verified and on disk. Workers take pieces from it and give back the ones
// they could not finish, so a piece a bad or slow peer held goes to another.
type queue struct {
	mu      sync.Mutex
	done    []bool
	owners  []int // workers fetching each piece right now
	pending int   // pieces not done that no worker is fetching
	left    int   // pieces not done
	// first is a lower bound on the lowest pending piece, so pick does not
	// rescan the done pieces at the start every time (a torrent can have
	// tens of thousands of pieces).
	first int

	// The memory budget. Every piece handed out costs a buffer of its size
	// until it is given back: buffered bytes now, the most ever, and the
	// limit (0: none). See pick.
	size         func(index int) int64
	buffered     int64
	peakBuffered int64
	maxBuffered  int64

	// changed is closed and replaced whenever a piece is finished or given
	// back, so idle workers wake up and look again.
	changed chan struct{}
	// finished is closed when the last piece is done.
	finished chan struct{}
}

// newQueue makes the queue of a torrent of numPieces pieces; pieceSize
// says how big each is, and maxBuffered bounds the bytes of the pieces
// handed out at once (0: no bound).
func newQueue(numPieces int, pieceSize func(index int) int64, maxBuffered int64) *queue {
	q := &queue{
		size:        pieceSize,
		maxBuffered: maxBuffered,
		done:        make([]bool, numPieces),
		owners:      make([]int, numPieces),
		pending:     numPieces,
		left:        numPieces,
		changed:     make(chan struct{}),
		finished:    make(chan struct{}),
	}
	if numPieces == 0 {
		close(q.finished)
	}
	return q
}

// watch returns a channel that is closed at the next change of the queue.
// Take it before looking at the queue, so a change in between is not missed.
func (q *queue) watch() <-chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.changed
}

// pick hands the caller a piece to fetch: one that has, the peer's bitfield,
// says the peer holds. It prefers pieces nobody is fetching. Once every piece
// left is being fetched (the endgame), it hands out a piece another worker
// already has, the one with the fewest workers on it, so a slow peer cannot
// hold up the end of the download. mine reports the pieces the caller already
// fetches, which it never gets twice.
//
// The caller holds a buffer of the piece's size until it gives the piece
// back, so pick hands out nothing while that would take the buffers of all
// workers over maxBuffered: without a bound, 16 workers with 2 pieces of
// 256 MiB each (a legal torrent) would hold 8 GiB. A piece bigger than the
// bound is still handed out when no other is in flight, so the download
// always goes on, one piece at a time at worst. The workers left waiting
// wake when a piece is given back.
func (q *queue) pick(has, mine func(index int) bool) (int, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.pending > 0 {
		for q.first < len(q.done) && !q.isPending(q.first) {
			q.first++
		}
		for i := q.first; i < len(q.done); i++ {
			if q.isPending(i) && has(i) {
				if !q.reserve(i) {
					return 0, false
				}
				q.owners[i]++
				q.pending--
				return i, true
			}
		}
		return 0, false
	}
	best := -1
	for i, done := range q.done {
		if done || !has(i) || mine(i) {
			continue
		}
		if best < 0 || q.owners[i] < q.owners[best] {
			best = i
		}
	}
	if best < 0 || !q.reserve(best) {
		return 0, false
	}
	q.owners[best]++
	return best, true
}

// reserve counts the buffer for piece i if it fits in the budget, or
// nothing else is buffered. The caller holds q.mu.
func (q *queue) reserve(i int) bool {
	n := q.size(i)
	if q.maxBuffered > 0 && q.buffered > 0 && q.buffered+n > q.maxBuffered {
		return false
	}
	q.buffered += n
	q.peakBuffered = max(q.peakBuffered, q.buffered)
	return true
}

// peak is the most bytes of piece buffers that were handed out at once.
func (q *queue) peak() int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.peakBuffered
}

// release says the caller stopped fetching index, and dropped its buffer:
// it finished it, gave up, or the peer failed. A piece not done that nobody
// fetches any more goes back to the queue for another peer. Either way the
// workers waiting wake up: there is a piece or room for one.
func (q *queue) release(index int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.owners[index]--
	q.buffered -= q.size(index)
	if q.owners[index] == 0 && !q.done[index] {
		q.pending++
		q.first = min(q.first, index)
	}
	q.notify()
}

// finish marks index verified and written. It reports false when another
// worker finished it first (the endgame fetches a piece more than once).
func (q *queue) finish(index int) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.done[index] {
		return false
	}
	q.done[index] = true
	q.left--
	if q.left == 0 {
		close(q.finished)
	}
	q.notify()
	return true
}

// isDone reports whether index is verified and written.
func (q *queue) isDone(index int) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.done[index]
}

// wants reports whether any piece not yet done is one has says the peer holds.
func (q *queue) wants(has func(index int) bool) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, done := range q.done {
		if !done && has(i) {
			return true
		}
	}
	return false
}

// complete reports whether every piece is done.
func (q *queue) complete() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.left == 0
}

// isPending reports whether piece i waits for a worker. The caller holds
// q.mu.
func (q *queue) isPending(i int) bool { return !q.done[i] && q.owners[i] == 0 }

// notify wakes every worker waiting on watch. The caller holds q.mu.
func (q *queue) notify() {
	close(q.changed)
	q.changed = make(chan struct{})
}
