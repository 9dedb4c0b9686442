package download_test

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"

	"workbook/stage16_metadata_request/download"
	"workbook/stage16_metadata_request/torrent"
	"workbook/testkit/swarm"
	"workbook/testkit/torrentfile"
)

func ExampleDownload() {
	tor, _ := torrentfile.Build(torrentfile.Options{Seed: 1, Name: "sample.bin", PieceLength: 32 << 10, Length: 300_000})
	m, _ := torrent.Parse(tor.Bytes)
	// Two honest seeders and one that corrupts every block, on 127.0.0.1.
	var peers []netip.AddrPort
	for _, fault := range []swarm.Fault{swarm.Honest, swarm.CorruptBlock, swarm.Honest} {
		s, _ := swarm.Listen(swarm.FromTorrent(tor), swarm.Options{Fault: fault})
		defer s.Close()
		peers = append(peers, s.AddrPort())
	}
	dir, _ := os.MkdirTemp("", "example-")
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "sample.bin")

	stats, err := download.Download(context.Background(), m, peers, out, download.Options{PeerID: clientID})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d bytes, %d pieces\n", stats.Bytes, m.Info.NumPieces())
	fmt.Println("content as in the torrent:", tor.VerifyContent(out) == nil)
	entries, _ := os.ReadDir(dir)
	fmt.Println("files in the output directory:", len(entries))
	// Output:
	// 300000 bytes, 10 pieces
	// content as in the torrent: true
	// files in the output directory: 1
}
