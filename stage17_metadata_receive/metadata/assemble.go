package metadata

import (
	"crypto/sha1"
	"errors"
	"fmt"

	"workbook/stage17_metadata_receive/extension"
)

// Why a peer's metadata is refused (besides ErrBadMessage). Either way the
// peer is dropped: another may send the right bytes.
var (
	ErrHashMismatch = errors.New("metadata hash mismatch")
	ErrRejected     = errors.New("peer rejected the metadata request")
)

// Assembler collects the pieces of the metadata of one torrent, by index,
// and checks the whole against the info hash.
type Assembler struct {
	infoHash [20]byte
	buf      []byte // the metadata, len(buf) == its total size
	have     []bool // which pieces are in buf
	missing  int
}

// NewAssembler starts assembling size bytes of metadata for infoHash; size
// is the peer's metadata_size or the first data message's total_size, and
// must be 1 to extension.MaxMetadataSize (the cap on a peer's
// metadata_size): nothing a peer says makes us allocate more.
func NewAssembler(infoHash [20]byte, size int64) (*Assembler, error) {
	if size <= 0 || size > extension.MaxMetadataSize {
		return nil, fmt.Errorf("%w: metadata size %d out of range (1 to %d)", ErrBadMessage, size, extension.MaxMetadataSize)
	}
	n := NumPieces(size)
	return &Assembler{infoHash: infoHash, buf: make([]byte, size), have: make([]bool, n), missing: n}, nil
}

// NumPieces is how many pieces size bytes of metadata come in.
func NumPieces(size int64) int { return int((size + PieceSize - 1) / PieceSize) }

// Size is the metadata's size in bytes.
func (a *Assembler) Size() int64 { return int64(len(a.buf)) }

// NumPieces is how many pieces the metadata comes in.
func (a *Assembler) NumPieces() int { return len(a.have) }

// pieceSize is the length of piece i: PieceSize, or less for the last.
func (a *Assembler) pieceSize(i int) int {
	return min(PieceSize, len(a.buf)-i*PieceSize)
}

// Add stores the piece of a data message. The message must agree with what
// came before: the same total_size, a piece in range and not yet here, of
// exactly its piece's length. It reports whether every piece is in.
func (a *Assembler) Add(m Message) (complete bool, err error) {
	switch {
	case m.Type != MsgData:
		return false, fmt.Errorf("%w: %v, want data", ErrBadMessage, m.Type)
	case m.TotalSize != a.Size():
		return false, fmt.Errorf("%w: total_size %d, but the metadata is %d bytes", ErrBadMessage, m.TotalSize, a.Size())
	case m.Piece < 0 || m.Piece >= a.NumPieces():
		return false, fmt.Errorf("%w: piece %d out of range (%d pieces)", ErrBadMessage, m.Piece, a.NumPieces())
	case a.have[m.Piece]:
		return false, fmt.Errorf("%w: piece %d twice", ErrBadMessage, m.Piece)
	case len(m.Data) != a.pieceSize(m.Piece):
		return false, fmt.Errorf("%w: piece %d has %d bytes, want %d", ErrBadMessage, m.Piece, len(m.Data), a.pieceSize(m.Piece))
	}
	copy(a.buf[m.Piece*PieceSize:], m.Data)
	a.have[m.Piece] = true
	a.missing--
	return a.missing == 0, nil
}

// Metadata returns the complete metadata once its SHA-1 is the info hash:
// then it is the info dictionary the magnet link names, byte for byte,
// whichever peer sent it.
func (a *Assembler) Metadata() ([]byte, error) {
	if a.missing > 0 {
		return nil, fmt.Errorf("metadata incomplete: %d of %d pieces missing", a.missing, a.NumPieces())
	}
	if got := sha1.Sum(a.buf); got != a.infoHash {
		return nil, fmt.Errorf("%w: got %x, want %x", ErrHashMismatch, got, a.infoHash)
	}
	return a.buf, nil
}
