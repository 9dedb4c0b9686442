package realbt_test

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"workbook/testkit/realbt"
	"workbook/testkit/torrentfile"
)

// unchokeTimeout bounds the wait for a seeder to unchoke us. aria2
// reconsiders its choking every 10 s, so this is a few rounds of that.
const unchokeTimeout = 45 * time.Second

// announceTimeout bounds the wait for the seeders' first announce to show at
// the tracker (both announce as soon as they start seeding).
const announceTimeout = 30 * time.Second

// seeder is one real program serving the test's torrent.
type seeder struct {
	name     string
	addr     netip.AddrPort
	idPrefix string
}

// startSwarm starts opentracker and both real seeders for a torrent built by
// build (given the tracker's announce URL) and waits until the tracker lists
// both seeders.
func startSwarm(t *testing.T, build func(announce string) *torrentfile.Torrent) (*realbt.Opentracker, *torrentfile.Torrent, []seeder) {
	t.Helper()
	realbt.Require(t, "opentracker", "aria2c", "qbittorrent-nox")

	tr := realbt.StartOpentracker(t)
	tor := build(tr.AnnounceURL)
	tr.Allow(t, tor.InfoHash) // before the seeders start: they announce at once

	dir := t.TempDir()
	require.NoError(t, tor.WriteContent(dir))
	torrentPath := tor.WriteTorrent(t)

	start := time.Now()
	a := realbt.StartAria2Seeder(t, torrentPath, dir)
	t.Logf("aria2c seeding on %v after %v", a.Addr, time.Since(start).Round(time.Millisecond))

	start = time.Now()
	q := realbt.StartQBittorrent(t)
	t.Logf("qbittorrent-nox up on %v (Web UI %s) after %v", q.Addr, q.WebUI, time.Since(start).Round(time.Millisecond))
	start = time.Now()
	hash := q.AddTorrent(t, torrentPath, dir)
	t.Logf("qbittorrent-nox seeding after %v", time.Since(start).Round(time.Millisecond))
	require.Equal(t, tor.InfoHash, hash, "qBittorrent's info hash for the torrent")

	start = time.Now()
	peers := tr.WaitForPeers(t, tor.InfoHash, announceTimeout, a.Addr, q.Addr)
	t.Logf("opentracker lists %v after %v", peers, time.Since(start).Round(time.Millisecond))

	return tr, tor, []seeder{
		{name: "aria2c", addr: a.Addr, idPrefix: realbt.Aria2PeerIDPrefix},
		{name: "qbittorrent-nox", addr: q.Addr, idPrefix: realbt.QBittorrentPeerIDPrefix},
	}
}

// TestRealSeeders is the end-to-end check of the harness: a real tracker and
// two real seeders on loopback, each shaking hands with a raw BitTorrent
// peer and serving it real blocks (the first block, and the short last block
// of the short last piece).
func TestRealSeeders(t *testing.T) {
	tests := []struct {
		name  string
		build func(announce string) *torrentfile.Torrent
	}{
		{"single file", func(announce string) *torrentfile.Torrent {
			return torrentfile.MustBuild(t, torrentfile.Options{
				Seed: 11, Name: "realbt.bin", Length: 5*32768 + 20000 + 7, PieceLength: 32768, Announce: announce,
			})
		}},
		{"multi file", func(announce string) *torrentfile.Torrent {
			return torrentfile.MustBuild(t, torrentfile.Options{
				Seed: 12, Name: "realbt-album", PieceLength: 32768, Announce: announce,
				Files: []torrentfile.FileSpec{
					{Path: []string{"a.txt"}, Length: 1000},
					{Path: []string{"disc 1", "b.flac"}, Length: 70001},
					{Path: []string{"disc 2", "c.jpg"}, Length: 23456},
				},
			})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, tor, seeders := startSwarm(t, tc.build)
			for _, s := range seeders {
				t.Run(s.name, func(t *testing.T) {
					t.Parallel()
					checkSeeder(t, s, tor)
				})
			}
		})
	}
}

// checkSeeder shakes hands with a seeder, checks its peer id, and fetches
// two blocks from it.
func checkSeeder(t *testing.T, s seeder, tor *torrentfile.Torrent) {
	p := dialPeer(t, s.addr.String(), tor.InfoHash)
	require.True(t, strings.HasPrefix(string(p.PeerID[:]), s.idPrefix),
		"%s's peer id %q should start with %q", s.name, p.PeerID[:], s.idPrefix)

	waited := p.awaitUnchoke(t, unchokeTimeout)
	t.Logf("%s (peer id %q) unchoked us %v after interested", s.name, p.PeerID[:8], waited.Round(time.Millisecond))

	got := p.fetchBlock(t, 0, 0, blockSize)
	require.Equal(t, tor.Piece(0)[:blockSize], got, "first block of piece 0 from %s", s.name)

	last := tor.NumPieces() - 1
	lastSize := int(tor.PieceSize(last))
	begin := (lastSize - 1) / blockSize * blockSize
	got = p.fetchBlock(t, last, begin, lastSize-begin)
	require.Equal(t, tor.Piece(last)[begin:], got, "last (short) block of the last piece from %s", s.name)

	// A second connection from the same address, while the first is open:
	// every peer here is 127.0.0.1, so a seeder that allowed one connection
	// per IP (qBittorrent without MultiConnectionsPerIp) would drop it.
	second := dialPeer(t, s.addr.String(), tor.InfoHash)
	second.awaitUnchoke(t, unchokeTimeout)
	got = second.fetchBlock(t, 0, blockSize, blockSize)
	require.Equal(t, tor.Piece(0)[blockSize:2*blockSize], got, "second block of piece 0 over a second connection to %s", s.name)
}

