package download

import (
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"workbook/stage11_download/peer"
	"workbook/stage11_download/torrent"
)

// Why a peer was dropped; the download goes on with the others. A piece
// that fails its SHA-1 check is stage 10's ErrHashMismatch. Each is wrapped
// by that peer's error in PeersFailedError.
var (
	// ErrStalled: the peer gave us nothing we needed for StallTimeout.
	ErrStalled = errors.New("peer stalled")
	// ErrProtocol: the peer sent something BEP 3 does not allow, such as a
	// bad bitfield or blocks we never asked for.
	ErrProtocol = errors.New("peer broke the protocol")
)

// storageError is a failure of our own disk, not of a peer: it stops the
// whole download, since no other peer can fix it.
type storageError struct{ err error }

func (e storageError) Error() string { return e.err.Error() }
func (e storageError) Unwrap() error { return e.err }

// job is one piece a worker is fetching: its buffer and which blocks were
// requested and received. Memory in flight is a few of these per peer.
type job struct {
	index     int
	buf       []byte
	requested []bool
	received  []bool
	got       int // blocks received
}

func (j *job) blocks() int { return len(j.received) }

// blockLen is the length of block b: peer.BlockSize, the last one shorter.
func (j *job) blockLen(b int) int { return min(peer.BlockSize, len(j.buf)-b*peer.BlockSize) }

// worker fetches pieces from one peer connection. It runs in one goroutine;
// a second one only reads messages off the connection (a read blocks, and
// the worker must also hear about the queue changing).
type worker struct {
	conn  *peer.Conn
	s     *Session // stage 10: choked or not, which pieces the peer has
	info  *torrent.Info
	q     *queue
	store *storage
	opts  *Options

	active    []*job
	inflight  int       // requests sent and not yet answered
	lastBlock time.Time // when the peer last gave us something we needed
	lastSent  time.Time // when we last sent the peer anything

	// keepAliveEvery is keepAliveInterval; tests shorten it.
	keepAliveEvery time.Duration

	// Blocks we did not ask for (see stray): how many came, and how many
	// blocks we asked for and took or gave up on (a choke, a cancel).
	strays, accepted, abandoned int

	delivered int // pieces from this peer that passed the SHA-1 check
	onPiece   func(n int64)
}

// peerIdleTimeout is how long a worker waits for any message at all, even a
// keep-alive, before it takes the connection for dead. BEP 3 peers send a
// keep-alive about every two minutes when they have nothing else to say,
// and a healthy peer we are not fetching from (its pieces are taken by
// other peers, or MaxBuffered is used up) may well have nothing to say:
// peer.Conn's default of 30 s would drop it. Whether a peer gives us what we
// need is the stall check's business (StallTimeout), not the read's.
const peerIdleTimeout = 2*time.Minute + 30*time.Second

// keepAliveInterval is how long a worker stays silent before it sends a
// keep-alive: the other side of peerIdleTimeout. A worker waiting while
// others fetch sends nothing else, and peers drop connections that are
// silent for two minutes (BEP 3).
const keepAliveInterval = 90 * time.Second

func newWorker(conn *peer.Conn, info *torrent.Info, q *queue, store *storage, opts *Options, onPiece func(int64)) *worker {
	conn.ReadTimeout = max(peerIdleTimeout, opts.StallTimeout)
	return &worker{
		conn: conn, s: NewSession(conn, info.NumPieces()),
		info: info, q: q, store: store, opts: opts, onPiece: onPiece,
		keepAliveEvery: keepAliveInterval,
	}
}

// run fetches pieces until the download is complete, the peer fails or ctx
// ends. The pieces it still holds go back to the queue when it returns.
func (w *worker) run(ctx context.Context) error {
	defer w.releaseAll()

	msgs := make(chan *peer.Message, 16)
	readErr := make(chan error, 1)
	stop := make(chan struct{})
	var reader sync.WaitGroup
	reader.Go(func() {
		for {
			msg, err := w.conn.ReadMessage()
			if err != nil {
				readErr <- err
				return
			}
			select {
			case msgs <- msg:
			case <-stop:
				return
			}
		}
	})
	// Closing the connection ends a read in progress; then the reader is gone.
	defer func() {
		close(stop)
		w.conn.Close()
		reader.Wait()
	}()

	if err := w.s.SendInterested(); err != nil {
		return fmt.Errorf("send interested: %w", err)
	}
	tick := time.NewTicker(min(w.opts.StallTimeout, w.keepAliveEvery) / 4)
	defer tick.Stop()
	w.lastBlock = time.Now()
	w.lastSent = time.Now()
	for {
		changed := w.q.watch()
		if err := w.dropFinished(); err != nil {
			return err
		}
		if err := w.request(); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-w.q.finished:
			return nil
		case <-changed:
		case msg := <-msgs:
			if err := w.handle(msg); err != nil {
				return err
			}
		case err := <-readErr:
			// The blocks read before the failure still count (a peer that
			// sends its last block and closes delivered that piece).
			for drained := false; !drained; {
				select {
				case msg := <-msgs:
					if err := w.handle(msg); err != nil {
						return err
					}
				default:
					drained = true
				}
			}
			return fmt.Errorf("read: %w", err)
		case <-tick.C:
			if err := w.checkStall(); err != nil {
				return err
			}
			if time.Since(w.lastSent) >= w.keepAliveEvery {
				if err := w.send(nil); err != nil {
					return fmt.Errorf("send keep-alive: %w", err)
				}
			}
		}
	}
}

