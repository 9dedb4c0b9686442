package main_test

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"workbook/testkit/cli"
	"workbook/testkit/realbt"
	"workbook/testkit/torrentfile"
)

// startRealSeeder starts Debian's opentracker and one real BitTorrent
// program ("aria2c" or "qbittorrent-nox") seeding a generated torrent, all
// on 127.0.0.1 with DHT, PEX and local peer discovery off (testkit/realbt),
// and waits until the tracker lists the seeder. It returns the torrent, its
// path and the seeder's address. Skips when the programs are missing,
// unless CI is set (then it fails).
func startRealSeeder(t *testing.T, program string, opts torrentfile.Options) (*torrentfile.Torrent, string, netip.AddrPort) {
	t.Helper()
	realbt.Require(t, "opentracker", program)
	tr := realbt.StartOpentracker(t)
	opts.Announce = tr.AnnounceURL
	tor := torrentfile.MustBuild(t, opts)
	tr.Allow(t, tor.InfoHash) // Debian's opentracker serves only whitelisted info hashes
	dir := t.TempDir()
	require.NoError(t, tor.WriteContent(dir))
	path := tor.WriteTorrent(t)
	var addr netip.AddrPort
	switch program {
	case "aria2c":
		addr = realbt.StartAria2Seeder(t, path, dir).Addr
	case "qbittorrent-nox":
		addr = realbt.StartQBittorrentSeeder(t, path, dir).Addr
	default:
		t.Fatalf("no seeder program %q", program)
	}
	tr.WaitForPeers(t, tor.InfoHash, 30*time.Second, addr)
	return tor, path, addr
}

// TestHandshakeRealAria2 shakes hands with a real BitTorrent program: aria2c
// seeding on 127.0.0.1, found through `peers` from a real opentracker. aria2
// answers with its own peer id, which starts with "A2-" (hex 41 32 2d).
func TestHandshakeRealAria2(t *testing.T) {
	t.Parallel()
	_, path, seeder := startRealSeeder(t, "aria2c", torrentfile.Options{Seed: 90, Name: "real.bin", Length: 300000, PieceLength: 32768})

	peers := cli.Run(t, "peers", path)
	require.Equal(t, 0, peers.ExitCode, "%s", peers)
	require.Contains(t, strings.Split(peers.Stdout, "\n"), seeder.String(),
		"opentracker should list the aria2c seeder\n%s", peers)

	res := cli.Run(t, "handshake", path, seeder.String())
	t.Logf("aria2c at %s answered: %s", seeder, res.Stdout)

	require.Equal(t, 0, res.ExitCode, "a real aria2c seeder should complete the handshake\n%s", res)
	require.Regexp(t, `^Peer ID: 41322d[0-9a-f]{34}\n$`, res.Stdout,
		"aria2's peer id starts with \"A2-\" (41 32 2d in hex), then its version and random bytes\n%s", res)
}
