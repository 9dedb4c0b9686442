package download

import (
	"context"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"workbook/stage11_download/peer"
	"workbook/stage11_download/torrent"
)

// errPeer marks why a peer was dropped; the download goes on with the others.
var (
	errStalled  = errors.New("peer stalled")
	errBadPiece = errors.New("piece failed its SHA-1 check")
	errProtocol = errors.New("peer broke the protocol")
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

// blockLen is the length of block b: BlockSize, the last one shorter.
func (j *job) blockLen(b int) int { return min(BlockSize, len(j.buf)-b*BlockSize) }

// worker fetches pieces from one peer connection. It runs in one goroutine;
// a second one only reads messages off the connection (a read blocks, and
// the worker must also hear about the queue changing).
type worker struct {
	conn  *peer.Conn
	info  *torrent.Info
	q     *queue
	store *storage
	opts  *Options

	has       peer.Bitfield // pieces the peer says it holds
	choked    bool          // peers start out choking us (BEP 3)
	sawFirst  bool          // a message other than keep-alive arrived
	active    []*job
	inflight  int       // requests sent and not yet answered
	lastBlock time.Time // when the peer last gave us something we needed

	delivered int // pieces from this peer that passed the SHA-1 check
	onPiece   func(n int64)
}

func newWorker(conn *peer.Conn, info *torrent.Info, q *queue, store *storage, opts *Options, onPiece func(int64)) *worker {
	return &worker{
		conn: conn, info: info, q: q, store: store, opts: opts, onPiece: onPiece,
		has:    make(peer.Bitfield, (info.NumPieces()+7)/8),
		choked: true,
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

	if err := w.conn.WriteMessage(&peer.Message{ID: peer.Interested}); err != nil {
		return fmt.Errorf("send interested: %w", err)
	}
	tick := time.NewTicker(w.opts.StallTimeout / 4)
	defer tick.Stop()
	w.lastBlock = time.Now()
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
			return fmt.Errorf("read: %w", err)
		case <-tick.C:
			if err := w.checkStall(); err != nil {
				return err
			}
		}
	}
}

// request keeps up to opts.Pipeline block requests in flight (stage 10's
// pipelining), taking new pieces from the queue as the ones it has run out of
// blocks to ask for. A choked peer gets no requests: it would ignore them.
func (w *worker) request() error {
	for !w.choked && w.inflight < w.opts.Pipeline {
		j, b := w.nextBlock()
		if j == nil {
			if len(w.active) >= w.maxActive() {
				return nil
			}
			index, ok := w.q.pick(w.has.Has, w.isActive)
			if !ok {
				return nil
			}
			w.active = append(w.active, w.newJob(index))
			continue
		}
		if err := w.conn.WriteMessage(blockMessage(peer.Request, j.index, b*BlockSize, j.blockLen(b))); err != nil {
			return fmt.Errorf("request piece %d: %w", j.index, err)
		}
		j.requested[b] = true
		w.inflight++
	}
	return nil
}

// maxActive is how many pieces a worker fetches at once: enough to keep
// opts.Pipeline requests in flight across piece boundaries, and no more, since
// each one holds a piece-sized buffer.
func (w *worker) maxActive() int {
	return int((int64(w.opts.Pipeline)*BlockSize+w.info.PieceLength-1)/w.info.PieceLength) + 1
}