// request keeps up to opts.Pipeline block requests in flight (stage 10's
// pipelining), taking new pieces from the queue as the ones it has run out of
// blocks to ask for. The new requests go out in one write. A choked peer
// gets no requests: it would ignore them.
func (w *worker) request() error {
	var batch []*peer.Message
	for !w.s.Choked && w.inflight < w.opts.Pipeline {
		j, b := w.nextBlock()
		if j == nil {
			if len(w.active) >= w.maxActive() {
				break
			}
			index, ok := w.q.pick(w.s.Has.Has, w.isActive)
			if !ok {
				break
			}
			w.active = append(w.active, w.newJob(index))
			continue
		}
		batch = append(batch, peer.NewRequest(j.index, b*peer.BlockSize, j.blockLen(b)))
		j.requested[b] = true
		w.inflight++
	}
	if len(batch) == 0 {
		return nil
	}
	if err := w.send(batch...); err != nil {
		return fmt.Errorf("send %d requests: %w", len(batch), err)
	}
	return nil
}

// send writes messages (nil: a keep-alive) in one write.
func (w *worker) send(ms ...*peer.Message) error {
	if err := w.conn.WriteMessages(ms...); err != nil {
		return err
	}
	w.lastSent = time.Now()
	return nil
}

// maxActive is how many pieces a worker fetches at once: enough to keep
// opts.Pipeline requests in flight across piece boundaries, and no more, since
// each one holds a piece-sized buffer.
func (w *worker) maxActive() int {
	return int((int64(w.opts.Pipeline)*peer.BlockSize+w.info.PieceLength-1)/w.info.PieceLength) + 1
}

func (w *worker) newJob(index int) *job {
	size := int(w.info.PieceSize(index))
	n := (size + peer.BlockSize - 1) / peer.BlockSize
	return &job{index: index, buf: make([]byte, size), requested: make([]bool, n), received: make([]bool, n)}
}

// nextBlock finds a block of an active piece that is neither requested nor
// received.
func (w *worker) nextBlock() (*job, int) {
	for _, j := range w.active {
		for b := range j.blocks() {
			if !j.requested[b] && !j.received[b] {
				return j, b
			}
		}
	}
	return nil, 0
}

func (w *worker) isActive(index int) bool { return w.find(index) != nil }

func (w *worker) find(index int) *job {
	for _, j := range w.active {
		if j.index == index {
			return j
		}
	}
	return nil
}

// handle acts on one message from the peer. Stage 10's Session keeps the
// state (choked, which pieces the peer has) and checks bitfield and have.
func (w *worker) handle(msg *peer.Message) error {
	if err := w.s.Handle(msg); err != nil {
		return fmt.Errorf("%w: %w", ErrProtocol, err)
	}
	if msg == nil {
		return nil
	}
	switch msg.ID {
	case peer.MsgChoke:
		// BEP 3: a choke drops every request the peer had queued. Give the
		// pieces back at once so other peers can fetch them; after an
		// unchoke this worker picks pieces again. A peer that never
		// unchokes is dropped by the stall check.
		w.releaseAll()
		w.abandoned += w.inflight
		w.inflight = 0
	case peer.MsgPiece:
		return w.block(msg)
	}
	// Other messages (requests from the peer, extensions) need no answer:
	// this client downloads only.
	return nil
}

