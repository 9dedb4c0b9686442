package download_test

import (
	"context"
	"errors"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"workbook/stage13_magnet_handshake/download"
	"workbook/stage13_magnet_handshake/peer"
	"workbook/stage13_magnet_handshake/torrent"
	"workbook/testkit/swarm"
	"workbook/testkit/torrentfile"
)

// testOptions keep the fault tests fast: a peer that gives nothing for a
// second is dropped, a handshake that does not come in two seconds fails.
// (Not less: on a busy CI machine an honest seeder may pause that long.)
func testOptions() download.Options {
	return download.Options{Timeouts: peer.Timeouts{Read: time.Second, Handshake: 2 * time.Second}}
}

// testTorrent is 31 pieces of 48 KiB, the last one shorter (40000 bytes);
// 31 is not a multiple of 8, so a bitfield has spare bits. Every piece is
// three blocks, and its 93 blocks are more than one pipeline (64 requests,
// 21 pieces and a block): a worker then holds a piece with blocks it has
// not asked for yet, where a stray block must not land
// (UnrequestedAlignedBlock).
func testTorrent(t *testing.T) *torrentfile.Torrent {
	return torrentfile.MustBuild(t, torrentfile.Options{Seed: 11, Name: "eleven.bin", Length: 30*48*1024 + 40000, PieceLength: 48 * 1024})
}

// metainfo parses the torrent's bytes with this stage's own parser.
func metainfo(t *testing.T, tt *torrentfile.Torrent) *torrent.Metainfo {
	t.Helper()
	m, err := torrent.Parse(tt.Bytes)
	require.NoError(t, err, "parse the test torrent")
	return m
}

// seed starts one fake seeder per options on 127.0.0.1 serving tt's content.
// When the test ends, every seeder must have seen the client keep the
// protocol (see requireNoViolations).
func seed(t *testing.T, tt *torrentfile.Torrent, opts ...swarm.Options) []netip.AddrPort {
	t.Helper()
	var addrs []netip.AddrPort
	for _, o := range opts {
		addrs = append(addrs, start(t, tt, o).AddrPort())
	}
	return addrs
}

// start starts one fake seeder of tt and checks, when the test ends, that
// the client broke no rule the seeder checks: no request before the
// unchoke, past a piece's end, over 16 KiB or for a piece the seeder did
// not announce, no malformed message. Whatever the seeder's own fault, the
// client must never answer it with one of its own.
func start(t *testing.T, tt *torrentfile.Torrent, o swarm.Options) *swarm.Seeder {
	t.Helper()
	content := swarm.Content{InfoHash: tt.InfoHash, PieceLength: tt.PieceLength, Length: tt.Length, Data: tt.Content}
	s := swarm.Start(t, content, o)
	t.Cleanup(func() {
		s.Close() // the records are final once it is closed
		assert.Empty(t, s.Violations(), "the client broke the protocol with a seeder (fault %v)", o.Fault)
	})
	return s
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

// faultCase is one way a peer misbehaves. A peer that is only slow or odd
// still serves a download alone (reason nil); a wrong one is dropped, and
// reason is why: each peer's error must wrap it.
type faultCase struct {
	name   string
	opts   swarm.Options
	reason error
}

// faultReasons is why the client drops a peer with each fault: not just
// dropped, dropped for the right reason. A check that is missing shows up
// here: without the SHA-1 check a corrupt peer stalls instead, and without
// the requested-block check a peer sending strays fails the SHA-1 check
// instead of being ignored (one stray) or caught breaking the protocol
// (a flood of them).
var faultReasons = map[swarm.Fault]error{
	swarm.WrongInfoHash:        peer.ErrInfoHashMismatch,
	swarm.WrongProtocol:        peer.ErrNotBitTorrent,
	swarm.ShortHandshake:       io.ErrUnexpectedEOF,
	swarm.NoHandshakeReply:     os.ErrDeadlineExceeded,
	swarm.CloseBeforeHandshake: errConnectionLost,
	swarm.ResetBeforeHandshake: errConnectionLost,
	swarm.CloseAfterHandshake:  errConnectionLost,
	swarm.ResetAfterHandshake:  errConnectionLost,
	swarm.NeverUnchoke:         download.ErrStalled,
	swarm.ChokeMidPiece:        download.ErrStalled,
	swarm.DisconnectMidPiece:   errConnectionLost,
	swarm.CorruptBlock:         download.ErrHashMismatch,
	swarm.HugeLength:           peer.ErrMessageTooLong,
	swarm.BitfieldWrongSize:    download.ErrProtocol,
	swarm.BitfieldSpareBits:    download.ErrProtocol,
}

// errConnectionLost stands for the ways a closed connection shows: EOF, or
// a reset when the peer closed with our bytes unread (timing decides).
var errConnectionLost = errors.New("connection lost")

// requireDroppedFor checks a peer's error wraps reason.
func requireDroppedFor(t *testing.T, err, reason error) {
	t.Helper()
	if reason == errConnectionLost &&
		(errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)) {
		return
	}
	require.ErrorIs(t, err, reason, "the peer was dropped, but for the wrong reason")
}

