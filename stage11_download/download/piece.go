package download

import (
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"time"

	"workbook/stage11_download/peer"
	"workbook/stage11_download/torrent"
)

// PipelineDepth is how many block requests we keep in flight to one peer.
//
// Asking for one block and waiting for it leaves the link idle for a round
// trip each time: at 50 ms round trip that is 20 blocks a second, 320 KiB/s,
// however fast the line. To keep a link busy the requests in flight must
// cover its bandwidth-delay product: 100 Mbit/s x 50 ms = 625 KB, about 38
// blocks; 1 Gbit/s x 10 ms = 1.25 MB, about 76. The course suggests 5, which
// fills only 80 KiB: fine on loopback, slow on a real network. Real clients
// keep more and adapt the number to the measured rate (libtorrent starts
// near 500). 64 blocks = 1 MiB stays under the 250 requests libtorrent
// queues per peer by default (BEP 10 `reqq`), beyond which it may drop them.
const PipelineDepth = 64

// ErrHashMismatch is wrapped by the error for a piece whose SHA-1 is not the
// one in the torrent: the peer sent bad data and should be dropped.
var ErrHashMismatch = errors.New("piece hash mismatch")

// Piece downloads piece index of m from conn: a fresh connection, just past
// the handshake. See Session.Piece.
func Piece(ctx context.Context, conn *peer.Conn, m *torrent.Metainfo, index int) ([]byte, error) {
	if index < 0 || index >= m.Info.NumPieces() {
		return nil, fmt.Errorf("piece %d out of range: the torrent has %d pieces", index, m.Info.NumPieces())
	}
	s := NewSession(conn, m.Info.NumPieces())
	return s.Piece(ctx, index, int(m.Info.PieceSize(index)), m.Info.PieceHash(index))
}

// blockState is where one block of a piece is.
type blockState uint8

const (
	blockWanted    blockState = iota // not asked for (or asked, then choked)
	blockRequested                   // asked for, not here yet
	blockReceived                    // here
)

// Piece downloads piece index (size bytes) block by block and returns it
// once its SHA-1 is hash. It says interested once the peer has the piece,
// keeps up to PipelineDepth requests in flight while unchoked, requests
// again what a choke dropped, and ignores blocks it did not ask for (other
// pieces, odd offsets or lengths, duplicates). It fails when the peer
// breaks the protocol, sends a piece that does not match its hash, or gives
// nothing useful for the connection's read timeout. A cancelled ctx closes
// the connection.
func (s *Session) Piece(ctx context.Context, index, size int, hash [20]byte) ([]byte, error) {
	stop := context.AfterFunc(ctx, func() { s.Conn.Close() })
	defer stop()
	p := newPieceJob(index, size)
	patience := s.Conn.ReadTimeout
	if patience == 0 {
		patience = peer.DefaultReadTimeout
	}
	lastProgress := time.Now()
	for p.received < len(p.blocks) {
		if err := s.ask(p); err != nil {
			return nil, s.failed(ctx, err)
		}
		m, err := s.Conn.ReadMessage()
		if err != nil {
			return nil, s.failed(ctx, err)
		}
		if err := s.Handle(m); err != nil {
			return nil, err
		}
		progress, err := p.handle(m)
		if err != nil {
			return nil, err
		}
		if progress {
			lastProgress = time.Now()
		} else if time.Since(lastProgress) > patience {
			// Keep-alives, chokes and stray blocks are not progress.
			return nil, fmt.Errorf("piece %d: nothing useful from the peer for %v (choked: %v)", index, patience, s.Choked)
		}
	}
	if got := sha1.Sum(p.buf); got != hash {
		return nil, fmt.Errorf("piece %d: %w: got %x, want %x", index, ErrHashMismatch, got, hash)
	}
	return p.buf, nil
}

// ask says interested once the peer has the piece and, while unchoked,
// tops the requests in flight up to PipelineDepth.
func (s *Session) ask(p *pieceJob) error {
	if !s.Has.Has(p.index) {
		return nil // wait for its bitfield or a have
	}
	if err := s.SendInterested(); err != nil {
		return err
	}
	if s.Choked {
		return nil // wait for unchoke
	}
	if reqs := p.requests(PipelineDepth); len(reqs) > 0 {
		return s.Conn.WriteMessages(reqs...)
	}
	return nil
}

// failed explains a read or write error: Ctrl-C rather than the closed
// connection it caused.
func (s *Session) failed(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return err
}

// pieceJob collects the blocks of one piece.
type pieceJob struct {
	index    int
	buf      []byte
	blocks   []blockState
	inFlight int
	received int
	ignored  int
}

func newPieceJob(index, size int) *pieceJob {
	return &pieceJob{
		index:  index,
		buf:    make([]byte, size),
		blocks: make([]blockState, (size+peer.BlockSize-1)/peer.BlockSize),
	}
}

// blockLen is the length of block b: BlockSize, except the piece's last
// block, which gets what is left.
func (p *pieceJob) blockLen(b int) int {
	return min(peer.BlockSize, len(p.buf)-b*peer.BlockSize)
}

// requests marks wanted blocks requested until depth are in flight and
// returns their request messages.
func (p *pieceJob) requests(depth int) []*peer.Message {
	var ms []*peer.Message
	for b := range p.blocks {
		if p.inFlight >= depth {
			break
		}
		if p.blocks[b] == blockWanted {
			p.blocks[b] = blockRequested
			p.inFlight++
			ms = append(ms, peer.NewRequest(p.index, b*peer.BlockSize, p.blockLen(b)))
		}
	}
	return ms
}

// handle acts on one message for the piece. It reports progress: a block
// we wanted, an unchoke or a have/bitfield (the state that lets us ask).
func (p *pieceJob) handle(m *peer.Message) (bool, error) {
	if m == nil {
		return false, nil
	}
	switch m.ID {
	case peer.MsgChoke:
		// BEP 3: a choke drops every request the peer had from us; ask for
		// those blocks again after the next unchoke.
		for b, st := range p.blocks {
			if st == blockRequested {
				p.blocks[b] = blockWanted
			}
		}
		p.inFlight = 0
		return false, nil
	case peer.MsgPiece:
		return p.block(m)
	case peer.MsgUnchoke, peer.MsgHave, peer.MsgBitfield:
		return true, nil
	}
	return false, nil // interested, request, cancel, extensions: nothing we need
}

// block stores a piece message's block if it is one we asked for and still
// miss. Anything else is ignored, never written: a stray block must not
// corrupt the piece.
func (p *pieceJob) block(m *peer.Message) (bool, error) {
	index, begin, data, err := peer.ParsePiece(m)
	if err != nil {
		return false, err
	}
	b := begin / peer.BlockSize
	if index != p.index || begin%peer.BlockSize != 0 || b >= len(p.blocks) ||
		p.blocks[b] != blockRequested || len(data) != p.blockLen(b) {
		p.ignored++
		// A few strays are a race (a block on the wire when we were
		// choked); more strays than blocks is a broken or hostile peer.
		if p.ignored > len(p.blocks)+PipelineDepth {
			return false, fmt.Errorf("piece %d: peer sent %d blocks we did not ask for", p.index, p.ignored)
		}
		return false, nil
	}
	copy(p.buf[begin:], data)
	p.blocks[b] = blockReceived
	p.inFlight--
	p.received++
	return true, nil
}
