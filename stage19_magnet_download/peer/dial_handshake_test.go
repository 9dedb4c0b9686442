package peer_test

import (
	"context"
	"io"
	"net"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/stage19_magnet_download/peer"
	"workbook/testkit/swarm"
	"workbook/testkit/torrentfile"
)

// TestDialHandshakeSendsOurReservedBytes: the reserved bytes we give are
// the ones the peer receives, and Conn.Reserved is what the peer sent.
func TestDialHandshakeSendsOurReservedBytes(t *testing.T) {
	checkLeaks(t)
	tor := torrentfile.Sample(t)
	seeder := swarm.Start(t, swarm.FromTorrent(tor), swarm.Options{})
	ours := peer.Handshake{Reserved: [8]byte{0, 0, 0, 0, 0, 0x10, 0, 0}, InfoHash: tor.InfoHash, PeerID: testPeerID}

	conn, err := peer.DialHandshake(context.Background(), seeder.Addr(), ours, peer.Timeouts{})
	require.NoError(t, err)
	defer conn.Close()

	require.Equal(t, seeder.PeerID(), conn.PeerID)
	require.Equal(t, [8]byte{0, 0, 0, 0, 0, 0x10, 0, 0}, conn.Reserved, "the fake seeders speak BEP 10 and say so")
	got := seeder.Handshakes()
	require.Len(t, got, 1)
	require.Equal(t, swarm.Handshake{Protocol: peer.Protocol, Reserved: ours.Reserved, InfoHash: tor.InfoHash, PeerID: testPeerID}, got[0])
}

// TestDialKeepsThePeersReservedBytes: a peer's reserved bytes, whatever
// bits they hold, are kept as they came, for the caller to read.
func TestDialKeepsThePeersReservedBytes(t *testing.T) {
	checkLeaks(t)
	var infoHash [20]byte
	copy(infoHash[:], "an info hash of 20 b")
	for _, reserved := range [][8]byte{
		{},                             // plain BEP 3
		{0, 0, 0, 0, 0, 0x10, 0, 0x04}, // aria2: extension protocol, Fast
		{0, 0, 0, 0, 0, 0x10, 0, 0x05}, // libtorrent: and DHT
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, // bits nobody has defined yet
	} {
		addr := answerHandshake(t, peer.Handshake{Reserved: reserved, InfoHash: infoHash, PeerID: testPeerID})
		conn, err := peer.Dial(context.Background(), addr, infoHash, testPeerID, peer.Timeouts{})
		require.NoError(t, err, "unknown reserved bits must not fail a handshake")
		require.Equal(t, reserved, conn.Reserved)
		conn.Close()
	}
}

// answerHandshake listens on 127.0.0.1 for one connection, reads a
// handshake and answers with theirs; it returns the address.
func answerHandshake(t *testing.T, theirs peer.Handshake) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	t.Cleanup(func() { ln.Close(); <-done })
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		if _, err := io.ReadFull(c, make([]byte, peer.HandshakeLen)); err != nil {
			return
		}
		b, _ := theirs.MarshalBinary()
		c.Write(b)
		io.Copy(io.Discard, c) // until the client closes
	}()
	return ln.Addr().String()
}