func (w *worker) newJob(index int) *job {
	size := int(w.info.PieceSize(index))
	n := (size + BlockSize - 1) / BlockSize
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

// handle acts on one message from the peer.
func (w *worker) handle(msg *peer.Message) error {
	if msg == nil {
		return nil // keep-alive
	}
	first := !w.sawFirst
	w.sawFirst = true
	switch msg.ID {
	case peer.Choke:
		// BEP 3: a choke drops every request the peer had queued. Mark the
		// blocks to be asked again after an unchoke; if none comes, the
		// stall check gives the pieces back for another peer.
		w.choked = true
		for _, j := range w.active {
			clear(j.requested)
		}
		w.inflight = 0
	case peer.Unchoke:
		w.choked = false
	case peer.Have:
		if len(msg.Payload) != 4 {
			return fmt.Errorf("%w: have message of %d bytes", errProtocol, len(msg.Payload))
		}
		index := binary.BigEndian.Uint32(msg.Payload)
		if index >= uint32(w.info.NumPieces()) {
			return fmt.Errorf("%w: have for piece %d of %d", errProtocol, index, w.info.NumPieces())
		}
		w.has.Set(int(index))
	case peer.Bitfield_:
		// BEP 3: the bitfield comes first, right after the handshake.
		if !first {
			return fmt.Errorf("%w: bitfield after other messages", errProtocol)
		}
		has, err := peer.ParseBitfield(msg.Payload, w.info.NumPieces())
		if err != nil {
			return fmt.Errorf("%w: %w", errProtocol, err)
		}
		w.has = has
	case peer.Piece:
		return w.block(msg.Payload)
	}
	// Other messages (requests from the peer, extensions) need no answer:
	// this client downloads only.
	return nil
}

// block stores one received block. A block for a piece this worker no
// longer fetches (a request cancelled in the endgame may still arrive) or a
// second copy of a block is ignored; a block that cannot be one we asked for
// drops the peer, since writing it would corrupt the piece.
func (w *worker) block(payload []byte) error {
	if len(payload) < 8 {
		return fmt.Errorf("%w: piece message of %d bytes", errProtocol, len(payload))
	}
	index := int(binary.BigEndian.Uint32(payload[0:4]))
	begin := int(binary.BigEndian.Uint32(payload[4:8]))
	data := payload[8:]
	j := w.find(index)
	if j == nil {
		return nil
	}
	b := begin / BlockSize
	if begin%BlockSize != 0 || b >= j.blocks() || len(data) != j.blockLen(b) {
		return fmt.Errorf("%w: unrequested block of %d bytes at %d in piece %d", errProtocol, len(data), begin, index)
	}
	if j.received[b] {
		return nil
	}
	if j.requested[b] {
		j.requested[b] = false
		w.inflight--
	}
	copy(j.buf[begin:], data)
	j.received[b] = true
	j.got++
	w.lastBlock = time.Now()
	if j.got < j.blocks() {
		return nil
	}
	return w.verify(j)
}

// verify checks a complete piece against its SHA-1 from the torrent and
// writes it. A wrong piece goes back to the queue and drops the peer: it sent
// bad data once and will again.
func (w *worker) verify(j *job) error {
	// Give the piece back only after finishing it, or the queue would count
	// it as waiting for a peer.
	defer w.remove(j)
	if sha1.Sum(j.buf) != w.info.PieceHash(j.index) {
		return fmt.Errorf("piece %d: %w", j.index, errBadPiece)
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
	for _, j := range slices.Clone(w.active) {
		if !w.q.isDone(j.index) {
			continue
		}
		for b, asked := range j.requested {
			if !asked {
				continue
			}
			w.inflight--
			if err := w.conn.WriteMessage(blockMessage(peer.Cancel, j.index, b*BlockSize, j.blockLen(b))); err != nil {
				return fmt.Errorf("cancel piece %d: %w", j.index, err)
			}
		}
		w.remove(j)
	}
	return nil
}

// checkStall drops a peer that gave us nothing we needed for
// opts.StallTimeout: it keeps us choked, stopped sending blocks, or has no
// piece we still need. Time spent waiting while other workers fetch the
// pieces this peer could give does not count.
func (w *worker) checkStall() error {
	waitingOnOthers := !w.choked && len(w.active) == 0 && w.q.wants(w.has.Has)
	if waitingOnOthers {
		w.lastBlock = time.Now()
		return nil
	}
	idle := time.Since(w.lastBlock)
	if idle < w.opts.StallTimeout {
		return nil
	}
	switch {
	case w.choked:
		return fmt.Errorf("%w: choked us for %v", errStalled, idle.Round(time.Millisecond))
	case len(w.active) > 0:
		return fmt.Errorf("%w: no block for %v", errStalled, idle.Round(time.Millisecond))
	default:
		return fmt.Errorf("%w: has no piece we need", errStalled)
	}
}

// releaseAll gives back every piece this worker still holds.
func (w *worker) releaseAll() {
	for _, j := range w.active {
		w.q.release(j.index)
	}
	w.active = nil
}

// blockMessage builds a request or cancel: index, begin, length (BEP 3).
func blockMessage(id peer.MessageID, index, begin, length int) *peer.Message {
	payload := make([]byte, 12)
	binary.BigEndian.PutUint32(payload[0:4], uint32(index))
	binary.BigEndian.PutUint32(payload[4:8], uint32(begin))
	binary.BigEndian.PutUint32(payload[8:12], uint32(length))
	return &peer.Message{ID: id, Payload: payload}
}
