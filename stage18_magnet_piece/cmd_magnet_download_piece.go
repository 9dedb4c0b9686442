package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"

	"workbook/stage18_magnet_piece/download"
)

// runMagnetDownloadPiece implements `magnet_download_piece -o <out>
// <magnet-link> <index>`: the metadata from the link's peers first (as
// magnet_info), then piece index exactly as download_piece fetches it.
func runMagnetDownloadPiece(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("magnet_download_piece", flag.ContinueOnError)
	flags.SetOutput(io.Discard) // usageError explains
	out := flags.String("o", "", "output file")
	if err := flags.Parse(args); err != nil || *out == "" || flags.NArg() != 2 {
		return usageError(stderr, "magnet_download_piece takes -o <output file>, the magnet link and a piece index")
	}
	index, err := strconv.Atoi(flags.Arg(1))
	if err != nil || index < 0 {
		return usageError(stderr, fmt.Sprintf("piece index %q: want a whole number from 0", flags.Arg(1)))
	}
	run, err := startMagnetRun(flags.Arg(0))
	if err != nil {
		return fail(stderr, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	m, peers, err := run.metainfo(ctx, stderr)
	if err != nil {
		return fail(stderr, err)
	}
	if n := m.Info.NumPieces(); index >= n {
		return fail(stderr, fmt.Errorf("piece %d out of range: the torrent has %d pieces (0 to %d)", index, n, n-1))
	}
	data, err := download.PieceFromPeers(ctx, m, index, peers, download.Options{PeerID: run.peerID, Timeouts: run.timeouts})
	if err != nil {
		return fail(stderr, err)
	}
	if err := writeFileAtomic(*out, data); err != nil {
		return fail(stderr, err)
	}
	fmt.Fprintf(stdout, "Piece %d downloaded to %s.\n", index, *out)
	return 0
}
