package download

import "sync"

// queue is the work list the workers share: which pieces are verified and
// on disk, and how many workers fetch each of the others now.
type queue struct {
	mu     sync.Mutex
	done   []bool
	owners []int // workers fetching each piece right now
	left   int   // pieces not done
	first  int   // no piece below is pending (not done, nobody on it)

	// The memory budget (see pick): a piece handed out holds a buffer of
	// size(index) bytes until it is given back.
	size                                func(index int) int64
	buffered, peakBuffered, maxBuffered int64

	changed chan struct{} // closed and replaced at every finish or release
}

// newQueue makes the queue of numPieces pieces of pieceSize(i) bytes;
// maxBuffered bounds the bytes handed out at once (0: no bound).
func newQueue(numPieces int, pieceSize func(index int) int64, maxBuffered int64) *queue {
	return &queue{done: make([]bool, numPieces), owners: make([]int, numPieces), left: numPieces,
		size: pieceSize, maxBuffered: maxBuffered, changed: make(chan struct{})}
}

// watch returns a channel closed at the queue's next change, and whether
// every piece is done: taken first, it misses no change made meanwhile.
func (q *queue) watch() (<-chan struct{}, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.changed, q.left == 0
}

// pick hands the caller a piece the peer has (has) that nobody fetches.
// Once every piece left is being fetched (the endgame) it hands out one
// another worker has, with the fewest workers on it, but never one the
// caller fetches (mine): a slow peer cannot hold up the end.
//
// It hands out nothing that would take the buffers over maxBuffered (16
// workers with 2 pieces of 256 MiB, a legal torrent, would hold 8 GiB),
// unless nothing is out: a piece over the bound still goes, alone.
func (q *queue) pick(has, mine func(index int) bool) (int, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.first < len(q.done) && !q.isPending(q.first) {
		q.first++
	}
	best := -1
	if q.first < len(q.done) { // a piece waits for a worker
		for i := q.first; i < len(q.done) && best < 0; i++ {
			if q.isPending(i) && has(i) {
				best = i
			}
		}
	} else { // the endgame
		for i, done := range q.done {
			if !done && has(i) && !mine(i) && (best < 0 || q.owners[i] < q.owners[best]) {
				best = i
			}
		}
	}
	if best < 0 {
		return 0, false
	}
	n := q.size(best)
	if q.maxBuffered > 0 && q.buffered > 0 && q.buffered+n > q.maxBuffered {
		return 0, false
	}
	q.buffered += n
	q.peakBuffered = max(q.peakBuffered, q.buffered)
	q.owners[best]++
	return best, true
}

// release says the caller stopped fetching index and dropped its buffer; a
// piece not done that nobody fetches is pending again.
func (q *queue) release(index int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.owners[index]--
	q.buffered -= q.size(index)
	if q.isPending(index) {
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
	q.notify()
	return true
}

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

func (q *queue) complete() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.left == 0
}

// isPending reports whether piece i waits for a worker (caller holds q.mu).
func (q *queue) isPending(i int) bool { return !q.done[i] && q.owners[i] == 0 }

// notify wakes every worker waiting on watch. The caller holds q.mu.
func (q *queue) notify() {
	close(q.changed)
	q.changed = make(chan struct{})
}
