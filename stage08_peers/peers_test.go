package main_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"workbook/testkit/cli"
	"workbook/testkit/torrentfile"
	faketracker "workbook/testkit/tracker"
)

// peersTorrent builds a torrent whose tracker is announce, and writes it.
func peersTorrent(t *testing.T, announce string, tiers ...[]string) (*torrentfile.Torrent, string) {
	t.Helper()
	tor := torrentfile.MustBuild(t, torrentfile.Options{Seed: 8, Name: "sample.txt", Length: 92063, Announce: announce, AnnounceList: tiers})
	return tor, tor.WriteTorrent(t)
}

// expectAnnounce is what the fake tracker checks in every announce of
// `peers`: the 20 raw bytes of the info hash, left = the whole length (we
// have nothing yet), port 6881, and the rest it always checks (peer_id of
// 20 bytes, uploaded=0, downloaded=0, compact=1).
func expectAnnounce(tor *torrentfile.Torrent) faketracker.Expect {
	return faketracker.Expect{Left: tor.Length, Port: 6881}
}

func TestPeers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		query      string // the announce URL's own query
		answer     faketracker.Answer
		wantStdout string
		wantStderr string
	}{
		{
			name:       "compact peers",
			answer:     faketracker.Answer{Reply: faketracker.Compact, Peers: faketracker.Peers("127.0.0.1:6881", "10.0.0.2:51413", "192.168.1.200:443")},
			wantStdout: "127.0.0.1:6881\n10.0.0.2:51413\n192.168.1.200:443\n",
		},
		{
			name:       "dictionary peers",
			answer:     faketracker.Answer{Reply: faketracker.Dict, Peers: faketracker.Peers("127.0.0.1:6881", "10.0.0.2:51413")},
			wantStdout: "127.0.0.1:6881\n10.0.0.2:51413\n",
		},
		{
			name:       "peers6",
			answer:     faketracker.Answer{Reply: faketracker.Compact, Peers: faketracker.Peers("127.0.0.1:6881", "[::1]:6882", "[2001:db8::7]:51413")},
			wantStdout: "127.0.0.1:6881\n[::1]:6882\n[2001:db8::7]:51413\n",
		},
		{
			name:       "no peers yet",
			answer:     faketracker.Answer{Reply: faketracker.Compact},
			wantStdout: "",
		},
		{
			name:       "warning message",
			answer:     faketracker.Answer{Reply: faketracker.Compact, Peers: faketracker.Peers("127.0.0.1:6881"), Warning: "this tracker moves next week"},
			wantStdout: "127.0.0.1:6881\n",
			wantStderr: "warning: this tracker moves next week\n",
		},
		{
			// BEP 3 allows a DNS name as a dictionary peer's ip. Resolving it
			// would let a tracker send us anywhere: skip it, say so on stderr,
			// keep the other peers.
			name:       "dictionary peer with a host name",
			answer:     faketracker.Answer{Reply: faketracker.Dict, Peers: append(faketracker.Peers("127.0.0.1:6881"), faketracker.HostPeer("peer.example", 51413))},
			wantStdout: "127.0.0.1:6881\n",
			wantStderr: "warning: peer 1 (peer.example:51413) skipped: ip is a host name, and this client does not resolve names a tracker sends\n",
		},
		{
			name:       "passkey in the announce URL",
			query:      "passkey=0123456789abcdef",
			answer:     faketracker.Answer{Reply: faketracker.Compact, Peers: faketracker.Peers("127.0.0.1:6881")},
			wantStdout: "127.0.0.1:6881\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := faketracker.New(t, faketracker.Config{Query: tc.query})
			tor, path := peersTorrent(t, fake.URL())
			fake.Add(tor.InfoHash, expectAnnounce(tor), tc.answer)

			res := cli.Run(t, "peers", path)

			require.Equal(t, 0, res.ExitCode, "`peers` should succeed\n%s", res)
			require.Equal(t, tc.wantStdout, res.Stdout, "print each peer as ip:port on its own line, in the tracker's order (IPv4 `peers` first, then `peers6`, IPv6 as [ip]:port)\n%s", res)
			if cli.Grading() && strings.HasPrefix(tc.wantStderr, "warning: peer ") {
				// Your wording may differ: one warning line naming the host.
				require.True(t, strings.HasPrefix(res.Stderr, "warning: ") && strings.Count(res.Stderr, "\n") == 1 && strings.Contains(res.Stderr, "peer.example"),
					"a peer listed by host name: skip it (never resolve a name a tracker sends) and say so in one \"warning: ...\" line on stderr that names it\n%s", res)
			} else {
				require.Equal(t, tc.wantStderr, res.Stderr, "a tracker's `warning message`, and each peer left out (a host name instead of an IP address), go to stderr as \"warning: <text>\"; nothing else belongs there\n%s", res)
			}
			require.Len(t, fake.Requests(), 1, "`peers` sends exactly one announce")
		})
	}
}

