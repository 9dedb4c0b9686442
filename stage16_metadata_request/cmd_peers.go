package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"

	"workbook/stage16_metadata_request/peer"
	"workbook/stage16_metadata_request/torrent"
)

// runPeers implements `peers <torrent>`: announce to the torrent's tracker
// and print the peers it lists, one ip:port a line (IPv6 as [ip]:port).
func runPeers(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		return usageError(stderr, "peers takes one argument: the .torrent file")
	}
	m, err := torrent.Open(args[0])
	if err != nil {
		return fail(stderr, err)
	}
	peerID, err := peer.NewID()
	if err != nil {
		return fail(stderr, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	peers, err := announce(ctx, m, peerID, stderr)
	if err != nil {
		return fail(stderr, err)
	}
	for _, p := range peers {
		fmt.Fprintln(stdout, p) // netip.AddrPort: 1.2.3.4:6881 or [::1]:6881
	}
	return 0
}
