package download_test

import (
	"context"
	"crypto/sha1"
	"encoding/binary"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"workbook/stage18_magnet_piece/download"
	"workbook/stage18_magnet_piece/peer"
	"workbook/stage18_magnet_piece/torrent"
	"workbook/testkit/swarm"
	"workbook/testkit/torrentfile"
)

// checkLeaks fails the test if a goroutine it started outlives it. Call it
// first: cleanups run last-in first-out, so it runs after the seeders close.
func checkLeaks(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
}

// fixture is a torrent of 4 pieces of 64 KiB (4 blocks each) and a short
// last piece of 20000 bytes (one full block and one of 3616 bytes), with
// the torrent as the stage parses it.
func fixture(t *testing.T) (*torrentfile.Torrent, *torrent.Metainfo) {
	t.Helper()
	tor := torrentfile.MustBuild(t, torrentfile.Options{Seed: 10, PieceLength: 64 << 10, Length: 4*(64<<10) + 20000})
	m, err := torrent.Parse(tor.Bytes)
	require.NoError(t, err)
	return tor, m
}

var clientID = [20]byte([]byte("-WB0001-testtesttest"))

// have builds a have message, as a peer sends one.
func have(index int) *peer.Message {
	return &peer.Message{ID: peer.MsgHave, Payload: binary.BigEndian.AppendUint32(nil, uint32(index))}
}

