package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"workbook/testkit/cli"
	"workbook/testkit/swarm"
	"workbook/testkit/torrentfile"
	faketracker "workbook/testkit/tracker"
)

// serve starts a fake tracker and one fake seeder per options for tor, and
// returns the path of a .torrent file announcing to that tracker.
func serve(t *testing.T, o torrentfile.Options, answer faketracker.Answer, seeders ...swarm.Options) (*torrentfile.Torrent, string) {
	t.Helper()
	tor, path, _ := serveSwarm(t, o, answer, seeders...)
	return tor, path
}

// serveSwarm is serve that also returns the seeders, in the tracker's order.
func serveSwarm(t *testing.T, o torrentfile.Options, answer faketracker.Answer, seeders ...swarm.Options) (*torrentfile.Torrent, string, swarm.Swarm) {
	t.Helper()
	tr := faketracker.New(t, faketracker.Config{})
	o.Announce = tr.URL()
	tor := torrentfile.MustBuild(t, o)
	sw := swarm.StartSwarm(t, swarm.FromTorrent(tor), seeders...)
	if answer.Peers == nil && answer.Reply == faketracker.Compact {
		answer.Peers = faketracker.Peers(sw.Addrs()...)
	}
	tr.Add(tor.InfoHash, faketracker.Expect{Left: tor.Length}, answer)
	return tor, tor.WriteTorrent(t), sw
}

var (
	singleFile = torrentfile.Options{Seed: 21, Name: "sample.bin", Length: 1<<20 + 12345, PieceLength: 64 * 1024}
	multiFile  = torrentfile.Options{Seed: 22, Name: "album", PieceLength: 32 * 1024, Files: []torrentfile.FileSpec{
		{Path: []string{"README.txt"}, Length: 1200},
		{Path: []string{"disc 1", "01 intro.flac"}, Length: 300_000},
		{Path: []string{"disc 2", "empty.cue"}, Length: 0},
		{Path: []string{"disc 2", "art", "cover.jpg"}, Length: 45_678},
	}}
)

// requireNoOutput checks a failed download left nothing in dir: neither the
// output nor a temporary file beside it.
func requireNoOutput(t *testing.T, dir string, res cli.Result) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "a failed download must leave nothing at or beside the output path\n%s", res)
}

func TestDownloadCommand(t *testing.T) {
	tests := []struct {
		name    string
		o       torrentfile.Options
		seeders []swarm.Options
	}{
		{"SingleFile", singleFile, []swarm.Options{{}, {}, {}}},
		{"MultiFile", multiFile, []swarm.Options{{}, {}}},
		{"OneSeeder", singleFile, []swarm.Options{{}}},
		{"CorruptSeederAndHonestOne", singleFile, []swarm.Options{{Fault: swarm.CorruptBlock}, {}}},
		{"SeederThatStallsAndHonestOne", singleFile, []swarm.Options{{Fault: swarm.ChokeMidPiece}, {}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tor, torrentPath := serve(t, tc.o, faketracker.Answer{}, tc.seeders...)
			out := filepath.Join(t.TempDir(), "out")

			res := cli.Run(t, "download", "-o", out, torrentPath)
			require.Equal(t, 0, res.ExitCode, "download must succeed\n%s", res)
			want := "Downloaded " + torrentPath + " to " + out + ".\n"
			require.Equal(t, want, res.Stdout, "stdout is exactly one line once the whole torrent is in place\n%s", res)
			require.NoError(t, tor.VerifyContent(out),
				"the downloaded content differs from the torrent's (for a multi-file torrent -o is the directory holding its files)")
		})
	}
}

// badPeerFile is small and quick to fetch: 10 pieces of 32 KiB (two
// blocks, so "mid-piece" faults land inside a piece) and a short last one;
// 11 pieces is not a multiple of 8, so a bitfield has spare bits.
var badPeerFile = torrentfile.Options{Seed: 23, Name: "bad-peers.bin", Length: 10*32*1024 + 5000, PieceLength: 32 * 1024}

