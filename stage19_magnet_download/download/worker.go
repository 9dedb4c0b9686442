package download

import (
	"context"
	"fmt"
	"slices"
	"time"

	"workbook/stage19_magnet_download/peer"
)

// worker fetches pieces from one peer: a session whose pieces come from the
// queue all workers share. A second goroutine only reads messages (a read
// blocks, and the worker must also hear about the queue changing).
type worker struct {
	s              *session
	d              *downloader
	keepAliveEvery time.Duration // keepAliveInterval; tests shorten it
	delivered      int           // pieces from this peer that passed the SHA-1 check
}

// A peer we fetch nothing from (others have its pieces, or MaxBuffered is
// used up) may send only a keep-alive every two minutes (BEP 3), and drops
// us after two minutes of silence. So a worker reads with a deadline past
// that, leaves "has nothing we need" to the stall check, and keeps alive.
const (
	peerIdleTimeout   = 2*time.Minute + 30*time.Second
	keepAliveInterval = 90 * time.Second
)

func newWorker(conn *peer.Conn, d *downloader) *worker {
	s := newSession(conn, d.m.Info.NumPieces()) // stall limit: conn.Timeouts.Read
	conn.Timeouts.Read = max(peerIdleTimeout, s.stall)
	if d.opts.FixedDepth > 0 {
		s.depth, s.meter = d.opts.FixedDepth, nil
	}
	return &worker{s: s, d: d, keepAliveEvery: keepAliveInterval}
}

// run fetches pieces until the download is complete, the peer fails or ctx
// ends. The pieces it still holds go back to the queue when it returns.
func (w *worker) run(ctx context.Context) error {
	defer func() {
		for _, p := range w.s.pieces {
			w.d.q.release(p.index)
		}
	}()
	reads, stop := w.readMessages()
	defer stop()
	if err := w.s.sendInterested(); err != nil {
		return err
	}
	stallCheck := time.NewTicker(w.s.stall / 4)
	defer stallCheck.Stop()
	keepAlive := time.NewTicker(w.keepAliveEvery)
	defer keepAlive.Stop()
	for {
		changed, complete := w.d.q.watch()
		if complete {
			return nil
		}
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
		case <-changed:
		case r := <-reads:
			err = w.handle(r)
		case <-stallCheck.C: // waiting while others fetch what this peer has is no stall
			if !w.s.choked && len(w.s.pieces) == 0 && w.d.q.wants(w.s.has.Has) {
				w.s.lastBlock = time.Now()
			}
			err = w.s.checkStall()
		case <-keepAlive.C:
			err = w.s.conn.WriteMessages(nil)
		}
		if err != nil {
			return err
		}
	}
}

// read is one message, or the error that ends the reads, after the messages
// before it: a peer that sends its last block and closes delivered it.
type read struct {
	msg *peer.Message
	err error
}

// readMessages starts the reader goroutine. stop closes the connection,
// which ends a read in progress, and waits for the reader to end.
func (w *worker) readMessages() (<-chan read, func()) {
	reads := make(chan read, 16)
	go func() {
		defer close(reads)
		for {
			msg, err := w.s.conn.ReadMessage()
			reads <- read{msg, err}
			if err != nil {
				return
			}
		}
	}()
	return reads, func() {
		w.s.conn.Close()
		for range reads { // unblocks the reader until it ends
		}
	}
}

// request takes pieces from the queue until their missing blocks fill the
// pipeline, then has the session send the requests. Each piece holds a
// buffer of its size, so a worker holds the pieces its pipeline spans, +1.
func (w *worker) request() error {
	missing := 0 // blocks in flight or not asked for
	for _, p := range w.s.pieces {
		missing += len(p.blocks) - p.received
	}
	info := &w.d.m.Info
	maxPieces := int((int64(w.s.depth)*peer.BlockSize+info.PieceLength-1)/info.PieceLength) + 1
	for !w.s.choked && missing < w.s.depth && len(w.s.pieces) < maxPieces {
		index, ok := w.d.q.pick(w.s.has.Has, func(index int) bool {
			return slices.ContainsFunc(w.s.pieces, func(p *piece) bool { return p.index == index })
		})
		if !ok {
			break
		}
		p := newPiece(index, int(info.PieceSize(index)))
		w.s.pieces = append(w.s.pieces, p)
		missing += len(p.blocks)
	}
	return w.s.request()
}

func (w *worker) handle(r read) error {
	if r.err != nil {
		return fmt.Errorf("read: %w", r.err)
	}
	p, err := w.s.handle(r.msg)
	if err != nil || p == nil {
		return err
	}
	return w.verify(p)
}

// verify checks a complete piece's SHA-1 and writes it; a wrong piece drops
// the peer (it sent bad data once and will again). Only then does the piece
// go back to the queue, or the queue would count it as waiting for a peer.
func (w *worker) verify(p *piece) error {
	defer func() {
		w.s.pieces = slices.DeleteFunc(w.s.pieces, func(a *piece) bool { return a == p })
		w.d.q.release(p.index)
	}()
	if err := p.verify(w.d.m.Info.PieceHash(p.index)); err != nil {
		return err
	}
	if err := w.d.store.writePiece(p.index, p.buf); err != nil {
		return w.d.diskFailed(err)
	}
	if w.d.q.finish(p.index) { // in the endgame another peer may have been first
		w.d.progress(int64(len(p.buf)))
	}
	w.delivered++
	return nil
}

// dropFinished drops the pieces another worker finished first (endgame)
// and cancels their requests: the peer need not send them.
func (w *worker) dropFinished() error {
	var cancels []*peer.Message
	w.s.pieces = slices.DeleteFunc(w.s.pieces, func(p *piece) bool {
		if !w.d.q.isDone(p.index) {
			return false
		}
		for b, st := range p.blocks {
			if st == blockRequested {
				cancels = append(cancels, peer.NewCancel(p.index, b*peer.BlockSize, p.blockLen(b)))
			}
		}
		w.d.q.release(p.index)
		return true
	})
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
