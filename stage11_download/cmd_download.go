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
	"workbook/stage11_download/peer"
	"workbook/stage11_download/torrent"
	"workbook/stage11_download/tracker"
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
	flags.SetOutput(io.Discard)
	out := flags.String("o", "", "")
	if err := flags.Parse(args); err != nil || *out == "" || flags.NArg() != 1 {
		return usageError(stderr, "download takes -o <out> and one argument: the .torrent file")
	}
	torrentPath := flags.Arg(0)
	m, err := torrent.Open(torrentPath)
	if err != nil {
		return fail(stderr, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	peerID, err := peer.NewID()
	if err != nil {
		return fail(stderr, err)
	}
	var client tracker.Client
	resp, err := client.AnnounceTiers(ctx, m, tracker.Request{
		InfoHash: m.InfoHash, PeerID: peerID, Port: 6881, Left: m.Info.Length,
	})
	if err != nil {
		return fail(stderr, err)
	}
	if resp.Warning != "" {
		fmt.Fprintf(stderr, "warning: %s\n", resp.Warning)
	}
	if len(resp.Peers) == 0 {
		return fail(stderr, errors.New("the tracker knows no peers for this torrent"))
	}

	bar := newProgress(stderr, m.Info.Length)
	stats, err := download.Download(ctx, m, resp.Peers, *out, download.Options{PeerID: peerID, Progress: bar.update})
	bar.finish()
	if err != nil {
		return fail(stderr, err)
	}
	fmt.Fprintf(stderr, "%s in %v (%s/s) from %d of %d peers\n",
		byteSize(stats.Bytes), stats.Elapsed.Round(time.Millisecond),
		byteSize(int64(float64(stats.Bytes)/max(stats.Elapsed.Seconds(), 1e-9))), stats.PeersUsed, stats.PeersTried)
	fmt.Fprintf(stdout, "Downloaded %s to %s.\n", torrentPath, *out)
	return 0
}