// badPeers is every way a fake seeder can misbehave (swarm.Faults), plus
// the odd habits real peers have.
func badPeers() map[string]swarm.Options {
	peers := map[string]swarm.Options{
		"KeepAlivesBetweenMessages": {KeepAlives: true},
		"PartialBitfieldThenHaves":  {LateHaves: []int{0, 4, 10}},
		"UnchokeBeforeInterested":   {UnchokeEarly: true},
		"MissingPieces":             {Missing: []int{1, 9}},
		"StrayBlockFlood":           {Fault: swarm.UnrequestedAlignedBlock, StrayBlocks: 200},
	}
	for _, f := range swarm.Faults() {
		peers[f.String()] = swarm.Options{Fault: f}
	}
	return peers
}

// requireDownloaded checks a successful download: exit 0, the one stdout
// line, the content the torrent describes, and nothing else beside it.
func requireDownloaded(t *testing.T, res cli.Result, tor *torrentfile.Torrent, torrentPath, out string) {
	t.Helper()
	require.Equal(t, 0, res.ExitCode, "download must succeed\n%s", res)
	require.Equal(t, "Downloaded "+torrentPath+" to "+out+".\n", res.Stdout,
		"stdout is exactly one line once the whole torrent is in place\n%s", res)
	require.NoError(t, tor.VerifyContent(out),
		"the file differs from the torrent's content: check every piece's SHA-1 before writing it, and never "+
			"write a block you did not request\n%s", res)
	entries, err := os.ReadDir(filepath.Dir(out))
	require.NoError(t, err)
	require.Len(t, entries, 1, "only the output may be left beside the output (no temporary file)\n%s", res)
}

// TestDownloadCommandBadPeer runs the program against every bad peer of the
// fake swarm, listed by the tracker before one honest seeder: whatever the
// bad one does, the download must finish with the right content, and the
// honest seeder must have seen no protocol mistake. WORKBOOK_PEER_TIMEOUT
// cuts the time a peer that gives nothing may take to 2s (your program may
// take its own; each run is killed after a minute).
func TestDownloadCommandBadPeer(t *testing.T) {
	t.Parallel()
	program := cli.WithEnv("WORKBOOK_PEER_TIMEOUT=2s")
	for name, bad := range badPeers() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tor, torrentPath, sw := serveSwarm(t, badPeerFile, faketracker.Answer{}, bad, swarm.Options{})
			out := filepath.Join(t.TempDir(), "out")

			res := program.Run(t, "download", "-o", out, torrentPath)

			requireDownloaded(t, res, tor, torrentPath, out)
			require.NoError(t, sw.Close())
			require.Empty(t, sw[1].Violations(), "the honest seeder saw protocol mistakes: request only after "+
				"unchoke, only pieces the peer has, at most 16 KiB, never past the piece's end\n%s", res)
		})
	}
}

// TestDownloadCommandOddPeerAlone: peers that are odd but not wrong serve a
// download on their own. The torrent has pieces of three blocks, so a
// pipeline of requests (unless a multiple of three deep) ends inside a
// piece, and that is where UnrequestedAlignedBlock puts its stray block: a
// program that writes a block into a piece without checking it asked for
// it ruins that piece and loses its only peer. Blocks you did not ask for
// do arrive from honest peers too (requests a choke dropped, cancels that
// crossed the block on the wire): ignore a few.
func TestDownloadCommandOddPeerAlone(t *testing.T) {
	t.Parallel()
	program := cli.WithEnv("WORKBOOK_PEER_TIMEOUT=2s")
	file := torrentfile.Options{Seed: 24, Name: "odd.bin", Length: 30*48*1024 + 40000, PieceLength: 48 * 1024}
	tests := map[string]swarm.Options{
		"OneStrayBlock":             {Fault: swarm.UnrequestedAlignedBlock},
		"KeepAlivesBetweenMessages": {KeepAlives: true},
		"PartialBitfieldThenHaves":  {LateHaves: []int{0, 4, 30}},
		"ChokeMidPieceThenUnchoke":  {Fault: swarm.ChokeMidPieceThenUnchoke},
	}
	for name, odd := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tor, torrentPath, sw := serveSwarm(t, file, faketracker.Answer{}, odd)
			out := filepath.Join(t.TempDir(), "out")

			res := program.Run(t, "download", "-o", out, torrentPath)

			requireDownloaded(t, res, tor, torrentPath, out)
			require.NoError(t, sw.Close())
			require.Empty(t, sw[0].Violations(), "the seeder saw protocol mistakes\n%s", res)
		})
	}
}

