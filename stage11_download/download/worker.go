package download

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"workbook/stage11_download/peer"
	"workbook/stage11_download/torrent"
)

// storageError is a failure of our own disk, not of a peer: it stops the
// whole download, since no other peer can fix it.
type storageError struct{ err error }

func (e storageError) Error() string { return e.err.Error() }
func (e storageError) Unwrap() error { return e.err }

// worker fetches pieces from one peer: a session whose pieces come from the
// queue all workers share. A second goroutine only reads messages (a read
// blocks, and the worker must also hear about the queue changing).
type worker struct {
	s     *session
	info  *torrent.Info
	q     *queue
	store *storage

	keepAliveEvery time.Duration // keepAliveInterval; tests shorten it
	delivered      int           // pieces from this peer that passed the SHA-1 check
	onPiece        func(n int64)
}

// A healthy peer we fetch nothing from (other workers have its pieces, or
// MaxBuffered is used up) may say nothing but a keep-alive every two minutes
// (BEP 3), and drops us if we say nothing for two minutes. So a worker reads
// with a deadline past that, leaves "gives us nothing we need" to the stall
// check, and sends a keep-alive every keepAliveInterval.
const (
	peerIdleTimeout   = 2*time.Minute + 30*time.Second
	keepAliveInterval = 90 * time.Second
)

func newWorker(conn *peer.Conn, info *torrent.Info, q *queue, store *storage, onPiece func(int64)) *worker {
	s := newSession(conn, info.NumPieces()) // stall limit: conn.Timeouts.Read
	conn.Timeouts.Read = max(peerIdleTimeout, s.stall)
	return &worker{s: s, info: info, q: q, store: store, onPiece: onPiece, keepAliveEvery: keepAliveInterval}
}

// run fetches pieces until the download is complete, the peer fails or ctx
// ends. The pieces it still holds go back to the queue when it returns.
func (w *worker) run(ctx context.Context) error {
	defer func() {
		for _, p := range w.s.pieces {
			w.q.release(p.index)
		}
	}()
	msgs, readErr, stop := w.readMessages()
	defer stop()
	if err := w.s.sendInterested(); err != nil {
		return err
	}
	stallCheck := time.NewTicker(w.s.stall / 4)
	defer stallCheck.Stop()
	keepAlive := time.NewTicker(w.keepAliveEvery)
	defer keepAlive.Stop()
	for {
		changed := w.q.watch()
		if err := w.dropFinished(); err != nil {
			return err
		}
		if err := w.request(); err != nil {
			return err
		}
		var err error
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-w.q.finished:
			return nil
		case <-changed:
		case msg := <-msgs:
			err = w.handle(msg)
		case err = <-readErr:
			err = w.drain(msgs, err)
		case <-stallCheck.C:
			err = w.checkStall()
		case <-keepAlive.C:
			err = w.s.conn.WriteMessages(nil)
		}
		if err != nil {
			return err
		}
	}
}

// readMessages starts the reader goroutine; stop closes the connection (which
// ends a read in progress) and waits for it.
func (w *worker) readMessages() (<-chan *peer.Message, <-chan error, func()) {
	msgs := make(chan *peer.Message, 16)
	readErr := make(chan error, 1)
	done := make(chan struct{})
	var reader sync.WaitGroup
	reader.Go(func() {
		for {
			msg, err := w.s.conn.ReadMessage()
			if err != nil {
				readErr <- err
				return
			}
			select {
			case msgs <- msg:
			case <-done:
				return
			}
		}
	})
	return msgs, readErr, func() {
		close(done)
		w.s.conn.Close()
		reader.Wait()
	}
}

// drain handles the messages read before a read failed: a peer that sends
// its last block and closes delivered that piece.
func (w *worker) drain(msgs <-chan *peer.Message, readErr error) error {
	for {
		select {
		case msg := <-msgs:
			if err := w.handle(msg); err != nil {
				return err
			}
		default:
			return fmt.Errorf("read: %w", readErr)
		}
	}
}

// checkStall drops a stalled peer; waiting while other workers fetch the
// pieces this one has is no stall.
func (w *worker) checkStall() error {
	if !w.s.choked && len(w.s.pieces) == 0 && w.q.wants(w.s.has.Has) {
		w.s.lastBlock = time.Now()
	}
	return w.s.checkStall()
}

// request takes pieces from the queue until their missing blocks can fill
// the session's pipeline, then lets the session send the requests. Each
// piece holds a piece-sized buffer, so a worker holds no more than the
// pipeline spans, plus the one being finished.
func (w *worker) request() error {
	missing := 0 // blocks not yet here: in flight or not asked for
	for _, p := range w.s.pieces {
		missing += len(p.blocks) - p.received
	}
	maxPieces := int((int64(w.s.depth)*peer.BlockSize+w.info.PieceLength-1)/w.info.PieceLength) + 1
	for !w.s.choked && missing < w.s.depth && len(w.s.pieces) < maxPieces {
		index, ok := w.q.pick(w.s.has.Has, w.fetching)
		if !ok {
			break
		}
		p := newPiece(index, int(w.info.PieceSize(index)))
		w.s.pieces = append(w.s.pieces, p)
		missing += len(p.blocks)
	}
	return w.s.request()
}

func (w *worker) fetching(index int) bool {
	return slices.ContainsFunc(w.s.pieces, func(p *piece) bool { return p.index == index })
}

// handle passes one message to the session and verifies the piece it
// completes.
func (w *worker) handle(msg *peer.Message) error {
	p, err := w.s.handle(msg)
	if err != nil || p == nil {
		return err
	}
	return w.verify(p)
}

// verify checks a complete piece's SHA-1 and writes it. A wrong piece drops
// the peer (it sent bad data once and will again) and goes back to the queue;
// a piece goes back only after it is finished, or the queue would count it
// as waiting for a peer.
func (w *worker) verify(p *piece) error {
	defer w.remove(p)
	if err := p.verify(w.info.PieceHash(p.index)); err != nil {
		return err
	}
	// In the endgame another peer may have delivered it already.
	if !w.q.isDone(p.index) {
		if err := w.store.writePiece(p.index, p.buf); err != nil {
			return storageError{err}
		}
		if w.q.finish(p.index) {
			w.onPiece(int64(len(p.buf)))
		}
	}
	w.delivered++
	return nil
}

// remove stops fetching p and gives it back to the queue, which re-queues
// it unless it is done or another worker has it.
func (w *worker) remove(p *piece) {
	w.s.pieces = slices.DeleteFunc(w.s.pieces, func(a *piece) bool { return a == p })
	w.q.release(p.index)
}

// dropFinished cancels the requests for pieces another worker finished
// first (endgame), so the peer does not send what is no longer needed.
func (w *worker) dropFinished() error {
	var cancels []*peer.Message
	for _, p := range slices.Clone(w.s.pieces) {
		if !w.q.isDone(p.index) {
			continue
		}
		for b, st := range p.blocks {
			if st == blockRequested {
				cancels = append(cancels, peer.NewCancel(p.index, b*peer.BlockSize, p.blockLen(b)))
			}
		}
		w.remove(p)
	}
	if len(cancels) == 0 {
		return nil
	}
	w.s.inFlight -= len(cancels)
	w.s.abandoned += len(cancels)
	if err := w.s.conn.WriteMessages(cancels...); err != nil {
		return fmt.Errorf("send %d cancels: %w", len(cancels), err)
	}
	return nil
}
