package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"

	"workbook/stage16_metadata_request/metadata"
)

// runMagnetInfo implements `magnet_info <magnet-link>`: both handshakes
// with the first of the link's peers that speaks ut_metadata, then a
// request for piece 0 of the metadata (BEP 9), sent under the peer's
// ut_metadata id. It prints what magnet_handshake prints; reading the
// answer is the next step.
func runMagnetInfo(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		return usageError(stderr, "magnet_info takes one argument: the magnet link (quote it: it holds & characters)")
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
	if err := conn.metadataPeer().RequestPieces(0, 1); err != nil {
		return fail(stderr, err)
	}
	fmt.Fprintf(stdout, "Peer ID: %x\n", conn.PeerID)
	fmt.Fprintf(stdout, "Peer Metadata Extension ID: %d\n", conn.utMetadata)
	return 0
}

// metadataPeer is what the metadata exchange needs of p: the connection
// and the id p gave ut_metadata.
func (p *magnetPeer) metadataPeer() metadata.Peer {
	return metadata.Peer{Conn: p.Conn, TheirID: p.utMetadata}
}
