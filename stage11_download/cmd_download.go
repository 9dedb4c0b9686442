package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"workbook/stage11_download/download"
)

// runDownload implements `download -o <out> <file.torrent>`: it asks the
// tracker for peers, downloads every piece from several of them at once and
// prints, when the whole torrent is verified and in place,
//
//	Downloaded sample.torrent to /tmp/sample.txt.
//
// Progress and a summary go to stderr. For a multi-file torrent <out> is the
// directory that receives the torrent's files.
func runDownload(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("download", flag.ContinueOnError)
	flags.SetOutput(io.Discard) // usageError explains
	out := flags.String("o", "", "output file, or directory for a multi-file torrent")
	if err := flags.Parse(args); err != nil || *out == "" || flags.NArg() != 1 {
		return usageError(stderr, "download takes -o <output path> and the .torrent file")
	}
	torrentPath := flags.Arg(0)
	run, err := startPeerRun(torrentPath)
	if err != nil {
		return fail(stderr, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	peers, err := announce(ctx, run.torrent, run.peerID, stderr)
	if err != nil {
		return fail(stderr, err)
	}
	if len(peers) == 0 {
		return fail(stderr, errors.New("the tracker knows no peers for this torrent"))
	}

	bar := newProgress(stderr, run.torrent.Info.Length)
	stats, err := download.Download(ctx, run.torrent, peers, *out, download.Options{
		PeerID:   run.peerID,
		Timeouts: run.timeouts,
		Progress: bar.update,
	})
	bar.finish()
	if err != nil {
		return fail(stderr, err)
	}
	fmt.Fprintf(stderr, "downloaded %s in %v (%s/s on average) from %d of %d peers\n",
		byteSize(stats.Bytes), stats.Elapsed.Round(time.Millisecond),
		byteSize(int64(float64(stats.Bytes)/max(stats.Elapsed.Seconds(), 1e-9))), stats.PeersUsed, stats.PeersTried)
	fmt.Fprintf(stdout, "Downloaded %s to %s.\n", torrentPath, *out)
	return 0
}
