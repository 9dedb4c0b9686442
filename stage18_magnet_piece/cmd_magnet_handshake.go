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
// extension bit set, exchange extension handshakes with it, and print its
// peer id in hex and the id it gives ut_metadata.
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
	fmt.Fprintf(stdout, "Peer Metadata Extension ID: %d\n", conn.utMetadata)
	return 0
}
