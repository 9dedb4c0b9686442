package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"

	"workbook/stage18_magnet_piece/peer"
)

// runHandshake implements `handshake <torrent> <ip:port>`: connect to the
// peer, exchange handshakes for the torrent and print the peer's id in hex.
func runHandshake(args []string, stdout, stderr io.Writer) int {
	if len(args) != 2 {
		return usageError(stderr, "handshake takes two arguments: the .torrent file and the peer's ip:port")
	}
	addr := args[1]
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return usageError(stderr, fmt.Sprintf("peer address %q: want ip:port, such as 127.0.0.1:6881", addr))
	}
	run, err := startPeerRun(args[0])
	if err != nil {
		return fail(stderr, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	conn, err := peer.Dial(ctx, addr, run.torrent.InfoHash, run.peerID, run.timeouts)
	if err != nil {
		return fail(stderr, err)
	}
	defer conn.Close()
	fmt.Fprintf(stdout, "Peer ID: %x\n", conn.PeerID)
	return 0
}