func faultCases() []faultCase {
	cases := []faultCase{
		{name: "KeepAlivesBetweenMessages", opts: swarm.Options{KeepAlives: true}},
		{name: "PartialBitfieldThenHaves", opts: swarm.Options{LateHaves: []int{0, 3, 9, 30}, HaveDelay: 50 * time.Millisecond}},
		{name: "SlowPeer", opts: swarm.Options{BlockDelay: 5 * time.Millisecond}},
		{name: "UnchokeBeforeInterested", opts: swarm.Options{UnchokeEarly: true}},
		{name: "MissingPieces", opts: swarm.Options{Missing: []int{2, 7}}, reason: download.ErrStalled},
		{name: "StrayBlockFlood", opts: swarm.Options{Fault: swarm.UnrequestedAlignedBlock, StrayBlocks: 200}, reason: download.ErrProtocol},
	}
	for _, f := range swarm.Faults() {
		cases = append(cases, faultCase{name: f.String(), opts: swarm.Options{Fault: f}, reason: faultReasons[f]})
	}
	return cases
}

// TestFaultReasons: every fault of the fake swarm is in faultCases with a
// decision: served alone, or dropped for a named reason.
func TestFaultReasons(t *testing.T) {
	alone := []swarm.Fault{swarm.Honest, swarm.ChokeMidPieceThenUnchoke, swarm.UnrequestedBlock, swarm.DuplicateBlock, swarm.UnrequestedAlignedBlock}
	for _, f := range swarm.Faults() {
		_, dropped := faultReasons[f]
		require.NotEqual(t, slices.Contains(alone, f), dropped,
			"fault %v: either a download from it alone succeeds or faultReasons says why it fails", f)
	}
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
// The cases mostly wait out peer timeouts, so they run side by side, and
// the leak check covers them together: it runs once all have ended (no
// other test of the package runs beside them).
func TestDownloadOnlyBadPeers(t *testing.T) {
	checkLeaks(t)
	for _, tc := range faultCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tt := testTorrent(t)
			peers := seed(t, tt, tc.opts, tc.opts)

			out, _, err := fetch(t, tt, peers, testOptions())
			if tc.reason == nil {
				require.NoError(t, err)
				require.NoError(t, tt.VerifyContent(out))
				return
			}
			var failed *download.PeersError
			require.ErrorAs(t, err, &failed, "with no usable peer Download must say every peer failed")
			require.Len(t, failed.Errors, 2, "one reason per peer")
			for _, perr := range failed.Errors {
				requireDroppedFor(t, perr, tc.reason)
			}
			requireNothingAt(t, out)
		})
	}
}

