package download_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/stage18_magnet_piece/download"
	"workbook/stage18_magnet_piece/peer"
	"workbook/stage18_magnet_piece/torrent"
	"workbook/testkit/swarm"
	"workbook/testkit/torrentfile"
)

// BenchmarkPiece downloads one 1 MiB piece (64 blocks) from a fake seeder
// on loopback, a new connection each time: the throughput of the request
// pipeline and the message code, with no network in the way.
func BenchmarkPiece(b *testing.B) {
	tor := torrentfile.MustBuild(b, torrentfile.Options{Seed: 11, PieceLength: 1 << 20, Length: 4 << 20})
	m, err := torrent.Parse(tor.Bytes)
	require.NoError(b, err)
	seeder := swarm.Start(b, swarm.FromTorrent(tor), swarm.Options{})
	b.SetBytes(1 << 20)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		conn, err := peer.Dial(context.Background(), seeder.Addr(), m.InfoHash, clientID, peer.Timeouts{})
		require.NoError(b, err)
		_, err = download.Piece(context.Background(), conn, m, i%4)
		conn.Close()
		require.NoError(b, err)
	}
}