// block stores one received block, only if it is one we asked for and
// still wait for: nothing else ever touches a piece's buffer. A block that
// cannot be one we asked for (wrong offset or length) drops the peer at
// once; any other block we did not ask for is a stray.
func (w *worker) block(msg *peer.Message) error {
	index, begin, data, err := peer.ParsePiece(msg)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrProtocol, err)
	}
	j := w.find(index)
	if j == nil {
		return w.stray(index, begin)
	}
	b := begin / peer.BlockSize
	if begin%peer.BlockSize != 0 || b >= j.blocks() || len(data) != j.blockLen(b) {
		return fmt.Errorf("%w: unrequested block of %d bytes at %d in piece %d", ErrProtocol, len(data), begin, index)
	}
	if !j.requested[b] {
		return w.stray(index, begin)
	}
	j.requested[b] = false
	w.inflight--
	w.accepted++
	copy(j.buf[begin:], data)
	j.received[b] = true
	j.got++
	w.lastBlock = time.Now()
	if j.got < j.blocks() {
		return nil
	}
	return w.verify(j)
}

// stray ignores a block we did not ask for, or no longer wait for: for a
// piece this worker does not fetch, a second copy, or one we never
// requested. Some are innocent: blocks already on the wire when the peer
// choked us or got our cancel. Like stage 10, the worker forgives that many
// and a pipeline more, plus one per block it took (stage 10 allows a
// piece's blocks per piece); a peer sending more is broken or hostile.
func (w *worker) stray(index, begin int) error {
	w.strays++
	if w.strays > w.opts.Pipeline+w.accepted+w.abandoned {
		return fmt.Errorf("%w: %d blocks we did not ask for (the last at %d in piece %d)", ErrProtocol, w.strays, begin, index)
	}
	return nil
}

// verify checks a complete piece against its SHA-1 from the torrent and
// writes it. A wrong piece goes back to the queue and drops the peer: it sent
// bad data once and will again.
func (w *worker) verify(j *job) error {
	// Give the piece back only after finishing it, or the queue would count
	// it as waiting for a peer.
	defer w.remove(j)
	if sha1.Sum(j.buf) != w.info.PieceHash(j.index) {
		return fmt.Errorf("piece %d: %w", j.index, ErrHashMismatch)
	}
	// In the endgame another peer may have delivered it already.
	if !w.q.isDone(j.index) {
		if err := w.store.writePiece(j.index, j.buf); err != nil {
			return storageError{err}
		}
		if w.q.finish(j.index) {
			w.onPiece(int64(len(j.buf)))
		}
	}
	w.delivered++
	return nil
}

// remove stops fetching j and gives its piece back to the queue, which
// re-queues it unless it is done or another worker has it.
func (w *worker) remove(j *job) {
	w.active = slices.DeleteFunc(w.active, func(a *job) bool { return a == j })
	w.q.release(j.index)
}

// dropFinished cancels the requests for pieces another worker finished
// first (endgame), so the peer does not send what is no longer needed.
func (w *worker) dropFinished() error {
	var cancels []*peer.Message
	for _, j := range slices.Clone(w.active) {
		if !w.q.isDone(j.index) {
			continue
		}
		for b, asked := range j.requested {
			if asked {
				cancels = append(cancels, peer.NewCancel(j.index, b*peer.BlockSize, j.blockLen(b)))
				w.inflight--
				w.abandoned++
			}
		}
		w.remove(j)
	}
	if len(cancels) == 0 {
		return nil
	}
	if err := w.send(cancels...); err != nil {
		return fmt.Errorf("send %d cancels: %w", len(cancels), err)
	}
	return nil
}

// checkStall drops a peer that gave us nothing we needed for
// opts.StallTimeout: it keeps us choked, stopped sending blocks, or has no
// piece we still need. Time spent waiting while other workers fetch the
// pieces this peer could give does not count.
func (w *worker) checkStall() error {
	waitingOnOthers := !w.s.Choked && len(w.active) == 0 && w.q.wants(w.s.Has.Has)
	if waitingOnOthers {
		w.lastBlock = time.Now()
		return nil
	}
	idle := time.Since(w.lastBlock)
	if idle < w.opts.StallTimeout {
		return nil
	}
	switch {
	case w.s.Choked:
		return fmt.Errorf("%w: choked us for %v", ErrStalled, idle.Round(time.Millisecond))
	case len(w.active) > 0:
		return fmt.Errorf("%w: no block for %v", ErrStalled, idle.Round(time.Millisecond))
	default:
		return fmt.Errorf("%w: has no piece we need", ErrStalled)
	}
}

// releaseAll gives back every piece this worker still holds.
func (w *worker) releaseAll() {
	for _, j := range w.active {
		w.q.release(j.index)
	}
	w.active = nil
}
