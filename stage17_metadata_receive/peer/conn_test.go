package peer_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"workbook/stage17_metadata_receive/peer"
	"workbook/testkit/swarm"
	"workbook/testkit/torrentfile"
)

// checkLeaks fails the test if a goroutine it started outlives it. Call it
// first: cleanups run last-in first-out, so the check runs after the fake
// peers have been closed.
func checkLeaks(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
}

func TestDial(t *testing.T) {
	checkLeaks(t)
	tor := torrentfile.Sample(t)
	seeder := swarm.Start(t, swarm.FromTorrent(tor), swarm.Options{})

	conn, err := peer.Dial(context.Background(), seeder.Addr(), tor.InfoHash, testPeerID, peer.Timeouts{})
	require.NoError(t, err)
	defer conn.Close()

	require.Equal(t, seeder.PeerID(), conn.PeerID, "Conn.PeerID is the id from the peer's handshake")
	got := seeder.Handshakes()
	require.Len(t, got, 1)
	require.Equal(t, swarm.Handshake{Protocol: peer.Protocol, InfoHash: tor.InfoHash, PeerID: testPeerID}, got[0],
		"the seeder must receive our info hash, our peer id and zero reserved bytes")
}

// TestDialFaults meets every way a fake peer can spoil the handshake.
func TestDialFaults(t *testing.T) {
	tor := torrentfile.Sample(t)
	wrong := tor.InfoHash
	wrong[0] ^= 0xFF // what the WrongInfoHash seeder answers
	tests := []struct {
		fault   swarm.Fault
		wantIs  error // nil: the handshake succeeds
		wantErr string
	}{
		{fault: swarm.WrongInfoHash, wantIs: peer.ErrInfoHashMismatch, wantErr: fmt.Sprintf("info hash mismatch: peer answered for %x, we asked for %x", wrong, tor.InfoHash)},
		{fault: swarm.WrongProtocol, wantIs: peer.ErrNotBitTorrent, wantErr: `not a BitTorrent handshake: protocol "BitTorrent Protocol"`},
		{fault: swarm.ShortHandshake, wantIs: io.ErrUnexpectedEOF, wantErr: "short handshake: peer closed the connection after 40 of 68 bytes"},
		{fault: swarm.NoHandshakeReply, wantIs: context.DeadlineExceeded, wantErr: "context deadline exceeded"},
		{fault: swarm.CloseBeforeHandshake, wantIs: io.EOF, wantErr: "peer closed the connection without a handshake"},
		{fault: swarm.ResetBeforeHandshake, wantIs: syscall.ECONNRESET, wantErr: "read handshake (0 of 68 bytes): read tcp "},
		{fault: swarm.CloseAfterHandshake},
		{fault: swarm.ResetAfterHandshake},
	}
	for _, tc := range tests {
		t.Run(tc.fault.String(), func(t *testing.T) {
			checkLeaks(t)
			seeder := swarm.Start(t, swarm.FromTorrent(tor), swarm.Options{Fault: tc.fault})
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()

			start := time.Now()
			conn, err := peer.Dial(ctx, seeder.Addr(), tor.InfoHash, testPeerID, peer.Timeouts{})
			if tc.wantIs == nil {
				require.NoError(t, err, "the handshake itself is complete; the peer leaves afterwards")
				require.Equal(t, seeder.PeerID(), conn.PeerID)
				require.NoError(t, conn.Close())
				return
			}
			require.ErrorIs(t, err, tc.wantIs)
			require.ErrorContains(t, err, "handshake with "+seeder.Addr()+": "+tc.wantErr)
			require.Less(t, time.Since(start), 2*time.Second, "a bad peer must not hold us past our deadline")
		})
	}
}

func TestDialNobodyListening(t *testing.T) {
	checkLeaks(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	_, err = peer.Dial(context.Background(), addr, testInfoHash, testPeerID, peer.Timeouts{})
	require.ErrorContains(t, err, "connect to "+addr+": ")
	require.ErrorContains(t, err, "connection refused")
}

func TestDialCancelled(t *testing.T) {
	checkLeaks(t)
	tor := torrentfile.Sample(t)
	seeder := swarm.Start(t, swarm.FromTorrent(tor), swarm.Options{Fault: swarm.NoHandshakeReply})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)

	start := time.Now()
	_, err := peer.Dial(ctx, seeder.Addr(), tor.InfoHash, testPeerID, peer.Timeouts{})
	require.ErrorIs(t, err, context.Canceled, "Ctrl-C must end the wait for a silent peer")
	require.Less(t, time.Since(start), time.Second)
}
