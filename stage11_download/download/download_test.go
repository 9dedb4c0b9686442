package download_test

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"workbook/stage11_download/download"
	"workbook/stage11_download/peer"
	"workbook/stage11_download/torrent"
	"workbook/testkit/swarm"
	"workbook/testkit/torrentfile"
)

// testOptions keep the fault tests fast: a peer that gives nothing for a
// second is dropped, a handshake that does not come in two seconds fails.
// (Not less: on a busy CI machine an honest seeder may pause that long.)
func testOptions() download.Options {
	return download.Options{StallTimeout: time.Second, DialTimeout: 2 * time.Second}
}

// testTorrent is 10 pieces of 32 KiB, the last one shorter (5088 bytes);
// 10 is not a multiple of 8, so a bitfield has spare bits.
func testTorrent(t *testing.T) *torrentfile.Torrent {
	return torrentfile.MustBuild(t, torrentfile.Options{Seed: 11, Name: "eleven.bin", Length: 300_000, PieceLength: 32 * 1024})
}

// metainfo parses the torrent's bytes with this stage's own parser.
func metainfo(t *testing.T, tt *torrentfile.Torrent) *torrent.Metainfo {
	t.Helper()
	m, err := torrent.Parse(tt.Bytes)
	require.NoError(t, err, "parse the test torrent")
	return m
}

// seed starts one fake seeder per options on 127.0.0.1 serving tt's content.
func seed(t *testing.T, tt *torrentfile.Torrent, opts ...swarm.Options) []netip.AddrPort {
	t.Helper()
	content := swarm.Content{InfoHash: tt.InfoHash, PieceLength: tt.PieceLength, Length: tt.Length, Data: tt.Content}
	var addrs []netip.AddrPort
	for _, o := range opts {
		addrs = append(addrs, swarm.Start(t, content, o).AddrPort())
	}
	return addrs
}

// fetch downloads tt from peers into a fresh directory and returns the
// output path. The context bounds the test: hitting it means Download hung.
func fetch(t *testing.T, tt *torrentfile.Torrent, peers []netip.AddrPort, opts download.Options) (string, download.Stats, error) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	stats, err := download.Download(ctx, metainfo(t, tt), peers, out, opts)
	require.NoError(t, ctx.Err(), "Download did not return before the test's deadline: it must fail on its own, in bounded time")
	return out, stats, err
}

// requireNothingAt checks that a failed download left nothing behind: no
// file at the output path and no temporary file beside it.
func requireNothingAt(t *testing.T, out string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(out))
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	require.Empty(t, names, "a failed download must leave neither the output nor its temporary file")
}

func TestDownloadSingleFile(t *testing.T) {
	checkLeaks(t)
	tt := testTorrent(t)
	peers := seed(t, tt, swarm.Options{}, swarm.Options{}, swarm.Options{})

	out, stats, err := fetch(t, tt, peers, testOptions())
	require.NoError(t, err)
	require.NoError(t, tt.VerifyContent(out), "the file at the output path must be the torrent's content")
	require.Equal(t, tt.Length, stats.Bytes)
	require.GreaterOrEqual(t, stats.PeersUsed, 1)
	requireOnly(t, out)
	info, err := os.Stat(out)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o644), info.Mode().Perm(), "the download is an ordinary file, not the temporary file's 0600")
}

// requireOnly checks the output is the only thing in its directory: the
// temporary file was renamed, not copied.
func requireOnly(t *testing.T, out string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(out))
	require.NoError(t, err)
	require.Len(t, entries, 1, "only the output may be left beside the output (no temporary file)")
	require.Equal(t, filepath.Base(out), entries[0].Name())
}

func TestDownloadMultiFile(t *testing.T) {
	checkLeaks(t)
	tt := torrentfile.SampleMulti(t)
	peers := seed(t, tt, swarm.Options{}, swarm.Options{})

	out, _, err := fetch(t, tt, peers, testOptions())
	require.NoError(t, err)
	require.NoError(t, tt.VerifyContent(out), "-o names the directory that holds the torrent's files")
	info, err := os.Stat(filepath.Join(out, "disc 2", "empty.cue"))
	require.NoError(t, err, "an empty file of the torrent is created too")
	require.Zero(t, info.Size())
	requireOnly(t, out)
}

func TestDownloadMultiFileOutputWithSlash(t *testing.T) {
	checkLeaks(t)
	tt := torrentfile.SampleMulti(t)
	peers := seed(t, tt, swarm.Options{})
	out := filepath.Join(t.TempDir(), "album") + "/"

	_, err := download.Download(context.Background(), metainfo(t, tt), peers, out, testOptions())
	require.NoError(t, err)
	require.NoError(t, tt.VerifyContent(out), "-o album/ is the directory album")
}