// dial connects to a seeder with short timeouts, for fault tests.
func dial(t *testing.T, s *swarm.Seeder, m *torrent.Metainfo) *peer.Conn {
	t.Helper()
	conn, err := peer.Dial(context.Background(), s.Addr(), m.InfoHash, clientID, peer.Timeouts{Read: 500 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return conn
}

func TestPiece(t *testing.T) {
	checkLeaks(t)
	tor, m := fixture(t)
	seeder := swarm.Start(t, swarm.FromTorrent(tor), swarm.Options{})
	for _, index := range []int{0, 2, 4} {
		t.Run("piece "+string(rune('0'+index)), func(t *testing.T) {
			got, err := download.Piece(context.Background(), dial(t, seeder, m), m, index)
			require.NoError(t, err)
			require.Equal(t, tor.Piece(index), got)
		})
	}
	require.NoError(t, seeder.Close())
	require.Empty(t, seeder.Violations(), "the client must follow the protocol")
}

// TestPieceRequestsBlocks checks the requests on the wire: 16 KiB blocks,
// the last block of the last piece shorter, all in flight at once.
func TestPieceRequestsBlocks(t *testing.T) {
	checkLeaks(t)
	tor, m := fixture(t)
	// A slow seeder: every request arrives before the first block is sent,
	// which only happens if they are pipelined.
	seeder := swarm.Start(t, swarm.FromTorrent(tor), swarm.Options{BlockDelay: 20 * time.Millisecond})

	_, err := download.Piece(context.Background(), dial(t, seeder, m), m, 3)
	require.NoError(t, err)
	_, err = download.Piece(context.Background(), dial(t, seeder, m), m, 4)
	require.NoError(t, err)
	require.NoError(t, seeder.Close())
	want := []swarm.Request{
		{Index: 3, Begin: 0, Length: 16384}, {Index: 3, Begin: 16384, Length: 16384},
		{Index: 3, Begin: 32768, Length: 16384}, {Index: 3, Begin: 49152, Length: 16384},
		{Index: 4, Begin: 0, Length: 16384}, {Index: 4, Begin: 16384, Length: 3616},
	}
	require.Equal(t, want, seeder.Requests())
	msgs := seeder.Messages()
	require.Equal(t, []uint8{2, 6, 6, 6, 6, 2, 6, 6}, msgs,
		"interested, then the four requests together (pipelined), for each connection")
}

// TestPieceFaults downloads a piece from each misbehaving seeder: either
// the right piece (the fault is survivable) or a clear error, in bounded
// time, and never a wrong piece.
func TestPieceFaults(t *testing.T) {
	tor, m := fixture(t)
	const index = 1
	tests := []struct {
		name    string
		opts    swarm.Options
		wantErr string // "" = must succeed
	}{
		{name: "keep-alives between messages", opts: swarm.Options{KeepAlives: true}},
		{name: "piece announced late by have", opts: swarm.Options{LateHaves: []int{0, 1}, HaveDelay: 20 * time.Millisecond}},
		{name: "haves only, no bitfield", opts: swarm.Options{LateHaves: []int{0, 1, 2, 3, 4}, HaveDelay: time.Millisecond}},
		{name: "unchoke before interested", opts: swarm.Options{UnchokeEarly: true}},
		{name: "choked mid-piece, unchoked later", opts: swarm.Options{Fault: swarm.ChokeMidPieceThenUnchoke, ChokeFor: 50 * time.Millisecond}},
		{name: "unrequested block", opts: swarm.Options{Fault: swarm.UnrequestedBlock}},
		{name: "duplicate block", opts: swarm.Options{Fault: swarm.DuplicateBlock}},
		{name: "slow peer", opts: swarm.Options{BlockDelay: 30 * time.Millisecond}},
		{name: "never unchoke", opts: swarm.Options{Fault: swarm.NeverUnchoke}, wantErr: "peer sent nothing for 500ms"},
		{name: "choked mid-piece for good", opts: swarm.Options{Fault: swarm.ChokeMidPiece}, wantErr: "peer sent nothing for 500ms"},
		{name: "disconnect mid-piece", opts: swarm.Options{Fault: swarm.DisconnectMidPiece}, wantErr: "read message length: EOF"},
		{name: "corrupt block", opts: swarm.Options{Fault: swarm.CorruptBlock}, wantErr: "piece 1: piece hash mismatch: got "},
		{name: "4 GiB length prefix", opts: swarm.Options{Fault: swarm.HugeLength}, wantErr: "message too long: length prefix 4294967295 (0xffffffff)"},
		{name: "bitfield too long", opts: swarm.Options{Fault: swarm.BitfieldWrongSize}, wantErr: "bad bitfield: 2 bytes for 5 pieces, want 1"},
		{name: "bitfield spare bits", opts: swarm.Options{Fault: swarm.BitfieldSpareBits}, wantErr: "bad bitfield: spare bits after piece 4 set (last byte 11111111)"},
		{name: "piece missing", opts: swarm.Options{Missing: []int{index}}, wantErr: "peer sent nothing for 500ms"},
		{name: "close after handshake", opts: swarm.Options{Fault: swarm.CloseAfterHandshake}, wantErr: "EOF"},
		{name: "reset after handshake", opts: swarm.Options{Fault: swarm.ResetAfterHandshake}, wantErr: "connection reset by peer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkLeaks(t)
			seeder := swarm.Start(t, swarm.FromTorrent(tor), tc.opts)
			start := time.Now()
			got, err := download.Piece(context.Background(), dial(t, seeder, m), m, index)
			require.Less(t, time.Since(start), 3*time.Second, "a bad peer must cost at most the read timeout")
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				require.Nil(t, got, "no data from a failed download")
				return
			}
			require.NoError(t, err)
			require.Equal(t, sha1.Sum(tor.Piece(index)), sha1.Sum(got))
			require.NoError(t, seeder.Close())
			require.Empty(t, seeder.Violations())
		})
	}
}

func TestPieceHashMismatchIsErrHashMismatch(t *testing.T) {
	checkLeaks(t)
	tor, m := fixture(t)
	seeder := swarm.Start(t, swarm.FromTorrent(tor), swarm.Options{Fault: swarm.CorruptBlock})
	_, err := download.Piece(context.Background(), dial(t, seeder, m), m, 0)
	require.ErrorIs(t, err, download.ErrHashMismatch)
}

func TestPieceRejectsIndexOutOfRange(t *testing.T) {
	checkLeaks(t)
	tor, m := fixture(t)
	seeder := swarm.Start(t, swarm.FromTorrent(tor), swarm.Options{})
	for _, index := range []int{-1, 5} {
		_, err := download.Piece(context.Background(), dial(t, seeder, m), m, index)
		require.ErrorContains(t, err, "out of range: the torrent has 5 pieces")
	}
}

