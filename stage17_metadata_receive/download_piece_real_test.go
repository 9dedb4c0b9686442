package main_test

import (
	"path/filepath"
	"strconv"
	"testing"

	"workbook/testkit/cli"
	"workbook/testkit/torrentfile"
)

// TestDownloadPieceReal downloads pieces from real BitTorrent programs found
// through a real opentracker, all on 127.0.0.1: aria2c, and qbittorrent-nox
// (libtorrent-rasterbar, the engine of qBittorrent and Deluge). Each gives a
// full 256 KiB piece (16 blocks) and the short last one. Skips when the
// programs are missing, unless CI is set (then it fails).
func TestDownloadPieceReal(t *testing.T) {
	t.Parallel()
	for _, program := range []string{"aria2c", "qbittorrent-nox"} {
		t.Run(program, func(t *testing.T) {
			t.Parallel()
			tor, path, _ := startRealSeeder(t, program, torrentfile.Options{Seed: 100, Name: "real.bin",
				Length: 5*262144 + 70000, PieceLength: 262144})
			for _, index := range []int{0, 5} {
				out := filepath.Join(t.TempDir(), "piece")
				res := cli.Run(t, "download_piece", "-o", out, path, strconv.Itoa(index))
				requirePiece(t, res, tor, index, out)
			}
		})
	}
}