// TestDownloadCommandOnlyBadPeers: when no peer can deliver, the program
// must give up on its own, in bounded time, exit 1 with an `error: ...`
// line, and leave nothing at or beside the output path. The peers' timeouts
// are cut to 1s through WORKBOOK_PEER_TIMEOUT; your own program may take
// its own (the run is killed after a minute).
func TestDownloadCommandOnlyBadPeers(t *testing.T) {
	t.Parallel()
	program := cli.WithEnv("WORKBOOK_PEER_TIMEOUT=1s")
	tests := []struct {
		name    string
		seeders []swarm.Options
		hint    string
	}{
		{"Corrupt", []swarm.Options{{Fault: swarm.CorruptBlock}, {Fault: swarm.CorruptBlock}},
			"every piece fails its SHA-1 check: never write it, and give up when no peer is left"},
		{"NeverUnchoke", []swarm.Options{{Fault: swarm.NeverUnchoke}},
			"a peer that never unchokes must not hold the download forever"},
		{"ChokeMidPieceAndHugeLength", []swarm.Options{{Fault: swarm.ChokeMidPiece}, {Fault: swarm.HugeLength}},
			"a peer choking for good and one announcing a 4 GiB message: drop both, then fail"},
		{"NoneHasPiece9", []swarm.Options{{Missing: []int{9}}, {Missing: []int{9}}},
			"no peer has piece 9: the download cannot finish"},
		{"HandshakeFailures", []swarm.Options{{Fault: swarm.NoHandshakeReply}, {Fault: swarm.WrongInfoHash}},
			"a peer that never answers the handshake and one answering for another torrent"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, torrentPath := serve(t, badPeerFile, faketracker.Answer{}, tc.seeders...)
			dir := t.TempDir()

			res := program.Run(t, "download", "-o", filepath.Join(dir, "out"), torrentPath)

			require.Equal(t, 1, res.ExitCode, "%s: exit 1\n%s", tc.hint, res)
			require.Empty(t, res.Stdout, "nothing on stdout when the download failed\n%s", res)
			lastLine := res.Stderr[strings.LastIndex(strings.TrimSuffix(res.Stderr, "\n"), "\n")+1:]
			require.True(t, strings.HasPrefix(lastLine, "error: "), "the last stderr line is `error: ...`\n%s", res)
			requireNoOutput(t, dir, res)
		})
	}
}

func TestDownloadCommandErrors(t *testing.T) {
	tests := []struct {
		name    string
		answer  faketracker.Answer
		seeders []swarm.Options
		stderr  string // what the error line must mention
	}{
		{"TrackerFailure", faketracker.Answer{Reply: faketracker.Failure, Failure: "torrent not registered"}, nil, "torrent not registered"},
		{"TrackerHasNoPeers", faketracker.Answer{Peers: []faketracker.Peer{}}, nil, "peers"},
		{"EveryPeerFails", faketracker.Answer{}, []swarm.Options{{Fault: swarm.WrongInfoHash}, {Fault: swarm.CorruptBlock}}, "peer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, torrentPath := serve(t, singleFile, tc.answer, tc.seeders...)
			dir := t.TempDir()

			res := cli.Run(t, "download", "-o", filepath.Join(dir, "out"), torrentPath)
			require.Equal(t, 1, res.ExitCode, "a download that cannot finish exits with 1\n%s", res)
			require.Empty(t, res.Stdout, "nothing on stdout when the download failed\n%s", res)
			lastLine := res.Stderr[strings.LastIndex(strings.TrimSuffix(res.Stderr, "\n"), "\n")+1:]
			require.True(t, strings.HasPrefix(lastLine, "error: "), "the last stderr line is `error: ...`\n%s", res)
			cli.RequireMentionsAny(t, res, lastLine, []string{tc.stderr}, "the error says what went wrong")
			requireNoOutput(t, dir, res)
		})
	}
}