// TestPeersTrackerErrors covers a tracker that refuses or breaks: exit code
// 1, nothing on stdout, one line "error: ..." on stderr that says what went
// wrong.
func TestPeersTrackerErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		answer  faketracker.Answer
		mention []string // the error line must contain each (case-insensitive)
		hint    string
		exact   string // the reference solution's line, URL standing for the tracker's URL
	}{
		{
			name:    "failure reason",
			answer:  faketracker.Answer{Reply: faketracker.Failure, Failure: "unregistered torrent"},
			mention: []string{"unregistered torrent"},
			hint:    "show the tracker's `failure reason` text",
			exact:   "error: tracker URL said: unregistered torrent\n",
		},
		{
			name:    "HTTP 500",
			answer:  faketracker.Answer{Reply: faketracker.HTTPError},
			mention: []string{"500"},
			hint:    "check the HTTP status before decoding the body",
			exact:   "error: announce to URL: HTTP 500 Internal Server Error: \"fake tracker: internal server error\\n\"\n",
		},
		{
			name:   "body not bencode",
			answer: faketracker.Answer{Reply: faketracker.NotBencode},
			hint:   "say that the answer is not bencode",
			exact:  "error: announce to URL: response is not bencode: bencode: at byte 0: expected a value (a digit, 'i', 'l' or 'd'), got '<'\n",
		},
		{
			name:   "oversized body",
			answer: faketracker.Answer{Reply: faketracker.Oversized},
			hint:   "cap the bytes read of an answer (io.LimitReader) and refuse a bigger one; this one is 3 MiB of valid bencode",
			exact:  "error: announce to URL: answer is more than the 2097152 bytes this client reads\n",
		},
		{
			name:   "peers length not a multiple of 6",
			answer: faketracker.Answer{Reply: faketracker.BadCompactLength, Peers: faketracker.Peers("127.0.0.1:6881")},
			hint:   "a compact peer is 6 bytes: refuse a `peers` string whose length is not a multiple of 6",
			exact:  "error: announce to URL: peers: length 7 is not a multiple of 6 (6 bytes a peer)\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := faketracker.New(t, faketracker.Config{})
			tor, path := peersTorrent(t, fake.URL())
			fake.Add(tor.InfoHash, expectAnnounce(tor), tc.answer)

			res := cli.Run(t, "peers", path)

			requireOneLineError(t, res, tc.hint, tc.mention...)
			if !cli.Grading() {
				require.Equal(t, strings.ReplaceAll(tc.exact, "URL", fake.URL()), res.Stderr)
			}
		})
	}
}

// TestPeersTrackerTimeout: a tracker that never answers must not hang
// `peers`. The reference solution's timeout is cut to 1s here through
// WORKBOOK_TRACKER_TIMEOUT; your own program may take its own time, up to
// 30s. (Not parallel: it sets an environment variable.)
func TestPeersTrackerTimeout(t *testing.T) {
	t.Parallel()
	program := cli.WithEnv("WORKBOOK_TRACKER_TIMEOUT=1s")
	fake := faketracker.New(t, faketracker.Config{})
	tor, path := peersTorrent(t, fake.URL())
	fake.Add(tor.InfoHash, expectAnnounce(tor), faketracker.Answer{Reply: faketracker.Hang})

	res := program.RunTimeout(t, 30*time.Second, "peers", path)

	requireOneLineError(t, res, "give up on a tracker that does not answer (an http.Client with a Timeout) and say so")
	lower := strings.ToLower(res.Stderr)
	require.True(t, strings.Contains(lower, "time") || strings.Contains(lower, "deadline"),
		"the error should say the tracker did not answer in time\n%s", res)
	if !cli.Grading() {
		require.Equal(t, "error: announce to "+fake.URL()+": no answer within 1s: timed out\n", res.Stderr)
	}
}

