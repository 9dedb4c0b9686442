package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
)

// runMagnetHandshake implements `magnet_handshake <magnet-link>`: ask the
// link's trackers for peers, shake hands with the first that answers,
// extension bit set, send it our extension handshake if it speaks BEP 10,
// and print its peer id in hex.
func runMagnetHandshake(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		return usageError(stderr, "magnet_handshake takes one argument: the magnet link (quote it: it holds & characters)")
	}
	run, err := startMagnetRun(args[0])
	if err != nil {
		return fail(stderr, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	conn, err := run.connectAny(ctx, stderr)
	if err != nil {
		return fail(stderr, err)
	}
	defer conn.Close()
	fmt.Fprintf(stdout, "Peer ID: %x\n", conn.PeerID)
	return 0
}
