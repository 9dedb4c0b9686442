package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"

	"workbook/stage16_metadata_request/download"
)

const downloadPieceUsage = "download_piece takes -o <output file>, the .torrent file and a piece index"

// runDownloadPiece implements `download_piece -o <out> <torrent> <index>`:
// ask the tracker for peers, download the piece from the first peer that
// delivers it, check its SHA-1 and write it to out.
func runDownloadPiece(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("download_piece", flag.ContinueOnError)
	flags.SetOutput(io.Discard) // usageError explains
	out := flags.String("o", "", "output file")
	if err := flags.Parse(args); err != nil || *out == "" || flags.NArg() != 2 {
		return usageError(stderr, downloadPieceUsage)
	}
	index, err := strconv.Atoi(flags.Arg(1))
	if err != nil || index < 0 {
		return usageError(stderr, fmt.Sprintf("piece index %q: want a whole number from 0", flags.Arg(1)))
	}
	run, err := startPeerRun(flags.Arg(0))
	if err != nil {
		return fail(stderr, err)
	}
	if n := run.torrent.Info.NumPieces(); index >= n {
		return fail(stderr, fmt.Errorf("piece %d out of range: the torrent has %d pieces (0 to %d)", index, n, n-1))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	peers, err := announce(ctx, run.torrent, run.peerID, stderr)
	if err != nil {
		return fail(stderr, err)
	}
	data, err := download.PieceFromPeers(ctx, run.torrent, index, peers, download.Options{PeerID: run.peerID, Timeouts: run.timeouts})
	if err != nil {
		return fail(stderr, err)
	}
	if err := writeFileAtomic(*out, data); err != nil {
		return fail(stderr, err)
	}
	fmt.Fprintf(stdout, "Piece %d downloaded to %s.\n", index, *out)
	return 0
}

// writeFileAtomic writes data to a temporary file beside path and renames
// it into place: path holds either the whole piece or what it held before,
// never half a piece, even when the disk fills or the program is killed.
func writeFileAtomic(path string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.part")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	_, err = f.Write(data)
	err = errors.Join(err, f.Chmod(0o644), f.Close()) // CreateTemp makes 0600
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
