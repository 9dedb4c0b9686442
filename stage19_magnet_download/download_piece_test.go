package main_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"workbook/testkit/cli"
	"workbook/testkit/swarm"
	"workbook/testkit/torrentfile"
	faketracker "workbook/testkit/tracker"
)

// pieceSwarm starts a fake tracker listing one seeder per option, in order,
// for a torrent of 4 pieces of 64 KiB and a last one of 20000 bytes (its
// last block is 3616 bytes), and writes the torrent.
func pieceSwarm(t *testing.T, opts ...swarm.Options) (*torrentfile.Torrent, string, swarm.Swarm) {
	t.Helper()
	fake := faketracker.New(t, faketracker.Config{})
	tor := torrentfile.MustBuild(t, torrentfile.Options{Seed: 10, Name: "sample.bin", Length: 4*65536 + 20000,
		PieceLength: 65536, Announce: fake.URL()})
	sw := swarm.StartSwarm(t, swarm.FromTorrent(tor), opts...)
	fake.Add(tor.InfoHash, faketracker.Expect{Left: tor.Length, Port: 6881}, faketracker.Answer{Peers: faketracker.Peers(sw.Addrs()...)})
	return tor, tor.WriteTorrent(t), sw
}

// requirePiece checks a successful download_piece run and the file it wrote.
func requirePiece(t *testing.T, res cli.Result, tor *torrentfile.Torrent, index int, out string) {
	t.Helper()
	require.Equal(t, 0, res.ExitCode, "`download_piece` should succeed\n%s", res)
	require.Equal(t, fmt.Sprintf("Piece %d downloaded to %s.\n", index, out), res.Stdout, "%s", res)
	got, err := os.ReadFile(out)
	require.NoError(t, err, "the piece should be written to the -o path")
	require.Equal(t, len(tor.Piece(index)), len(got), "piece %d is %d bytes", index, tor.PieceSize(index))
	want := tor.Piece(index)
	for i := range want {
		if got[i] != want[i] {
			require.Failf(t, "wrong piece data", "the file differs from piece %d at byte %d (got %#02x, want %#02x): "+
				"a piece is good only when its SHA-1 matches the torrent's; check it before writing, and get the piece "+
				"from another peer when it does not match", index, i, got[i], want[i])
		}
	}
}

func TestDownloadPiece(t *testing.T) {
	t.Parallel()
	for _, index := range []int{0, 2, 4} {
		t.Run("piece "+strconv.Itoa(index), func(t *testing.T) {
			t.Parallel()
			tor, path, sw := pieceSwarm(t, swarm.Options{})
			out := filepath.Join(t.TempDir(), "piece-"+strconv.Itoa(index))

			res := cli.Run(t, "download_piece", "-o", out, path, strconv.Itoa(index))

			requirePiece(t, res, tor, index, out)
			require.NoError(t, sw.Close())
			require.Empty(t, sw[0].Violations(),
				"the seeder saw protocol mistakes: wait for unchoke before requesting, request at most 16 KiB, never past the piece's end")
			for _, r := range sw[0].Requests() {
				require.Equal(t, index, r.Index, "request only the piece asked for")
				require.LessOrEqual(t, r.Length, 16384, "blocks are 16 KiB at most")
			}
		})
	}
}

// TestDownloadPieceLastPieceShorter: the last piece is 20000 bytes, so its
// blocks are 16384 and 3616 bytes: asking for a full block past the end is
// a request no peer serves.
func TestDownloadPieceLastPieceShorter(t *testing.T) {
	t.Parallel()
	tor, path, sw := pieceSwarm(t, swarm.Options{})
	out := filepath.Join(t.TempDir(), "last")

	res := cli.Run(t, "download_piece", "-o", out, path, "4")

	requirePiece(t, res, tor, 4, out)
	require.NoError(t, sw.Close())
	require.ElementsMatch(t, []swarm.Request{{Index: 4, Begin: 0, Length: 16384}, {Index: 4, Begin: 16384, Length: 3616}},
		sw[0].Requests(), "the last piece is 20000 bytes: a block of 16384 and one of 3616")
}

