package main_test

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/testkit/cli"
	"workbook/testkit/swarm"
	"workbook/testkit/torrentfile"
)

var magnetFile = torrentfile.Options{Seed: 180, Name: "magnet.bin", Length: 3*262144 + 5000, PieceLength: 262144}

// TestMagnetDownloadPiece: from nothing but a magnet link, the metadata
// and then one piece, the last (shorter) one too, exactly as
// download_piece writes it.
func TestMagnetDownloadPiece(t *testing.T) {
	t.Parallel()
	for _, index := range []int{0, 3} {
		t.Run("piece "+strconv.Itoa(index), func(t *testing.T) {
			t.Parallel()
			tor, link, sw := metadataSwarm(t, magnetFile, swarm.Options{})
			out := filepath.Join(t.TempDir(), "piece")
			res := cli.Run(t, "magnet_download_piece", "-o", out, link, strconv.Itoa(index))
			requirePiece(t, res, tor, index, out)
			require.NoError(t, sw.Close())
			require.Empty(t, sw[0].Violations())
		})
	}
}

// TestMagnetDownloadPieceOutOfRange: only the metadata says how many
// pieces there are; an index past the last fails after it, writing nothing.
func TestMagnetDownloadPieceOutOfRange(t *testing.T) {
	t.Parallel()
	_, link, _ := metadataSwarm(t, magnetFile, swarm.Options{})
	dir := t.TempDir()
	res := cli.Run(t, "magnet_download_piece", "-o", filepath.Join(dir, "piece"), link, "4")
	requireOneLineError(t, res, "the torrent has 4 pieces (0 to 3): piece 4 is out of range, which only the metadata tells", "4")
	requireNoOutput(t, dir, res)
}
