package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	tr := faketracker.New(t, faketracker.Config{})
	o.Announce = tr.URL()
	tor := torrentfile.MustBuild(t, o)
	sw := swarm.StartSwarm(t, swarm.FromTorrent(tor), seeders...)
	if answer.Peers == nil && answer.Reply == faketracker.Compact {
		answer.Peers = faketracker.Peers(sw.Addrs()...)
	}
	tr.Add(tor.InfoHash, faketracker.Expect{Left: tor.Length}, answer)
	return tor, tor.WriteTorrent(t)
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
			require.Contains(t, lastLine, tc.stderr, "the error says what went wrong\n%s", res)
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