// TestAria2DownloadsFromRealSeeders runs aria2c as a downloader with
// realbt.Aria2DownloadArgs (the flags the speed comparison uses) against the
// real swarm, and checks the file it writes.
func TestAria2DownloadsFromRealSeeders(t *testing.T) {
	t.Parallel()
	_, tor, _ := startSwarm(t, func(announce string) *torrentfile.Torrent {
		return torrentfile.MustBuild(t, torrentfile.Options{
			Seed: 13, Name: "realbt-dl.bin", Length: 3<<20 + 12345, PieceLength: 256 << 10, Announce: announce,
		})
	})
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	port := freeTestPort(t)
	cmd := exec.CommandContext(ctx, "aria2c", realbt.Aria2DownloadArgs(tor.WriteTorrent(t), out, port)...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())

	var stdout strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stdout
	start := time.Now()
	require.NoError(t, cmd.Start())
	// While it downloads, its sockets must stay on loopback too.
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	checked := false
	for {
		select {
		case err := <-done:
			require.NoError(t, err, "aria2c download failed:\n%s", stdout.String())
			require.True(t, checked, "aria2c ended before its sockets could be checked")
			t.Logf("aria2c downloaded %d bytes in %v", tor.Length, time.Since(start).Round(time.Millisecond))
			require.NoError(t, tor.VerifyContent(filepath.Join(out, tor.Name)))
			return
		case <-time.After(20 * time.Millisecond):
			if !checked { // once it has sockets: its listener, the tracker, the peers
				checked = realbt.AssertLoopbackIfAny(t, cmd.Process.Pid)
			}
		}
	}
}

// freeTestPort returns a TCP port free on 127.0.0.1 right now.
func freeTestPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestOpentrackerWhitelist checks the quirk every real-tracker test meets:
// Debian's opentracker refuses info hashes that are not on its whitelist,
// until Allow adds them.
func TestOpentrackerWhitelist(t *testing.T) {
	t.Parallel()
	known := [20]byte{1, 2, 3}
	unknown := [20]byte{4, 5, 6}
	tr := realbt.StartOpentracker(t, known)

	peers, err := tr.Peers(context.Background(), known)
	require.NoError(t, err)
	require.Empty(t, peers, "a fresh tracker knows no peers (the probe peer is never listed)")

	_, err = tr.Peers(context.Background(), unknown)
	require.ErrorContains(t, err, "not authorized", "opentracker must refuse a hash that is not whitelisted")

	tr.Allow(t, unknown)
	_, err = tr.Peers(context.Background(), unknown)
	require.NoError(t, err, "after Allow the hash is served")
}

// TestOpentrackerHashWithSpaceAndPlus checks the probe announce's
// percent-encoding: a 0x20 byte must go as %20 (not "+", which a tracker
// reads as a plus sign and so as another info hash) and "+" as %2B.
func TestOpentrackerHashWithSpaceAndPlus(t *testing.T) {
	t.Parallel()
	hash := [20]byte{' ', '+', '%', '&', '=', 0x00, 0xff}
	tr := realbt.StartOpentracker(t, hash)
	_, err := tr.Peers(context.Background(), hash)
	require.NoError(t, err, "opentracker must receive exactly the whitelisted 20 bytes")
}

// fakeTB records how Require ended a test. Fatalf and Skip stop the calling
// goroutine, as the real ones do.
type fakeTB struct {
	testing.TB
	mu      sync.Mutex
	skipped string
	fatal   string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.fatal = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}
func (f *fakeTB) Skip(args ...any) {
	f.mu.Lock()
	f.skipped = fmt.Sprint(args...)
	f.mu.Unlock()
	runtime.Goexit()
}

// requireOn runs realbt.Require on a fakeTB in its own goroutine.
func requireOn(programs ...string) *fakeTB {
	f := &fakeTB{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		realbt.Require(f, programs...)
	}()
	<-done
	return f
}

func TestRequire(t *testing.T) {
	missing := "realbt-no-such-program"

	t.Run("present program passes", func(t *testing.T) {
		f := requireOn("sh")
		require.Empty(t, f.skipped)
		require.Empty(t, f.fatal)
	})
	t.Run("missing program skips locally", func(t *testing.T) {
		t.Setenv(realbt.CIEnv, "")
		f := requireOn("sh", missing)
		require.Contains(t, f.skipped, missing, "the skip message names the missing program")
		require.Contains(t, f.skipped, "apt-get install", "the skip message says how to install it")
		require.Empty(t, f.fatal)
	})
	t.Run("missing program fails in CI", func(t *testing.T) {
		t.Setenv(realbt.CIEnv, "true")
		f := requireOn(missing)
		require.Contains(t, f.fatal, missing, "with CI set, a missing program is a failure")
		require.Empty(t, f.skipped)
	})
}

// TestQBittorrentRefusesWrongContent checks that AddTorrent does not hand a
// test a "seeder" whose files do not match the torrent: qBittorrent's hash
// check finds the mismatch and AddTorrent fails saying why (a few seconds
// after the check, not at the end of its two-minute timeout).
func TestQBittorrentRefusesWrongContent(t *testing.T) {
	t.Parallel()
	tor := torrentfile.MustBuild(t, torrentfile.Options{Seed: 21, Name: "wrong.bin", Length: 100000})
	other := torrentfile.MustBuild(t, torrentfile.Options{Seed: 22, Name: "wrong.bin", Length: 100000})
	dir := t.TempDir()
	require.NoError(t, other.WriteContent(dir)) // same name and size, other bytes

	q := realbt.StartQBittorrent(t)
	f := &fakeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		q.AddTorrent(f, tor.WriteTorrent(t), dir)
	}()
	<-done
	require.Contains(t, f.fatal, "does not match the torrent", "AddTorrent must fail on content that fails the hash check")
}
