package download_test

import (
	"context"
	"crypto/sha1"
	"fmt"
	"net/netip"

	"workbook/stage19_magnet_download/download"
	"workbook/stage19_magnet_download/torrent"
	"workbook/testkit/swarm"
	"workbook/testkit/torrentfile"
)

func ExamplePieceFromPeers() {
	tor, _ := torrentfile.Build(torrentfile.Options{Seed: 1, PieceLength: 65536, Length: 100000})
	m, _ := torrent.Parse(tor.Bytes)
	// A peer that corrupts every block, then an honest one, both on 127.0.0.1.
	bad, _ := swarm.Listen(swarm.FromTorrent(tor), swarm.Options{Fault: swarm.CorruptBlock})
	defer bad.Close()
	good, _ := swarm.Listen(swarm.FromTorrent(tor), swarm.Options{})
	defer good.Close()

	data, err := download.PieceFromPeers(context.Background(), m, 1,
		[]netip.AddrPort{bad.AddrPort(), good.AddrPort()}, download.Options{PeerID: clientID})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("piece 1: %d bytes, SHA-1 as in the torrent: %v\n", len(data), sha1.Sum(data) == m.Info.PieceHash(1))
	fmt.Printf("the corrupt peer sent %d blocks, the honest one %d\n", bad.BlocksSent(), good.BlocksSent())
	// Output:
	// piece 1: 34464 bytes, SHA-1 as in the torrent: true
	// the corrupt peer sent 3 blocks, the honest one 3
}
