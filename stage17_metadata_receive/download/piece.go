package download

import (
	"context"
	"crypto/sha1"
	"errors"
	"fmt"

	"workbook/stage17_metadata_receive/peer"
	"workbook/stage17_metadata_receive/torrent"
)

// ErrHashMismatch is wrapped by the error for a piece whose SHA-1 is not the
// one in the torrent: the peer sent bad data and should be dropped.
var ErrHashMismatch = errors.New("piece hash mismatch")

// blockState is where one block of a piece is.
type blockState uint8

const (
	blockWanted    blockState = iota // not asked for (or asked, then choked)
	blockRequested                   // asked for, not here yet
	blockReceived                    // here
)

// piece is one piece in progress: its buffer and each block's state. Only a
// requested block is ever written into buf.
type piece struct {
	index    int
	buf      []byte
	blocks   []blockState
	received int
}

func newPiece(index, size int) *piece {
	return &piece{index: index, buf: make([]byte, size), blocks: make([]blockState, (size+peer.BlockSize-1)/peer.BlockSize)}
}

// blockLen is the length of block b: BlockSize, except the piece's last
// block, which gets what is left.
func (p *piece) blockLen(b int) int { return min(peer.BlockSize, len(p.buf)-b*peer.BlockSize) }

func (p *piece) complete() bool { return p.received == len(p.blocks) }

// requests appends requests for up to n wanted blocks to batch and marks
// them requested.
func (p *piece) requests(batch []*peer.Message, n int) []*peer.Message {
	for b, st := range p.blocks {
		if n <= 0 {
			break
		}
		if st == blockWanted {
			p.blocks[b] = blockRequested
			batch = append(batch, peer.NewRequest(p.index, b*peer.BlockSize, p.blockLen(b)))
			n--
		}
	}
	return batch
}

// store copies a block into the piece if we requested it (so it is at a
// block boundary, of the block's length) and reports whether it did.
func (p *piece) store(begin int, data []byte) bool {
	b := begin / peer.BlockSize
	if begin%peer.BlockSize != 0 || b >= len(p.blocks) || p.blocks[b] != blockRequested || len(data) != p.blockLen(b) {
		return false
	}
	copy(p.buf[begin:], data)
	p.blocks[b] = blockReceived
	p.received++
	return true
}

// unrequest marks the requested blocks wanted again (a choke dropped them).
func (p *piece) unrequest() {
	for b, st := range p.blocks {
		if st == blockRequested {
			p.blocks[b] = blockWanted
		}
	}
}

// verify checks the complete piece against its SHA-1 from the torrent.
func (p *piece) verify(hash [20]byte) error {
	if got := sha1.Sum(p.buf); got != hash {
		return fmt.Errorf("piece %d: %w: got %x, want %x", p.index, ErrHashMismatch, got, hash)
	}
	return nil
}

// Piece downloads piece index of m from conn, a fresh connection past the
// handshake, and returns it once its SHA-1 matches. It fails when the peer
// breaks the protocol (ErrProtocol), sends a bad piece (ErrHashMismatch) or
// no block we asked for within conn.Timeouts.Read (ErrStalled). A cancelled
// ctx closes the connection.
func Piece(ctx context.Context, conn *peer.Conn, m *torrent.Metainfo, index int) ([]byte, error) {
	if index < 0 || index >= m.Info.NumPieces() {
		return nil, fmt.Errorf("piece %d out of range: the torrent has %d pieces", index, m.Info.NumPieces())
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	s := newSession(conn, m.Info.NumPieces())
	p := newPiece(index, int(m.Info.PieceSize(index)))
	s.pieces = []*piece{p}
	for !p.complete() {
		if s.has.Has(index) {
			if err := s.sendInterested(); err != nil {
				return nil, failed(ctx, err)
			}
		}
		if err := s.request(); err != nil {
			return nil, failed(ctx, err)
		}
		msg, err := conn.ReadMessage()
		if err != nil {
			return nil, failed(ctx, err)
		}
		if _, err := s.handle(msg); err != nil {
			return nil, err
		}
		if err := s.checkStall(); err != nil {
			return nil, fmt.Errorf("piece %d: %w", index, err)
		}
	}
	if err := p.verify(m.Info.PieceHash(index)); err != nil {
		return nil, err
	}
	return p.buf, nil
}

// failed explains a read or write error: Ctrl-C rather than the closed
// connection it caused.
func failed(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return err
}