func TestDownloadCommandOutputNotWritable(t *testing.T) {
	_, torrentPath := serve(t, singleFile, faketracker.Answer{}, swarm.Options{})
	// Even root cannot create a file under a regular file.
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, []byte("not a directory"), 0o644))

	res := cli.Run(t, "download", "-o", filepath.Join(file, "out"), torrentPath)
	require.Equal(t, 1, res.ExitCode, "an output path that cannot be written is an error\n%s", res)
	require.True(t, strings.HasPrefix(res.Stderr, "error: "), "one `error: ...` line on stderr\n%s", res)
}

func TestDownloadCommandUsage(t *testing.T) {
	for _, args := range [][]string{
		{"download"},
		{"download", "x.torrent"},
		{"download", "-o", "out"},
		{"download", "-o", "out", "a.torrent", "b.torrent"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			res := cli.Run(t, args...)
			require.Equal(t, 2, res.ExitCode, "a wrong command line is a usage error (exit code 2)\n%s", res)
			require.Empty(t, res.Stdout, "usage goes to stderr\n%s", res)
		})
	}
}

func TestDownloadCommandMissingTorrent(t *testing.T) {
	dir := t.TempDir()
	res := cli.Run(t, "download", "-o", filepath.Join(dir, "out"), filepath.Join(dir, "missing.torrent"))
	require.Equal(t, 1, res.ExitCode, "a .torrent file that does not exist is an error\n%s", res)
	require.Contains(t, res.Stderr, "missing.torrent", "the error names the file\n%s", res)
}

// TestDownloadCommandKilledLeavesNoOutput kills the program halfway through
// a download from a slow seeder: whatever it had written, nothing may be at
// the output path, since only a verified, complete download may appear
// there. (A temporary file beside it may stay: a killed program cannot
// clean up.) A program that writes pieces straight to <out> fails here.
func TestDownloadCommandKilledLeavesNoOutput(t *testing.T) {
	for name, o := range map[string]torrentfile.Options{"single-file": singleFile, "multi-file": multiFile} {
		t.Run(name, func(t *testing.T) {
			_, torrentPath, sw := serveSwarm(t, o, faketracker.Answer{}, swarm.Options{BlockDelay: 20 * time.Millisecond})
			out := filepath.Join(t.TempDir(), "out")
			cmd := exec.Command(cli.Program(t), "download", "-o", out, torrentPath)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			require.NoError(t, cmd.Start())
			done := make(chan struct{})
			var waitErr error
			go func() { waitErr = cmd.Wait(); close(done) }()
			t.Cleanup(func() { cmd.Process.Kill(); <-done }) // also when a check below fails

			deadline := time.After(30 * time.Second)
			for sw[0].BlocksSent() < 8 {
				select {
				case <-done:
					require.Failf(t, "the program ended before the download got going",
						"it exited (%v) after %d blocks; stderr:\n%s", waitErr, sw[0].BlocksSent(), stderr.String())
				case <-deadline:
					require.Fail(t, "the program fetched nothing from the seeder within 30s")
				case <-time.After(5 * time.Millisecond):
				}
			}
			require.NoError(t, cmd.Process.Kill())
			<-done // killed: the error says so

			_, err := os.Stat(out)
			require.True(t, os.IsNotExist(err),
				"after %d blocks of a download the program was killed; %s must not exist (write to a temporary file beside it and rename when every piece is verified), got err=%v",
				sw[0].BlocksSent(), out, err)
		})
	}
}
