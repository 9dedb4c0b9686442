package peer

import (
	"errors"
	"fmt"
)

// ErrBadBitfield is wrapped by ParseBitfield's errors. BEP 3: a peer that
// sends a bitfield of the wrong length, or with spare bits set, should be
// dropped.
var ErrBadBitfield = errors.New("bad bitfield")

// Bitfield says which pieces a peer has: one bit a piece, the high bit of
// byte 0 is piece 0.
//
//	pieces  0 1 2 3 4 5 6 7 | 8 9 . . . . . .
//	byte    1 0 1 1 0 0 0 0 | 1 1 0 0 0 0 0 0   = b0 c0
//
// The bits after the last piece ("spare bits") must be zero.
type Bitfield []byte

// NewBitfield returns an empty bitfield for numPieces pieces.
func NewBitfield(numPieces int) Bitfield {
	return make(Bitfield, (numPieces+7)/8)
}

// ParseBitfield checks a bitfield message's payload for a torrent of
// numPieces pieces: exactly ceil(numPieces/8) bytes, spare bits zero.
func ParseBitfield(payload []byte, numPieces int) (Bitfield, error) {
	if numPieces < 0 {
		return nil, fmt.Errorf("%w: negative piece count %d", ErrBadBitfield, numPieces)
	}
	if want := (numPieces + 7) / 8; len(payload) != want {
		return nil, fmt.Errorf("%w: %d bytes for %d pieces, want %d", ErrBadBitfield, len(payload), numPieces, want)
	}
	if spare := numPieces % 8; spare != 0 && payload[len(payload)-1]<<spare != 0 {
		return nil, fmt.Errorf("%w: spare bits after piece %d set (last byte %08b)", ErrBadBitfield, numPieces-1, payload[len(payload)-1])
	}
	return Bitfield(payload), nil
}

// Has reports whether piece i is set; false for any i out of range.
func (b Bitfield) Has(i int) bool {
	if i < 0 || i/8 >= len(b) {
		return false
	}
	return b[i/8]&(0x80>>(i%8)) != 0
}

// Set marks piece i; an i out of range is ignored, never a panic (callers
// check a have's index against the piece count first).
func (b Bitfield) Set(i int) {
	if i < 0 || i/8 >= len(b) {
		return
	}
	b[i/8] |= 0x80 >> (i % 8)
}
