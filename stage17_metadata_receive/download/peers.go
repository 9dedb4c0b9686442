package download

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"

	"workbook/stage17_metadata_receive/peer"
	"workbook/stage17_metadata_receive/torrent"
)

// Options set how this package talks to peers. The zero value works: every
// field has a default.
type Options struct {
	PeerID   [20]byte      // this client's id (peer.NewID)
	Timeouts peer.Timeouts // for each peer; Read is also the stall limit
	// Log, when set, gets a line for each peer that failed.
	Log      io.Writer
	MaxPeers int // how many peers Download connects to at once (default 16)
	// MaxBuffered bounds the bytes of the pieces all peers fetch at once,
	// each held whole until verified and written (default 64 MiB: 16 peers
	// x 2 pieces of 2 MiB); a piece bigger than the bound is fetched alone.
	MaxBuffered int64
	// FixedDepth, if set, keeps that many requests in flight to every peer
	// instead of sizing each peer's depth from its rate and round trip.
	FixedDepth int
	// Progress, if set, is called after every verified piece, one at a time.
	Progress func(Progress)
}

// ErrNoPeers is the error when there is no peer address at all.
var ErrNoPeers = errors.New("no peers to download from")

// PeersError is the error when every peer failed: each one's error, in the
// order they were tried.
type PeersError struct{ Errors []error }

func (e *PeersError) Error() string {
	const show = 5
	var b strings.Builder
	fmt.Fprintf(&b, "all %d peers failed", len(e.Errors))
	for i, err := range e.Errors {
		if i == show {
			fmt.Fprintf(&b, "; and %d more", len(e.Errors)-show)
			break
		}
		fmt.Fprintf(&b, "; %v", err)
	}
	return b.String()
}

// Unwrap lets errors.Is and errors.As see each peer's error.
func (e *PeersError) Unwrap() []error { return e.Errors }

// PieceFromPeers downloads piece index of m from the first of peers that
// delivers it, trying them in turn; when all fail, the error wraps a
// *PeersError.
func PieceFromPeers(ctx context.Context, m *torrent.Metainfo, index int, peers []netip.AddrPort, opts Options) ([]byte, error) {
	if index < 0 || index >= m.Info.NumPieces() {
		return nil, fmt.Errorf("piece %d out of range: the torrent has %d pieces", index, m.Info.NumPieces())
	}
	if len(peers) == 0 {
		return nil, fmt.Errorf("piece %d: %w", index, ErrNoPeers)
	}
	failed := &PeersError{}
	for _, addr := range peers {
		data, err := pieceFrom(ctx, m, index, addr, opts)
		if err == nil {
			return data, nil
		}
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, "peer %v: %v\n", addr, err)
		}
		failed.Errors = append(failed.Errors, fmt.Errorf("%v: %w", addr, err))
	}
	return nil, fmt.Errorf("piece %d: %w", index, failed)
}

// pieceFrom downloads the piece from one peer, on a connection of its own.
func pieceFrom(ctx context.Context, m *torrent.Metainfo, index int, addr netip.AddrPort, opts Options) ([]byte, error) {
	conn, err := peer.Dial(ctx, addr.String(), m.InfoHash, opts.PeerID, opts.Timeouts)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return Piece(ctx, conn, m, index)
}