// TestPeersAnnounceListTiers: announce-list (BEP 12) replaces announce, and
// when a tracker fails the next one is tried.
func TestPeersAnnounceListTiers(t *testing.T) {
	t.Parallel()
	broken := faketracker.New(t, faketracker.Config{})
	working := faketracker.New(t, faketracker.Config{})
	tor, path := peersTorrent(t, broken.URL(), []string{faketracker.ClosedURL(t), broken.URL()}, []string{working.URL()})
	broken.Add(tor.InfoHash, expectAnnounce(tor), faketracker.Answer{Reply: faketracker.HTTPError})
	working.Add(tor.InfoHash, expectAnnounce(tor), faketracker.Answer{Peers: faketracker.Peers("127.0.0.1:51413")})

	res := cli.Run(t, "peers", path)

	require.Equal(t, 0, res.ExitCode, "when a tracker fails, try the next one in announce-list (BEP 12)\n%s", res)
	require.Equal(t, "127.0.0.1:51413\n", res.Stdout, "%s", res)
	require.Len(t, working.Requests(), 1)
}

// TestPeersAnnounceListOnly: a torrent that names its trackers only in
// announce-list, without announce (BEP 12 allows it), still finds peers.
func TestPeersAnnounceListOnly(t *testing.T) {
	t.Parallel()
	working := faketracker.New(t, faketracker.Config{})
	tor := torrentfile.MustBuild(t, torrentfile.Options{Seed: 8, Name: "sample.txt", Length: 92063, NoAnnounce: true,
		AnnounceList: [][]string{{faketracker.ClosedURL(t)}, {working.URL()}}})
	working.Add(tor.InfoHash, expectAnnounce(tor), faketracker.Answer{Peers: faketracker.Peers("127.0.0.1:51413")})

	res := cli.Run(t, "peers", tor.WriteTorrent(t))

	require.Equal(t, 0, res.ExitCode, "a torrent without announce is fine when announce-list names trackers (BEP 12)\n%s", res)
	require.Equal(t, "127.0.0.1:51413\n", res.Stdout, "%s", res)
	require.Len(t, working.Requests(), 1)
}

func TestPeersNoTrackerAnswers(t *testing.T) {
	t.Parallel()
	dead := faketracker.ClosedURL(t)
	_, path := peersTorrent(t, dead)

	res := cli.Run(t, "peers", path)

	requireOneLineError(t, res, "nothing listens at the tracker's address: report the connection error", "refused")
	if !cli.Grading() {
		require.Equal(t, fmt.Sprintf("error: announce to %s: dial tcp %s: connect: connection refused\n", dead, strings.TrimSuffix(strings.TrimPrefix(dead, "http://"), "/announce")), res.Stderr)
	}
}

func TestPeersMissingFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "no-such.torrent")
	res := cli.Run(t, "peers", path)
	requireOneLineError(t, res, "print the operating system's error with the file name", path, "no such file or directory")
}

func TestPeersUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"peers"}, {"peers", "a.torrent", "b.torrent"}} {
		res := cli.Run(t, args...)
		require.Equal(t, 2, res.ExitCode, "`%s` is a usage mistake: exit code 2\n%s", strings.Join(args, " "), res)
		require.Empty(t, res.Stdout)
		require.NotEmpty(t, res.Stderr, "print the usage on stderr")
	}
}

// requireOneLineError checks a failed run: exit code 1, nothing on stdout,
// one line on stderr starting with "error: " and mentioning each of mention.
func requireOneLineError(t *testing.T, res cli.Result, hint string, mention ...string) {
	t.Helper()
	require.Equal(t, 1, res.ExitCode, "want exit code 1: %s\n%s", hint, res)
	require.Empty(t, res.Stdout, "print no peers when the announce failed\n%s", res)
	require.True(t, strings.HasPrefix(res.Stderr, "error: ") && strings.Count(res.Stderr, "\n") == 1,
		"want one line on stderr starting with \"error: \" (no stack trace)\n%s", res)
	for _, m := range mention {
		require.Contains(t, strings.ToLower(res.Stderr), strings.ToLower(m), "%s\n%s", hint, res)
	}
}
