package peer_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"workbook/stage17_metadata_receive/peer"
	"workbook/testkit/swarm"
	"workbook/testkit/torrentfile"
)

func TestConnMessages(t *testing.T) {
	checkLeaks(t)
	tor := torrentfile.Sample(t) // 6 pieces
	seeder := swarm.Start(t, swarm.FromTorrent(tor), swarm.Options{})
	conn, err := peer.Dial(context.Background(), seeder.Addr(), tor.InfoHash, testPeerID, peer.Timeouts{})
	require.NoError(t, err)
	defer conn.Close()

	m, err := conn.ReadMessage()
	require.NoError(t, err)
	require.Equal(t, peer.MsgBitfield, m.ID)
	require.Equal(t, []byte{0xfc}, m.Payload, "6 pieces: six high bits")

	require.NoError(t, conn.WriteMessages(&peer.Message{ID: peer.MsgInterested}, nil))
	m, err = conn.ReadMessage()
	require.NoError(t, err)
	require.Equal(t, peer.MsgUnchoke, m.ID)

	require.NoError(t, conn.WriteMessages(peer.NewRequest(5, 0, 100)))
	m, err = conn.ReadMessage()
	require.NoError(t, err)
	index, begin, block, err := peer.ParsePiece(m)
	require.NoError(t, err)
	require.Equal(t, 5, index)
	require.Equal(t, 0, begin)
	require.Equal(t, tor.Piece(5)[:100], block)
}

func TestConnReadTimeout(t *testing.T) {
	checkLeaks(t)
	tor := torrentfile.Sample(t)
	seeder := swarm.Start(t, swarm.FromTorrent(tor), swarm.Options{Fault: swarm.NeverUnchoke})
	conn, err := peer.Dial(context.Background(), seeder.Addr(), tor.InfoHash, testPeerID, peer.Timeouts{})
	require.NoError(t, err)
	defer conn.Close()
	conn.Timeouts.Read = 100 * time.Millisecond

	_, err = conn.ReadMessage() // bitfield
	require.NoError(t, err)
	start := time.Now()
	_, err = conn.ReadMessage()
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	require.ErrorContains(t, err, "peer sent nothing for 100ms")
	require.Less(t, time.Since(start), time.Second)
}

func TestConnRefusesHugeLength(t *testing.T) {
	checkLeaks(t)
	tor := torrentfile.Sample(t)
	seeder := swarm.Start(t, swarm.FromTorrent(tor), swarm.Options{Fault: swarm.HugeLength, UnchokeEarly: true})
	conn, err := peer.Dial(context.Background(), seeder.Addr(), tor.InfoHash, testPeerID, peer.Timeouts{})
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.WriteMessages(peer.NewRequest(0, 0, peer.BlockSize)))
	for {
		m, err := conn.ReadMessage()
		if err != nil {
			require.ErrorIs(t, err, peer.ErrMessageTooLong)
			return
		}
		require.Contains(t, []peer.MessageID{peer.MsgBitfield, peer.MsgUnchoke}, m.ID)
	}
}
