package peer

import (
	"errors"
	"fmt"
	"io"
)

// Protocol is the protocol string every BitTorrent handshake starts with,
// after its length byte (BEP 3).
const Protocol = "BitTorrent protocol"

// HandshakeLen is the size of a handshake on the wire:
// 1 (pstrlen) + 19 (pstr) + 8 (reserved) + 20 (info hash) + 20 (peer id).
const HandshakeLen = 1 + len(Protocol) + 8 + 20 + 20

// Errors a handshake can fail with; callers branch on them with errors.Is.
var (
	// ErrNotBitTorrent: the reply is not a BitTorrent handshake (wrong
	// length byte or protocol string), perhaps not a BitTorrent peer at all.
	ErrNotBitTorrent = errors.New("not a BitTorrent handshake")
	// ErrInfoHashMismatch: the peer answered for another torrent.
	ErrInfoHashMismatch = errors.New("info hash mismatch")
)

// Handshake is the first message each side sends (BEP 3):
//
//	19 "BitTorrent protocol" | 8 reserved bytes | info hash (20) | peer id (20)
//
// Reserved bits announce extensions (BEP 10 sets bit 20, the Fast extension
// bit 2 of the last byte). Dial sends zeros; the magnet commands set BEP
// 10's bit (package extension).
type Handshake struct {
	Reserved [8]byte
	InfoHash [20]byte
	PeerID   [20]byte
}

// MarshalBinary returns the 68 bytes of h on the wire.
func (h Handshake) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, HandshakeLen)
	b = append(b, byte(len(Protocol)))
	b = append(b, Protocol...)
	b = append(b, h.Reserved[:]...)
	b = append(b, h.InfoHash[:]...)
	b = append(b, h.PeerID[:]...)
	return b, nil
}

// ReadHandshake reads one handshake from r. It reads with io.ReadFull,
// because TCP may deliver the 68 bytes in several pieces, and checks the
// length byte and protocol string as soon as they are in (an error wrapping
// ErrNotBitTorrent), so a program that is not a BitTorrent peer is named as such
// even when it sends less than a handshake. A peer that hangs up early gives
// io.EOF (nothing sent) or io.ErrUnexpectedEOF (part of a handshake), wrapped
// with how much arrived.
func ReadHandshake(r io.Reader) (Handshake, error) {
	var buf [HandshakeLen]byte
	head := buf[:1+len(Protocol)] // pstrlen and pstr
	if n, err := io.ReadFull(r, head); err != nil {
		return Handshake{}, readError(n, err)
	}
	if pstrlen := int(head[0]); pstrlen != len(Protocol) {
		return Handshake{}, fmt.Errorf("%w: first byte %d, want %d (the length of %q)", ErrNotBitTorrent, pstrlen, len(Protocol), Protocol)
	}
	if pstr := string(head[1:]); pstr != Protocol {
		return Handshake{}, fmt.Errorf("%w: protocol %q, want %q", ErrNotBitTorrent, pstr, Protocol)
	}
	rest := buf[len(head):] // reserved, info hash, peer id
	if n, err := io.ReadFull(r, rest); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF // part of a handshake came
		}
		return Handshake{}, readError(len(head)+n, err)
	}
	var h Handshake
	copy(h.Reserved[:], rest[0:8])
	copy(h.InfoHash[:], rest[8:28])
	copy(h.PeerID[:], rest[28:48])
	return h, nil
}

// readError says how a handshake read ended after n bytes.
func readError(n int, err error) error {
	switch {
	case errors.Is(err, io.EOF):
		return fmt.Errorf("peer closed the connection without a handshake: %w", err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("short handshake: peer closed the connection after %d of %d bytes: %w", n, HandshakeLen, err)
	}
	return fmt.Errorf("read handshake (%d of %d bytes): %w", n, HandshakeLen, err)
}
