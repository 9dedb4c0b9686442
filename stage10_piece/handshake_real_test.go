package main_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"workbook/testkit/cli"
	"workbook/testkit/realbt"
	"workbook/testkit/torrentfile"
)

// TestHandshakeRealAria2 shakes hands with a real BitTorrent program: aria2c
// seeding on 127.0.0.1, found through `peers` from a real opentracker. aria2
// answers with its own peer id, which starts with "A2-" (hex 41 32 2d).
// Skips when the programs are missing, unless CI is set (then it fails).
func TestHandshakeRealAria2(t *testing.T) {
	t.Parallel()
	realbt.Require(t, "opentracker", "aria2c")
	tr := realbt.StartOpentracker(t)
	tor := torrentfile.MustBuild(t, torrentfile.Options{Seed: 90, Name: "real.bin", Length: 300000, PieceLength: 32768, Announce: tr.AnnounceURL})
	tr.Allow(t, tor.InfoHash) // Debian's opentracker serves only whitelisted info hashes
	dir := t.TempDir()
	require.NoError(t, tor.WriteContent(dir))
	path := tor.WriteTorrent(t)
	seeder := realbt.StartAria2Seeder(t, path, dir)
	tr.WaitForPeers(t, tor.InfoHash, 30*time.Second, seeder.Addr)

	peers := cli.Run(t, "peers", path)
	require.Equal(t, 0, peers.ExitCode, "%s", peers)
	require.Contains(t, strings.Split(peers.Stdout, "\n"), seeder.Addr.String(),
		"opentracker should list the aria2c seeder\n%s", peers)

	res := cli.Run(t, "handshake", path, seeder.Addr.String())
	t.Logf("aria2c at %s answered: %s", seeder.Addr, res.Stdout)

	require.Equal(t, 0, res.ExitCode, "a real aria2c seeder should complete the handshake\n%s", res)
	require.Regexp(t, `^Peer ID: 41322d[0-9a-f]{34}\n$`, res.Stdout,
		"aria2's peer id starts with \"A2-\" (41 32 2d in hex), then its version and random bytes\n%s", res)
}