func TestDownloadLastPieceShorter(t *testing.T) {
	checkLeaks(t)
	tt := torrentfile.Sample(t) // 6 pieces, the last 10143 bytes
	require.NotEqual(t, tt.PieceLength, tt.PieceSize(tt.NumPieces()-1))
	peers := seed(t, tt, swarm.Options{})

	out, _, err := fetch(t, tt, peers, testOptions())
	require.NoError(t, err)
	require.NoError(t, tt.VerifyContent(out))
}

// faultCase is one way a peer misbehaves; alone says whether a download
// from that peer alone still succeeds (it is slow or odd, not wrong).
type faultCase struct {
	name  string
	opts  swarm.Options
	alone bool
}

func faultCases() []faultCase {
	cases := []faultCase{
		{name: "KeepAlivesBetweenMessages", opts: swarm.Options{KeepAlives: true}, alone: true},
		{name: "PartialBitfieldThenHaves", opts: swarm.Options{LateHaves: []int{0, 3, 9}, HaveDelay: 50 * time.Millisecond}, alone: true},
		{name: "SlowPeer", opts: swarm.Options{BlockDelay: 20 * time.Millisecond}, alone: true},
		{name: "UnchokeBeforeInterested", opts: swarm.Options{UnchokeEarly: true}, alone: true},
		{name: "MissingPieces", opts: swarm.Options{Missing: []int{2, 7}}, alone: false},
	}
	for _, f := range swarm.Faults() {
		alone := f == swarm.Honest || f == swarm.ChokeMidPieceThenUnchoke || f == swarm.DuplicateBlock
		cases = append(cases, faultCase{name: f.String(), opts: swarm.Options{Fault: f}, alone: alone})
	}
	return cases
}

// TestDownloadWithBadPeer runs every fault mode of the fake swarm next to one
// honest seeder: whatever the bad peer does, the download must finish with
// the right content.
func TestDownloadWithBadPeer(t *testing.T) {
	for _, tc := range faultCases() {
		t.Run(tc.name, func(t *testing.T) {
			checkLeaks(t)
			tt := testTorrent(t)
			peers := seed(t, tt, tc.opts, swarm.Options{})

			out, _, err := fetch(t, tt, peers, testOptions())
			require.NoError(t, err, "one honest peer is enough to finish the download")
			require.NoError(t, tt.VerifyContent(out), "a bad peer must never get its data into the file")
		})
	}
}

// TestDownloadOnlyBadPeers runs every fault mode alone: a peer that is only
// odd still serves the download; a wrong one makes Download fail with a
// clear error, on its own (no hang), leaving nothing at the output path.
func TestDownloadOnlyBadPeers(t *testing.T) {
	for _, tc := range faultCases() {
		t.Run(tc.name, func(t *testing.T) {
			checkLeaks(t)
			tt := testTorrent(t)
			peers := seed(t, tt, tc.opts, tc.opts)

			out, _, err := fetch(t, tt, peers, testOptions())
			if tc.alone {
				require.NoError(t, err)
				require.NoError(t, tt.VerifyContent(out))
				return
			}
			var failed *download.PeersFailedError
			require.ErrorAs(t, err, &failed, "with no usable peer Download must say every peer failed")
			require.Len(t, failed.Errors, 2, "one reason per peer")
			if tc.opts.Fault == swarm.CorruptBlock {
				require.ErrorIs(t, err, download.ErrHashMismatch, "the reasons can be inspected with errors.Is")
			}
			requireNothingAt(t, out)
		})
	}
}

// TestDownloadCorruptPeerDropped checks a peer that sent a piece failing its
// SHA-1 check is not asked again: one connection, and the file is right.
func TestDownloadCorruptPeerDropped(t *testing.T) {
	checkLeaks(t)
	tt := testTorrent(t)
	content := swarm.Content{InfoHash: tt.InfoHash, PieceLength: tt.PieceLength, Length: tt.Length, Data: tt.Content}
	corrupt := swarm.Start(t, content, swarm.Options{Fault: swarm.CorruptBlock})
	honest := swarm.Start(t, content, swarm.Options{BlockDelay: time.Millisecond})

	out, stats, err := fetch(t, tt, []netip.AddrPort{corrupt.AddrPort(), honest.AddrPort()}, testOptions())
	require.NoError(t, err)
	require.NoError(t, tt.VerifyContent(out))
	require.Equal(t, 1, stats.PeersUsed, "only the honest peer delivered a verified piece")
	corrupt.Close()
	require.LessOrEqual(t, corrupt.Connections(), 1, "a peer that sent bad data is dropped, not reconnected")
}

