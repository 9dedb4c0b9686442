package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
)

// runMagnetDownload implements `magnet_download -o <out> <magnet-link>`:
// the metadata from the first of the link's peers that sends it verified,
// then the whole torrent from all of them, as download does.
func runMagnetDownload(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("magnet_download", flag.ContinueOnError)
	flags.SetOutput(io.Discard) // usageError explains
	out := flags.String("o", "", "output file, or directory for a multi-file torrent")
	if err := flags.Parse(args); err != nil || *out == "" || flags.NArg() != 1 {
		return usageError(stderr, "magnet_download takes -o <output path> and the magnet link")
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
	p := peerRun{torrent: m, peerID: run.peerID, timeouts: run.timeouts}
	if err := downloadAll(ctx, p, peers, *out, stderr); err != nil {
		return fail(stderr, err)
	}
	fmt.Fprintf(stdout, "Downloaded %s to %s.\n", flags.Arg(0), *out)
	return 0
}
