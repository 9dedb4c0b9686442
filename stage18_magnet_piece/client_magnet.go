package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"

	"workbook/stage18_magnet_piece/extension"
	"workbook/stage18_magnet_piece/magnet"
	"workbook/stage18_magnet_piece/peer"
	"workbook/stage18_magnet_piece/tracker"
)

// unknownLeft is the `left` a magnet link's announce sends. The real
// length is in the metadata, which only peers can give us; but `left` is
// required, and left=0 means "I am a seeder": some trackers (the course's
// among them) refuse it, others list no seeders to a seeder. 1 says what
// is true: something is still missing.
const unknownLeft = 1

// magnetRun is what every magnet command starts from: the link, our peer
// id for this run, and the time limits for each peer.
type magnetRun struct {
	link     *magnet.Link
	peerID   [20]byte
	timeouts peer.Timeouts
}

// startMagnetRun parses the link, makes a fresh peer id and reads
// peerTimeoutEnv.
func startMagnetRun(link string) (magnetRun, error) {
	l, err := magnet.Parse(link)
	if err != nil {
		return magnetRun{}, err
	}
	peerID, timeouts, err := peerSetup()
	return magnetRun{link: l, peerID: peerID, timeouts: timeouts}, err
}

// peers returns the link's own peers (x.pe), then those its trackers list.
func (r magnetRun) peers(ctx context.Context, stderr io.Writer) ([]netip.AddrPort, error) {
	peers := slices.Clone(r.link.Peers)
	if len(r.link.Trackers) == 0 {
		if len(peers) == 0 {
			return nil, errors.New("the magnet link has no tracker (tr) and no peer (x.pe): nothing to ask (this client has no DHT)")
		}
		return peers, nil
	}
	found, err := announceTiers(ctx, r.link.Tiers(), tracker.Params{
		InfoHash: r.link.InfoHash, PeerID: r.peerID, Port: announcePort, Left: unknownLeft,
	}, stderr)
	if err != nil {
		return nil, err
	}
	return append(peers, found...), nil
}

// magnetPeer is a peer past both handshakes, BitTorrent's and the
// extension protocol's, that speaks ut_metadata.
type magnetPeer struct {
	*peer.Conn
	ext        extension.Handshake // what it speaks; its metadata_size
	utMetadata uint8               // the id it wants ut_metadata messages sent under
}

// connectAny connects to the peers in turn and returns the first that
// completes both handshakes. The error of the last one tried says why none
// did.
func (r magnetRun) connectAny(ctx context.Context, stderr io.Writer) (*magnetPeer, error) {
	peers, err := r.peers(ctx, stderr)
	if err != nil {
		return nil, err
	}
	if len(peers) == 0 {
		return nil, errors.New("the tracker lists no peers for this info hash")
	}
	var last error
	for _, addr := range peers {
		conn, err := r.connect(ctx, addr)
		if err == nil {
			return conn, nil
		}
		if ctx.Err() != nil {
			return nil, err // cancelled: trying the next peer is pointless
		}
		last = err
	}
	if len(peers) == 1 {
		return nil, last
	}
	return nil, fmt.Errorf("none of the %d peers completed a handshake; the last: %w", len(peers), last)
}

// connect shakes hands with the peer at addr, announcing the extension
// protocol (BEP 10) in our reserved bytes: without it a peer may not send
// us the metadata. Then both sides send their extension handshakes; the
// peer must speak ut_metadata (BEP 9).
func (r magnetRun) connect(ctx context.Context, addr netip.AddrPort) (*magnetPeer, error) {
	ours := peer.Handshake{Reserved: extension.Reserved(), InfoHash: r.link.InfoHash, PeerID: r.peerID}
	conn, err := peer.DialHandshake(ctx, addr.String(), ours, r.timeouts)
	if err != nil {
		return nil, err
	}
	p, err := extensionHandshakes(conn)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("peer %s: %w", addr, err)
	}
	return p, nil
}

// extensionHandshakes sends ours and reads the peer's.
func extensionHandshakes(conn *peer.Conn) (*magnetPeer, error) {
	if !extension.Supported(conn.Reserved) {
		return nil, fmt.Errorf("%w: the peer does not speak the extension protocol (BEP 10): reserved bytes % x, no 0x10 in byte 5",
			extension.ErrNotSupported, conn.Reserved)
	}
	if err := sendExtensionHandshake(conn); err != nil {
		return nil, err
	}
	theirs, err := extension.ReadHandshake(conn)
	if err != nil {
		return nil, err
	}
	id, err := theirs.ExtendedID(extension.UTMetadata)
	if err != nil {
		return nil, err
	}
	return &magnetPeer{Conn: conn, ext: theirs, utMetadata: id}, nil
}

// utMetadataID is the extended message id we ask peers to send their
// ut_metadata messages (BEP 9) to us under. It is ours to choose, 1-255;
// the peer chooses its own in its handshake, which is why the two
// directions of one connection use different ids.
const utMetadataID = 1

// clientVersion is the v of our extension handshake: our name and version,
// as the peer id prefix -WB0001- says them.
const clientVersion = "workbook/0.0.1"

// sendExtensionHandshake sends our extension handshake (BEP 10): we speak
// ut_metadata.
func sendExtensionHandshake(conn *peer.Conn) error {
	ours := extension.Handshake{M: map[string]int{extension.UTMetadata: utMetadataID}, V: clientVersion}
	m, err := ours.Message()
	if err != nil {
		return err
	}
	return conn.WriteMessages(m)
}
