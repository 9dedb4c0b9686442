package download

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"workbook/stage11_download/peer"
	"workbook/stage11_download/torrent"
)

// PeerOptions set how PieceFromPeers talks to each peer.
type PeerOptions struct {
	PeerID [20]byte // this client's id (peer.NewID)
	// HandshakeTimeout bounds connect + handshake with one peer
	// (0: peer.DialTimeout + peer.HandshakeTimeout).
	HandshakeTimeout time.Duration
	// ReadTimeout bounds each wait for a message (0: peer.DefaultReadTimeout).
	ReadTimeout time.Duration
	// Log, when set, gets a line for each peer that failed.
	Log io.Writer
}

// PeersError is the error when no peer delivered: what went wrong with
// each, in the order they were tried.
type PeersError struct {
	Index int
	Peers []netip.AddrPort
	Errs  []error
}

func (e *PeersError) Error() string {
	if len(e.Peers) == 0 {
		return fmt.Sprintf("piece %d: no peers to download from", e.Index)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "piece %d: all %d peers failed", e.Index, len(e.Peers))
	for i, p := range e.Peers {
		fmt.Fprintf(&b, "; %v: %v", p, e.Errs[i])
	}
	return b.String()
}

// Unwrap lets errors.Is see each peer's error.
func (e *PeersError) Unwrap() []error { return e.Errs }

// PieceFromPeers downloads piece index of m from the first of peers that
// delivers it, trying them one after another: a peer that cannot be
// reached, breaks the protocol, sends a bad piece or stalls is closed and
// the next one tried. The error, when all fail, is a *PeersError.
func PieceFromPeers(ctx context.Context, m *torrent.Metainfo, index int, peers []netip.AddrPort, opts PeerOptions) ([]byte, error) {
	if index < 0 || index >= m.Info.NumPieces() {
		return nil, fmt.Errorf("piece %d out of range: the torrent has %d pieces", index, m.Info.NumPieces())
	}
	failed := &PeersError{Index: index}
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
		failed.Peers = append(failed.Peers, addr)
		failed.Errs = append(failed.Errs, err)
	}
	return nil, failed
}

// pieceFrom downloads the piece from one peer, on a connection of its own.
func pieceFrom(ctx context.Context, m *torrent.Metainfo, index int, addr netip.AddrPort, opts PeerOptions) ([]byte, error) {
	dialCtx, cancel := ctx, context.CancelFunc(func() {})
	if opts.HandshakeTimeout > 0 {
		dialCtx, cancel = context.WithTimeoutCause(ctx, opts.HandshakeTimeout,
			fmt.Errorf("no handshake within %v: %w", opts.HandshakeTimeout, context.DeadlineExceeded))
	}
	conn, err := peer.Dial(dialCtx, addr.String(), m.InfoHash, opts.PeerID)
	cancel()
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	conn.ReadTimeout = opts.ReadTimeout
	return Piece(ctx, conn, m, index)
}