// TestDownloadIgnoresUnrequestedBlock: a lone peer sends, before the real
// blocks, a garbage block at the one place a worker has a buffer for but
// has not asked for yet: the rest of the piece its pipeline ended in. A
// worker that copies any block fitting an active piece ruins that piece
// and drops a peer that did serve every block it was asked for.
func TestDownloadIgnoresUnrequestedBlock(t *testing.T) {
	checkLeaks(t)
	tt := testTorrent(t)
	s := start(t, tt, swarm.Options{Fault: swarm.UnrequestedAlignedBlock})

	out, stats, err := fetch(t, tt, []netip.AddrPort{s.AddrPort()}, testOptions())
	require.NoError(t, err, "a block we did not request is ignored, never written into a piece")
	require.NoError(t, tt.VerifyContent(out))
	require.Equal(t, 1, stats.PeersUsed)
	s.Close()
	require.Equal(t, 1, s.Connections(), "one stray is no reason to drop a peer")
}

// TestDownloadMemoryBound: however many peers, the piece buffers held at
// once stay within Options.MaxBuffered; a piece bigger than the bound is
// still fetched, alone. Six peers fetching pieces of 1 MiB would otherwise
// hold 12 MiB (two pieces each).
func TestDownloadMemoryBound(t *testing.T) {
	const MiB = 1 << 20
	tests := []struct {
		name        string
		maxBuffered int64
		want        int64 // the most buffered at once, at most
	}{
		{"TwoPieces", 2 * MiB, 2 * MiB},
		{"PieceOverTheBound", MiB / 2, MiB},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkLeaks(t)
			tt := torrentfile.MustBuild(t, torrentfile.Options{Seed: 15, Length: 8*MiB - 1000, PieceLength: MiB})
			var o []swarm.Options
			for range 6 {
				o = append(o, swarm.Options{})
			}
			opts := testOptions()
			opts.MaxBuffered = tc.maxBuffered
			out, stats, err := fetch(t, tt, seed(t, tt, o...), opts)
			require.NoError(t, err)
			require.NoError(t, tt.VerifyContent(out))
			require.LessOrEqual(t, stats.PeakBuffered, tc.want, "piece buffers held at once")
			require.GreaterOrEqual(t, stats.PeakBuffered, int64(MiB), "a piece is buffered whole before its SHA-1 check")
		})
	}
}

// TestDownloadCorruptPeerDropped checks a peer that sent a piece failing its
// SHA-1 check is not asked again: one connection, and the file is right.
func TestDownloadCorruptPeerDropped(t *testing.T) {
	checkLeaks(t)
	tt := testTorrent(t)
	corrupt := start(t, tt, swarm.Options{Fault: swarm.CorruptBlock})
	honest := start(t, tt, swarm.Options{BlockDelay: time.Millisecond})

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
	flaky := start(t, tt, swarm.Options{Fault: swarm.DisconnectMidPiece})
	corrupt := start(t, tt, swarm.Options{Fault: swarm.CorruptBlock})

	_, _, err := fetch(t, tt, []netip.AddrPort{flaky.AddrPort(), corrupt.AddrPort()}, testOptions())
	var failed *download.PeersError
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
	slow := start(t, tt, swarm.Options{BlockDelay: 500 * time.Millisecond})
	// 5 ms a block: the fast peer's pieces complete over a third of a
	// second, not in one burst that could end the download before the slow
	// peer's worker wakes to cancel (as it did on a machine at load 13).
	late := start(t, tt, swarm.Options{LateHaves: all, HaveDelay: 300 * time.Millisecond, BlockDelay: 5 * time.Millisecond})

	opts := testOptions()
	opts.Timeouts.Read = time.Minute // slow is slow, not stalled
	// So the slow peer takes every piece first: the meter would shrink its
	// pipeline to two pieces, both of which the fast peer may then finish
	// last, at once, and the download ends without a cancel.
	opts.FixedDepth = download.PipelineDepth
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
	s := start(t, tt, swarm.Options{})
	addr := s.AddrPort()
	s.Close()

	out, _, err := fetch(t, tt, []netip.AddrPort{addr}, testOptions())
	var failed *download.PeersError
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
	opts.Timeouts.Read = time.Minute
	_, err := download.Download(ctx, metainfo(t, tt), peers, out, opts)
	require.True(t, errors.Is(err, context.DeadlineExceeded), "Ctrl-C (a cancelled context) stops the download: got %v", err)
	requireNothingAt(t, out)
}