// TestDownloadPieceSurvivesBadPeers: the tracker lists a misbehaving peer
// first and an honest one second. The program must not hand out the bad
// peer's data: it checks the piece's SHA-1, gives up on that peer and gets
// the piece from the next.
func TestDownloadPieceSurvivesBadPeers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fault swarm.Fault
		hint  string
	}{
		{swarm.CorruptBlock, "check the piece's SHA-1 against the torrent's before writing; on a mismatch try the next peer"},
		{swarm.WrongInfoHash, "a peer answering for another torrent is not one to download from: try the next"},
		{swarm.DisconnectMidPiece, "a peer may close the connection halfway through the piece: try the next peer"},
		{swarm.HugeLength, "a 4 GiB length prefix: refuse it before allocating, drop the peer, try the next"},
		{swarm.UnrequestedBlock, "ignore blocks you did not request (here: at an offset you never asked for)"},
		{swarm.DuplicateBlock, "ignore a second copy of a block you already have (here: garbage)"},
		{swarm.BitfieldWrongSize, "a bitfield of the wrong size breaks the protocol: drop that peer"},
		{swarm.ChokeMidPieceThenUnchoke, "after a choke, request the dropped blocks again once unchoked"},
		{swarm.ShortHandshake, "a peer that closes mid-handshake: try the next"},
	}
	for _, tc := range tests {
		t.Run(tc.fault.String(), func(t *testing.T) {
			t.Parallel()
			tor, path, sw := pieceSwarm(t, swarm.Options{Fault: tc.fault}, swarm.Options{})
			out := filepath.Join(t.TempDir(), "piece")

			res := cli.Run(t, "download_piece", "-o", out, path, "1")

			require.Equal(t, 0, res.ExitCode, "%s\n%s", tc.hint, res)
			requirePiece(t, res, tor, 1, out)
			if !cli.Grading() {
				require.Len(t, sw[0].Handshakes(), 1, "the reference solution tries the peers in the tracker's order")
			}
		})
	}
}

// TestDownloadPieceSlowPeers: peers that keep sending keep-alives, announce
// the piece late with `have`, or are slow still deliver.
func TestDownloadPieceSlowPeers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts swarm.Options
		hint string
	}{
		{"keep-alives", swarm.Options{KeepAlives: true}, "a message of length 0 is a keep-alive: skip it, anywhere"},
		{"have after bitfield", swarm.Options{LateHaves: []int{3}}, "the bitfield lacks the piece; wait for the peer's `have` message"},
		{"slow blocks", swarm.Options{BlockDelay: 50 * time.Millisecond}, "a slow peer still delivers"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tor, path, _ := pieceSwarm(t, tc.opts)
			out := filepath.Join(t.TempDir(), "piece")
			res := cli.Run(t, "download_piece", "-o", out, path, "3")
			require.Equal(t, 0, res.ExitCode, "%s\n%s", tc.hint, res)
			requirePiece(t, res, tor, 3, out)
		})
	}
}

// TestDownloadPieceNoGoodPeer: when every peer fails, the error says so,
// and no file appears at the output path (not even a partial one).
func TestDownloadPieceNoGoodPeer(t *testing.T) {
	t.Parallel()
	_, path, sw := pieceSwarm(t, swarm.Options{Fault: swarm.CorruptBlock}, swarm.Options{Fault: swarm.WrongInfoHash})
	dir := t.TempDir()
	out := filepath.Join(dir, "piece")

	res := cli.Run(t, "download_piece", "-o", out, path, "0")

	requireDownloadError(t, res, "every peer failed: exit code 1 and say why", "hash")
	require.NoFileExists(t, out, "a failed download must leave nothing at the output path")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "no temporary files left behind either")
	if !cli.Grading() {
		require.Regexp(t, `^error: piece 0: all 2 peers failed; `+sw[0].Addr()+`: piece 0: piece hash mismatch: got [0-9a-f]{40}, want [0-9a-f]{40}; `+
			sw[1].Addr()+`: handshake with `+sw[1].Addr()+`: info hash mismatch: .*\n$`, res.Stderr)
	}
}

