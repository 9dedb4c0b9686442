package main_test

import (
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"workbook/testkit/cli"
	"workbook/testkit/realbt"
	"workbook/testkit/torrentfile"
)

// TestDownloadPieceRealAria2 downloads the last (shorter) piece from a real
// aria2c seeder found through a real opentracker, all on 127.0.0.1. Skips
// when the programs are missing, unless CI is set (then it fails).
func TestDownloadPieceRealAria2(t *testing.T) {
	t.Parallel()
	realbt.Require(t, "opentracker", "aria2c")
	tr := realbt.StartOpentracker(t)
	tor := torrentfile.MustBuild(t, torrentfile.Options{Seed: 100, Name: "real.bin", Length: 5*262144 + 70000,
		PieceLength: 262144, Announce: tr.AnnounceURL})
	tr.Allow(t, tor.InfoHash) // Debian's opentracker serves only whitelisted info hashes
	dir := t.TempDir()
	if err := tor.WriteContent(dir); err != nil {
		t.Fatal(err)
	}
	path := tor.WriteTorrent(t)
	seeder := realbt.StartAria2Seeder(t, path, dir)
	tr.WaitForPeers(t, tor.InfoHash, 30*time.Second, seeder.Addr)

	for _, index := range []int{0, 5} { // a full 256 KiB piece (16 blocks), and the last one of 70000 bytes
		out := filepath.Join(t.TempDir(), "piece")
		res := cli.Run(t, "download_piece", "-o", out, path, strconv.Itoa(index))
		requirePiece(t, res, tor, index, out)
	}
}

// TestDownloadPieceRealQBittorrent does the same with qbittorrent-nox
// (libtorrent-rasterbar, the engine of qBittorrent and Deluge) as the seeder.
func TestDownloadPieceRealQBittorrent(t *testing.T) {
	t.Parallel()
	realbt.Require(t, "opentracker", "qbittorrent-nox")
	tr := realbt.StartOpentracker(t)
	tor := torrentfile.MustBuild(t, torrentfile.Options{Seed: 101, Name: "real.bin", Length: 3*262144 + 1000,
		PieceLength: 262144, Announce: tr.AnnounceURL})
	tr.Allow(t, tor.InfoHash)
	dir := t.TempDir()
	if err := tor.WriteContent(dir); err != nil {
		t.Fatal(err)
	}
	path := tor.WriteTorrent(t)
	seeder := realbt.StartQBittorrentSeeder(t, path, dir)
	tr.WaitForPeers(t, tor.InfoHash, 30*time.Second, seeder.Addr)

	for _, index := range []int{1, 3} {
		out := filepath.Join(t.TempDir(), "piece")
		res := cli.Run(t, "download_piece", "-o", out, path, strconv.Itoa(index))
		requirePiece(t, res, tor, index, out)
	}
}