func TestPieceCancelled(t *testing.T) {
	checkLeaks(t)
	tor, m := fixture(t)
	seeder := swarm.Start(t, swarm.FromTorrent(tor), swarm.Options{Fault: swarm.NeverUnchoke})
	conn := dial(t, seeder, m)
	conn.Timeouts.Read = time.Minute
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := download.Piece(ctx, conn, m, 0)
	require.ErrorIs(t, err, context.Canceled)
	require.Less(t, time.Since(start), time.Second)
}

func TestPieceFromPeers(t *testing.T) {
	checkLeaks(t)
	tor, m := fixture(t)
	content := swarm.FromTorrent(tor)
	bad := swarm.StartSwarm(t, content,
		swarm.Options{Fault: swarm.CorruptBlock},
		swarm.Options{Fault: swarm.WrongInfoHash},
		swarm.Options{Fault: swarm.HugeLength})
	honest := swarm.Start(t, content, swarm.Options{})
	peers := []netip.AddrPort{bad[0].AddrPort(), bad[1].AddrPort(), bad[2].AddrPort(), honest.AddrPort()}

	var log strings.Builder
	got, err := download.PieceFromPeers(context.Background(), m, 4, peers,
		download.Options{PeerID: clientID, Timeouts: peer.Timeouts{Read: time.Second}, Log: &log})
	require.NoError(t, err)
	require.Equal(t, tor.Piece(4), got)
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	require.Len(t, lines, 3, "one line per failed peer:\n%s", log.String())
	require.Contains(t, lines[0], "piece hash mismatch")
	require.Contains(t, lines[1], "info hash mismatch")
	require.Contains(t, lines[2], "message too long")
}

func TestPieceFromPeersAllFail(t *testing.T) {
	checkLeaks(t)
	tor, m := fixture(t)
	bad := swarm.StartSwarm(t, swarm.FromTorrent(tor),
		swarm.Options{Fault: swarm.CorruptBlock}, swarm.Options{Fault: swarm.NoHandshakeReply})
	peers := []netip.AddrPort{bad[0].AddrPort(), bad[1].AddrPort()}
	start := time.Now()
	_, err := download.PieceFromPeers(context.Background(), m, 0, peers,
		download.Options{PeerID: clientID, Timeouts: peer.Timeouts{Handshake: 200 * time.Millisecond}})
	require.Less(t, time.Since(start), 2*time.Second)
	var pe *download.PeersError
	require.ErrorAs(t, err, &pe)
	require.ErrorIs(t, err, download.ErrHashMismatch)
	require.ErrorContains(t, err, "piece 0: all 2 peers failed; "+peers[0].String()+": piece 0: piece hash mismatch")
	require.ErrorContains(t, err, "; "+peers[1].String()+": handshake with "+peers[1].String()+": no answer within 200ms")

	_, err = download.PieceFromPeers(context.Background(), m, 0, nil, download.Options{})
	require.EqualError(t, err, "piece 0: no peers to download from")
}

// TestPiecePipelineDepth downloads a 2 MiB piece (128 blocks) from a slow
// seeder: requests pile up at the seeder, and the deepest pile shows the
// client starts with PipelineDepth requests in flight, no fewer, no more
// (the meter then shrinks the pipeline to what this seeder delivers).
func TestPiecePipelineDepth(t *testing.T) {
	checkLeaks(t)
	tor := torrentfile.MustBuild(t, torrentfile.Options{Seed: 12, PieceLength: 2 << 20, Length: 2 << 20})
	m, err := torrent.Parse(tor.Bytes)
	require.NoError(t, err)
	seeder := swarm.Start(t, swarm.FromTorrent(tor), swarm.Options{BlockDelay: time.Millisecond})

	got, err := download.Piece(context.Background(), dial(t, seeder, m), m, 0)
	require.NoError(t, err)
	require.Equal(t, sha1.Sum(tor.Piece(0)), sha1.Sum(got))
	require.NoError(t, seeder.Close())
	require.Len(t, seeder.Requests(), 128, "each block requested once")
	require.Equal(t, download.PipelineDepth, seeder.MaxQueued(), "requests in flight at the seeder")
}