// TestDownloadReconnects: a peer that sent a verified piece and then lost
// the connection is dialled once more; one that never sent a good piece is
// not. (Pieces of one block: DisconnectMidPiece serves one block, here a
// whole piece, then closes.)
func TestDownloadReconnects(t *testing.T) {
	checkLeaks(t)
	tt := torrentfile.MustBuild(t, torrentfile.Options{Seed: 14, Length: 100_000, PieceLength: peer.BlockSize})
	flaky := swarm.Start(t, swarm.FromTorrent(tt), swarm.Options{Fault: swarm.DisconnectMidPiece})
	corrupt := swarm.Start(t, swarm.FromTorrent(tt), swarm.Options{Fault: swarm.CorruptBlock})

	_, _, err := fetch(t, tt, []netip.AddrPort{flaky.AddrPort(), corrupt.AddrPort()}, testOptions())
	var failed *download.PeersFailedError
	require.ErrorAs(t, err, &failed, "neither peer can deliver the whole torrent")
	flaky.Close()
	corrupt.Close()
	require.Equal(t, 2, flaky.Connections(), "the peer that sent a good piece before it closed is dialled again, once")
	require.Equal(t, 1, corrupt.Connections(), "the peer that sent bad data is not")
}

// TestDownloadEndgame lets a slow peer take every piece first: the fast
// peer announces its pieces only later (have messages). Without an endgame
// the download would wait for the slow peer to serve its whole queue (half a
// minute); with it the fast peer fetches the same pieces, the slow peer's
// outstanding requests are cancelled and it has served only a few blocks.
func TestDownloadEndgame(t *testing.T) {
	checkLeaks(t)
	tt := torrentfile.MustBuild(t, torrentfile.Options{Seed: 12, Length: 1 << 20, PieceLength: 64 * 1024})
	all := make([]int, tt.NumPieces())
	for i := range all {
		all[i] = i
	}
	content := swarm.Content{InfoHash: tt.InfoHash, PieceLength: tt.PieceLength, Length: tt.Length, Data: tt.Content}
	slow := swarm.Start(t, content, swarm.Options{BlockDelay: 500 * time.Millisecond})
	late := swarm.Start(t, content, swarm.Options{LateHaves: all, HaveDelay: 300 * time.Millisecond})

	opts := testOptions()
	opts.StallTimeout = time.Minute // slow is slow, not stalled
	out, _, err := fetch(t, tt, []netip.AddrPort{slow.AddrPort(), late.AddrPort()}, opts)
	require.NoError(t, err)
	require.NoError(t, tt.VerifyContent(out))
	slow.Close()
	blocks := int(tt.Length / peer.BlockSize)
	assert.Less(t, slow.BlocksSent(), blocks/4, "the slow peer must not have served the file: the endgame gives its pieces to the fast peer too")
	assert.NotEmpty(t, slow.Cancels(), "the endgame cancels the requests still queued at the slow peer")
}

func TestDownloadNoPeers(t *testing.T) {
	tt := testTorrent(t)
	out, _, err := fetch(t, tt, nil, testOptions())
	require.ErrorIs(t, err, download.ErrNoPeers)
	requireNothingAt(t, out)
}

func TestDownloadPeersUnreachable(t *testing.T) {
	checkLeaks(t)
	tt := testTorrent(t)
	// A port that was just closed refuses connections.
	s := swarm.Start(t, swarm.Content{InfoHash: tt.InfoHash, PieceLength: tt.PieceLength, Length: tt.Length, Data: tt.Content}, swarm.Options{})
	addr := s.AddrPort()
	s.Close()

	out, _, err := fetch(t, tt, []netip.AddrPort{addr}, testOptions())
	var failed *download.PeersFailedError
	require.ErrorAs(t, err, &failed)
	require.ErrorContains(t, err, addr.String(), "the error names the peer that failed")
	requireNothingAt(t, out)
}

func TestDownloadOutputNotWritable(t *testing.T) {
	checkLeaks(t)
	tt := testTorrent(t)
	peers := seed(t, tt, swarm.Options{})
	// A path under a regular file cannot be created, even by root.
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))

	_, err := download.Download(context.Background(), metainfo(t, tt), peers, filepath.Join(file, "out"), testOptions())
	require.ErrorContains(t, err, "not writable")
}

func TestDownloadOutputIsDirectory(t *testing.T) {
	tt := testTorrent(t)
	dir := t.TempDir()
	_, err := download.Download(context.Background(), metainfo(t, tt), []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:1")}, dir, testOptions())
	require.ErrorContains(t, err, "is a directory")
}

func TestDownloadMultiFileIntoFullDirectory(t *testing.T) {
	tt := torrentfile.SampleMulti(t)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "mine.txt"), []byte("keep me"), 0o644))
	_, err := download.Download(context.Background(), metainfo(t, tt), []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:1")}, dir, testOptions())
	require.ErrorContains(t, err, "not empty", "files already in the output directory are never mixed with a download")
}

func TestDownloadCancelled(t *testing.T) {
	checkLeaks(t)
	tt := testTorrent(t)
	peers := seed(t, tt, swarm.Options{Fault: swarm.NeverUnchoke})
	out := filepath.Join(t.TempDir(), "out")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()

	opts := testOptions()
	opts.StallTimeout = time.Minute
	_, err := download.Download(ctx, metainfo(t, tt), peers, out, opts)
	require.True(t, errors.Is(err, context.DeadlineExceeded), "Ctrl-C (a cancelled context) stops the download: got %v", err)
	requireNothingAt(t, out)
}