// TestDownloadPieceStuckPeer: a peer that never unchokes, or chokes for
// good halfway, must not hold the download: after a while try the next.
// The reference solution's time per peer is cut to 1s through
// WORKBOOK_PEER_TIMEOUT; yours may take its own, up to 30s a stuck peer.
// (Not parallel: it sets an environment variable.)
func TestDownloadPieceStuckPeer(t *testing.T) {
	t.Parallel()
	program := cli.WithEnv("WORKBOOK_PEER_TIMEOUT=1s")
	tor, path, _ := pieceSwarm(t,
		swarm.Options{Fault: swarm.NeverUnchoke},
		swarm.Options{Fault: swarm.ChokeMidPiece},
		swarm.Options{Fault: swarm.NoHandshakeReply},
		swarm.Options{})
	out := filepath.Join(t.TempDir(), "piece")

	res := program.RunTimeout(t, 100*time.Second, "download_piece", "-o", out, path, "2")

	requirePiece(t, res, tor, 2, out)
}

func TestDownloadPieceNoPeers(t *testing.T) {
	t.Parallel()
	_, path, _ := pieceSwarm(t)
	out := filepath.Join(t.TempDir(), "piece")
	res := cli.Run(t, "download_piece", "-o", out, path, "0")
	requireDownloadError(t, res, "the tracker listed no peers: nothing to download from")
	require.NoFileExists(t, out)
	if !cli.Grading() {
		require.Equal(t, "error: piece 0: no peers to download from\n", res.Stderr)
	}
}

func TestDownloadPieceBadArguments(t *testing.T) {
	t.Parallel()
	_, path, _ := pieceSwarm(t, swarm.Options{})
	out := filepath.Join(t.TempDir(), "piece")
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"no arguments", []string{"download_piece"}},
		{"no -o", []string{"download_piece", path, "0"}},
		{"no index", []string{"download_piece", "-o", out, path}},
		{"index not a number", []string{"download_piece", "-o", out, path, "zero"}},
		{"negative index", []string{"download_piece", "-o", out, path, "-1"}},
		{"two indexes", []string{"download_piece", "-o", out, path, "0", "1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := cli.Run(t, tc.args...)
			require.Equal(t, 2, res.ExitCode, "a wrong command line is a usage error: exit code 2\n%s", res)
			cli.RequireMentionsAny(t, res, res.Stderr, []string{"usage"}, "show the usage text")
			require.NoFileExists(t, out)
		})
	}
	t.Run("index past the last piece", func(t *testing.T) {
		res := cli.Run(t, "download_piece", "-o", out, path, "5")
		requireDownloadError(t, res, "the torrent has 5 pieces (0 to 4): say the index is out of range", "5")
		if !cli.Grading() {
			require.Equal(t, "error: piece 5 out of range: the torrent has 5 pieces (0 to 4)\n", res.Stderr)
		}
		require.NoFileExists(t, out)
	})
	t.Run("output directory missing", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "no", "such", "dir", "piece")
		res := cli.Run(t, "download_piece", "-o", missing, path, "0")
		requireDownloadError(t, res, "the output cannot be written: say so", missing)
	})
}

// requireDownloadError checks a failed run: exit code 1, nothing on
// stdout, one line "error: ..." on stderr mentioning each of mention.
func requireDownloadError(t *testing.T, res cli.Result, hint string, mention ...string) {
	t.Helper()
	require.Equal(t, 1, res.ExitCode, "want exit code 1: %s\n%s", hint, res)
	require.Empty(t, res.Stdout, "%s", res)
	require.True(t, strings.HasPrefix(res.Stderr, "error: ") && strings.Count(res.Stderr, "\n") == 1,
		"want one line on stderr starting with \"error: \" (no stack trace)\n%s", res)
	for _, m := range mention {
		require.Contains(t, strings.ToLower(res.Stderr), strings.ToLower(m), "%s\n%s", hint, res)
	}
}
