package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/signal"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"workbook/stage19_magnet_download/download"
)

// runDownload implements `download -o <out> <file.torrent>`: it downloads
// every piece from the tracker's peers, several at once, and prints
// "Downloaded sample.torrent to /tmp/sample.txt." once the whole torrent is
// verified and in place (<out>: a directory for a multi-file torrent).
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
	if err := downloadAll(ctx, run, peers, *out, stderr); err != nil {
		return fail(stderr, err)
	}
	fmt.Fprintf(stdout, "Downloaded %s to %s.\n", torrentPath, *out)
	return 0
}

// downloadAll downloads the whole torrent of run from peers to out, with
// progress and a summary on stderr.
func downloadAll(ctx context.Context, run peerRun, peers []netip.AddrPort, out string, stderr io.Writer) error {
	bar := newProgress(stderr, run.torrent.Info.Length)
	opts := download.Options{PeerID: run.peerID, Timeouts: run.timeouts, Progress: bar.update}
	stats, err := download.Download(ctx, run.torrent, peers, out, opts)
	bar.finish()
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "downloaded %s in %v (%s/s on average) from %d of %d peers\n",
		byteSize(stats.Bytes), stats.Elapsed.Round(time.Millisecond),
		byteSize(int64(float64(stats.Bytes)/max(stats.Elapsed.Seconds(), 1e-9))), stats.PeersUsed, stats.PeersTried)
	return nil
}

// progress shows how far a download is on stderr: a bar on a terminal,
// elsewhere a line every few seconds (a bar's carriage returns mess up a file).
type progress struct {
	w     io.Writer
	bar   *progressbar.ProgressBar // nil when stderr is not a terminal
	every time.Duration
	last  time.Time
}

func newProgress(w io.Writer, total int64) *progress {
	p := &progress{w: w, every: 2 * time.Second, last: time.Now()}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("downloading"), progressbar.OptionSetWidth(30),
			progressbar.OptionShowBytes(true), progressbar.OptionUseIECUnits(true), progressbar.OptionShowCount(),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionSetPredictTime(true),
			progressbar.OptionClearOnFinish())
	}
	return p
}

// update is download.Options.Progress: called after every verified piece.
func (p *progress) update(d download.Progress) {
	if p.bar != nil {
		p.bar.Describe(fmt.Sprintf("downloading from %d peers", d.Peers))
		_ = p.bar.Set64(d.Done) // a failed write to the terminal is not worth stopping for
		return
	}
	if time.Since(p.last) < p.every {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.w, "downloaded %s of %s (%d%%) from %d peers\n",
		byteSize(d.Done), byteSize(d.Total), d.Done*100/max(d.Total, 1), d.Peers)
}

// finish removes the bar, so the summary line starts on a clean line.
func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Exit()
	}
}

// byteSize formats n bytes for people: 1.5 MiB.
func byteSize(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	v, exp := float64(n)/1024, 0
	for ; v >= 1024; v /= 1024 {
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTPE"[exp])
}
