package metadata

import (
	"context"
	"errors"
	"fmt"
	"time"

	"workbook/stage19_magnet_download/extension"
	"workbook/stage19_magnet_download/peer"
)

// ErrStalled is the error when a peer sends no metadata piece for the
// connection's read limit (peer.Timeouts.Read).
var ErrStalled = errors.New("peer sent no metadata")

// Fetch asks p for every piece of the metadata of infoHash at once and
// returns the metadata once it is complete and its SHA-1 is infoHash.
// Without a metadata_size it asks for piece 0 first and learns the size
// from the answer. A reject, a bad or unasked-for piece, a wrong hash or
// ctx ending stops it with an error; so does no piece within the
// connection's read limit. Other messages (bitfield, have, keep-alives,
// other extensions) are ignored. Fetch does not close p.Conn, but ctx
// ending does, to stop a read in progress.
func Fetch(ctx context.Context, p Peer, infoHash [20]byte) ([]byte, error) {
	stop := context.AfterFunc(ctx, func() { p.Conn.Close() })
	defer stop()
	p.Conn.MaxMessage = max(p.Conn.MaxMessage, MaxMessageLength)
	f := fetch{Peer: p, infoHash: infoHash, lastPiece: time.Now()}
	if err := f.start(); err != nil {
		return nil, err
	}
	for {
		m, err := p.Conn.ReadMessage()
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		if err != nil {
			return nil, fmt.Errorf("metadata: %w", err)
		}
		data, err := f.handle(m)
		if data != nil || err != nil {
			return data, err
		}
		if idle := time.Since(f.lastPiece); idle > p.Conn.Timeouts.Read {
			return nil, fmt.Errorf("%w for %v", ErrStalled, idle.Round(time.Millisecond))
		}
	}
}

// fetch is the state of one Fetch: what we asked for and what came.
type fetch struct {
	Peer
	infoHash  [20]byte
	asm       *Assembler // nil until the size is known
	requested []bool
	lastPiece time.Time
}

// start sends the first requests: all of them when the size is known.
func (f *fetch) start() error {
	if f.Size == 0 {
		return f.request(0, 1)
	}
	var err error
	if f.asm, err = NewAssembler(f.infoHash, f.Size); err != nil {
		return err
	}
	return f.request(0, f.asm.NumPieces())
}

// request asks for pieces from to to-1, and remembers that it did.
func (f *fetch) request(from, to int) error {
	f.requested = append(f.requested, make([]bool, to-len(f.requested))...)
	for i := from; i < to; i++ {
		f.requested[i] = true
	}
	return f.RequestPieces(from, to)
}

// handle acts on one peer message and returns the metadata once complete.
func (f *fetch) handle(m *peer.Message) ([]byte, error) {
	if m == nil || m.ID != extension.MessageID || len(m.Payload) == 0 || m.Payload[0] != f.OurID {
		return nil, nil // keep-alives, BEP 3 messages, other extensions
	}
	msg, err := ParseMessage(m.Payload[1:])
	if err != nil {
		return nil, err
	}
	switch msg.Type {
	case MsgReject:
		return nil, fmt.Errorf("%w: piece %d", ErrRejected, msg.Piece)
	case MsgRequest: // we have no metadata to give (BEP 9: say so)
		return nil, f.Conn.WriteMessages(extended(f.TheirID, Reject(msg.Piece)))
	case MsgData:
		return f.data(msg)
	}
	return nil, nil // an unknown msg_type: BEP 9 says ignore it
}

// data stores one piece; the first one tells the size when the handshake
// did not.
func (f *fetch) data(msg Message) ([]byte, error) {
	if msg.Piece >= len(f.requested) || !f.requested[msg.Piece] {
		return nil, fmt.Errorf("%w: piece %d, which we did not ask for", ErrBadMessage, msg.Piece)
	}
	if f.asm == nil {
		var err error
		if f.asm, err = NewAssembler(f.infoHash, msg.TotalSize); err != nil {
			return nil, err
		}
		if err := f.request(1, f.asm.NumPieces()); err != nil {
			return nil, err
		}
	}
	complete, err := f.asm.Add(msg)
	if err != nil || !complete {
		f.lastPiece = time.Now()
		return nil, err
	}
	return f.asm.Metadata()
}
