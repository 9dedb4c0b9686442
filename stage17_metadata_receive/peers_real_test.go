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

// TestPeersRealOpentracker runs `peers` against Debian's opentracker, with
// an aria2c seeder announcing to it, all on 127.0.0.1: the peer list must
// hold aria2's address. Skips when the programs are missing, unless CI is
// set (then it fails).
func TestPeersRealOpentracker(t *testing.T) {
	t.Parallel()
	realbt.Require(t, "opentracker", "aria2c")
	tr := realbt.StartOpentracker(t)
	tor := torrentfile.MustBuild(t, torrentfile.Options{Seed: 80, Name: "real.bin", Length: 300000, PieceLength: 32768, Announce: tr.AnnounceURL})
	tr.Allow(t, tor.InfoHash) // Debian's opentracker only serves whitelisted info hashes
	dir := t.TempDir()
	require.NoError(t, tor.WriteContent(dir))
	path := tor.WriteTorrent(t)
	seeder := realbt.StartAria2Seeder(t, path, dir)
	tr.WaitForPeers(t, tor.InfoHash, 30*time.Second, seeder.Addr)

	res := cli.Run(t, "peers", path)
	t.Logf("aria2c seeds on %s; `peers` printed:\n%s", seeder.Addr, res.Stdout)

	require.Equal(t, 0, res.ExitCode, "`peers` against a real opentracker should succeed\n%s", res)
	lines := strings.Split(strings.TrimSuffix(res.Stdout, "\n"), "\n")
	for _, line := range lines {
		_, err := netip.ParseAddrPort(line)
		require.NoError(t, err, "every line of stdout should be one ip:port\n%s", res)
	}
	require.Contains(t, lines, seeder.Addr.String(),
		"opentracker knows the aria2c seeder at %s (opentracker also lists the announcing peer itself, 127.0.0.1:6881)\n%s", seeder.Addr, res)
}

// TestPeersRealOpentrackerRefuses announces a torrent the real tracker does
// not serve: its `failure reason` must reach the user.
func TestPeersRealOpentrackerRefuses(t *testing.T) {
	t.Parallel()
	tr := realbt.StartOpentracker(t) // whitelist empty: every torrent refused
	tor := torrentfile.MustBuild(t, torrentfile.Options{Seed: 81, Length: 5000, Announce: tr.AnnounceURL})

	res := cli.Run(t, "peers", tor.WriteTorrent(t))

	requireOneLineError(t, res, "show the tracker's `failure reason`", "Requested download is not authorized for use with this tracker.")
	if !cli.Grading() {
		require.Equal(t, "error: tracker "+tr.AnnounceURL+" said: Requested download is not authorized for use with this tracker.\n", res.Stderr)
	}
}
