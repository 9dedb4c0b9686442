package main_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/testkit/cli"
	"workbook/testkit/swarm"
	"workbook/testkit/torrentfile"
)

func TestMagnetDownload(t *testing.T) {
	t.Parallel()
	multi := torrentfile.Options{Seed: 181, Name: "album", PieceLength: 32768, Files: []torrentfile.FileSpec{
		{Path: []string{"README.txt"}, Length: 1200},
		{Path: []string{"disc 1", "01 intro.flac"}, Length: 70000},
		{Path: []string{"disc 2", "empty.cue"}, Length: 0},
	}}
	big := torrentfile.Options{Seed: 182, Name: "big.bin", Length: 2000*16384 + 1, PieceLength: 16384} // 40 KB of piece hashes: 3 metadata pieces
	tests := []struct {
		name    string
		o       torrentfile.Options
		seeders []swarm.Options
	}{
		{"SingleFile", magnetFile, []swarm.Options{{}, {}}},
		{"MultiFile", multi, []swarm.Options{{}}},
		{"MetadataOver16KiB", big, []swarm.Options{{}, {}}},
		{"LyingMetadataPeerAndHonestOne", magnetFile, []swarm.Options{{Fault: swarm.MetadataWrongBytes}, {}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tor, link, sw := metadataSwarm(t, tc.o, tc.seeders...)
			out := filepath.Join(t.TempDir(), "out")
			res := cli.Run(t, "magnet_download", "-o", out, link)
			require.Equal(t, 0, res.ExitCode, "%s", res)
			require.Equal(t, "Downloaded "+link+" to "+out+".\n", res.Stdout, "%s", res)
			require.NoError(t, tor.VerifyContent(out))
			require.NoError(t, sw.Close())
			for _, s := range sw {
				require.Empty(t, s.Violations())
			}
		})
	}
}

// TestMagnetDownloadXPe: a link with no tracker, only x.pe peers.
func TestMagnetDownloadXPe(t *testing.T) {
	t.Parallel()
	tor := torrentfile.MustBuild(t, magnetFile)
	sw := swarm.StartSwarm(t, swarm.FromTorrent(tor), swarm.Options{}, swarm.Options{})
	link := torrentfile.Magnet{InfoHash: tor.InfoHash, Peers: sw.Addrs()}.String()
	out := filepath.Join(t.TempDir(), "out")
	res := cli.Run(t, "magnet_download", "-o", out, link)
	require.Equal(t, 0, res.ExitCode, "%s", res)
	require.NoError(t, tor.VerifyContent(out))
}

func TestMagnetDownloadNothingToAsk(t *testing.T) {
	t.Parallel()
	tor := torrentfile.MustBuild(t, magnetFile)
	dir := t.TempDir()
	res := cli.Run(t, "magnet_download", "-o", filepath.Join(dir, "out"), torrentfile.Magnet{InfoHash: tor.InfoHash, Name: tor.Name}.String())
	requireOneLineError(t, res, "a link with no tr and no x.pe leaves no one to ask (the DHT is not part of the course): say so", "tracker")
	requireNoOutput(t, dir, res)
}

func TestMagnetDownloadOnlyLyingPeers(t *testing.T) {
	t.Parallel()
	program := cli.WithEnv("WORKBOOK_PEER_TIMEOUT=1s")
	_, link, _ := metadataSwarm(t, magnetFile, swarm.Options{Fault: swarm.MetadataWrongBytes}, swarm.Options{Fault: swarm.MetadataReject})
	dir := t.TempDir()
	res := program.Run(t, "magnet_download", "-o", filepath.Join(dir, "out"), link)
	requireOneLineError(t, res, "no peer sent metadata that hashes to the link's info hash: fail, and write nothing")
	requireNoOutput(t, dir, res)
}

// TestMagnetDownloadSilentMetadataPeer: the first peer listed never
// answers the metadata request, and the time limit for a peer is longer
// than the whole run may take (WORKBOOK_PEER_TIMEOUT=5m, cli.DefaultTimeout
// 60 s). Asking one peer after the other would wait on it to the end; the
// metadata must come from the second peer meanwhile (the first good one
// wins), and the download then uses both.
func TestMagnetDownloadSilentMetadataPeer(t *testing.T) {
	t.Parallel()
	program := cli.WithEnv("WORKBOOK_PEER_TIMEOUT=5m")
	tor, link, _ := metadataSwarm(t, magnetFile, swarm.Options{Fault: swarm.MetadataNoAnswer}, swarm.Options{})
	out := filepath.Join(t.TempDir(), "out")
	res := program.Run(t, "magnet_download", "-o", out, link)
	require.Equal(t, 0, res.ExitCode, "ask more than one peer for the metadata at a time: the first never answers\n%s", res)
	require.NoError(t, tor.VerifyContent(out))
}
