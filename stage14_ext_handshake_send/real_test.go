package main_test

import (
	"bytes"
	"context"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"workbook/testkit/cli"
	"workbook/testkit/realbt"
	"workbook/testkit/torrentfile"
)

// realSeeder starts one real program seeding torrentPath from dir and
// returns its address.
type realSeeder struct {
	name  string
	start func(t *testing.T, torrentPath, dir string) netip.AddrPort
}

var realSeeders = []realSeeder{
	{"aria2c", func(t *testing.T, torrentPath, dir string) netip.AddrPort {
		return realbt.StartAria2Seeder(t, torrentPath, dir).Addr
	}},
	{"qbittorrent-nox", func(t *testing.T, torrentPath, dir string) netip.AddrPort {
		return realbt.StartQBittorrentSeeder(t, torrentPath, dir).Addr
	}},
}

// TestDownloadFromRealSeeders downloads with the `download` command from the
// programs people run: a real opentracker hands out a real aria2c or
// qBittorrent (libtorrent) seeder, or both at once. Everything stays on
// 127.0.0.1: the harness turns DHT, PEX, local discovery and UPnP off in the
// seeders and checks every socket, ours included.
func TestDownloadFromRealSeeders(t *testing.T) {
	realbt.Require(t, "opentracker", "aria2c", "qbittorrent-nox")
	layouts := []struct {
		name string
		opts torrentfile.Options
	}{
		{"SingleFile", torrentfile.Options{Name: "real.bin", Length: 4<<20 + 4321, PieceLength: 256 << 10}},
		{"MultiFile", torrentfile.Options{Name: "real-album", PieceLength: 64 << 10, Files: []torrentfile.FileSpec{
			{Path: []string{"README.txt"}, Length: 999},
			{Path: []string{"disc 1", "01 intro.flac"}, Length: 3<<20 + 17},
			{Path: []string{"disc 2", "empty.cue"}, Length: 0},
			{Path: []string{"disc 2", "art", "cover.jpg"}, Length: 200_000},
		}}},
	}
	seed := uint64(100)
	for _, layout := range layouts {
		for _, seeders := range [][]realSeeder{{realSeeders[0]}, {realSeeders[1]}, realSeeders} {
			name := layout.name + "/" + seeders[0].name
			if len(seeders) > 1 {
				name = layout.name + "/both"
			}
			o := layout.opts
			seed++
			o.Seed = seed // a torrent of its own per case
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				tor, tr := startTracker(t, o)
				dir := t.TempDir()
				require.NoError(t, tor.WriteContent(dir))
				torrentPath := tor.WriteTorrent(t)
				var addrs []netip.AddrPort
				for _, s := range seeders {
					addrs = append(addrs, s.start(t, torrentPath, dir))
				}
				tr.WaitForPeers(t, tor.InfoHash, 30*time.Second, addrs...)

				out := filepath.Join(t.TempDir(), "out")
				res := runCheckingLoopback(t, "download", "-o", out, torrentPath)
				require.Equal(t, 0, res.ExitCode, "download from real seeders must succeed\n%s", res)
				require.Equal(t, "Downloaded "+torrentPath+" to "+out+".\n", res.Stdout, "%s", res)
				require.NoError(t, tor.VerifyContent(out), "the download must match what the real seeders serve")
			})
		}
	}
}

// startTracker starts an opentracker serving the torrent o describes and
// returns the torrent, announcing to it. Debian's opentracker serves only
// the info hashes on its whitelist, given at start; the info hash does not
// cover the announce URL, so the torrent is hashed first and given the
// tracker's URL afterwards.
func startTracker(t *testing.T, o torrentfile.Options) (*torrentfile.Torrent, *realbt.Opentracker) {
	t.Helper()
	tr := realbt.StartOpentracker(t, torrentfile.MustBuild(t, o).InfoHash)
	o.Announce = tr.AnnounceURL
	return torrentfile.MustBuild(t, o), tr
}

// runCheckingLoopback runs the program under test like cli.Run, and while it
// runs checks that all its sockets are on 127.0.0.1 (realbt reads them from
// /proc every few milliseconds). On a busy machine a download of some MiB
// can still end before a look finds its sockets; it is then run again (at
// most three times) from a clean output path (the -o argument).
func runCheckingLoopback(t *testing.T, args ...string) cli.Result {
	t.Helper()
	for attempt := 1; ; attempt++ {
		res, checked := runWithSocketCheck(t, args...)
		if checked || attempt == 3 {
			require.True(t, checked, "the download ended before its sockets could be checked, 3 times")
			return res
		}
		t.Logf("attempt %d ended before its sockets were seen: once more", attempt)
		if i := slices.Index(args, "-o"); i >= 0 && i+1 < len(args) {
			require.NoError(t, os.RemoveAll(args[i+1]))
		}
	}
}

// runWithSocketCheck runs the program once, checking its sockets as soon
// as it has some, and reports whether it was checked.
func runWithSocketCheck(t *testing.T, args ...string) (res cli.Result, checked bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, cli.Program(t), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	for waiting := true; waiting; {
		select {
		case err = <-done:
			waiting = false
		case <-time.After(5 * time.Millisecond):
			// Check once the program has sockets (after it started, before
			// it ended): the tracker request, the peer connections.
			if !checked {
				checked = realbt.AssertLoopbackIfAny(t, cmd.Process.Pid)
			}
		}
	}
	require.NoError(t, ctx.Err(), "the download did not finish within 2 minutes\n%s", stderr.String())
	res = cli.Result{Stdout: stdout.String(), Stderr: stderr.String()}
	if exitErr, ok := err.(*exec.ExitError); ok {
		res.ExitCode = exitErr.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return res, checked
}
