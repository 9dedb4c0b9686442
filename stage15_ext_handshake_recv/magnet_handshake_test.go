package main_test

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"workbook/testkit/cli"
	"workbook/testkit/swarm"
	"workbook/testkit/torrentfile"
	faketracker "workbook/testkit/tracker"
)

// extensionReserved is what a handshake announcing the extension protocol
// and nothing else carries in its reserved bytes (BEP 10: bit 20 from the
// right, byte 5 & 0x10).
var extensionReserved = [8]byte{0, 0, 0, 0, 0, 0x10, 0, 0}

// magnetSwarm is a fake tracker listing fake seeders of one torrent, for a
// magnet link to it.
type magnetSwarm struct {
	tor     *torrentfile.Torrent
	tracker *faketracker.Tracker
	seeders []*swarm.Seeder
	link    string
}

// startMagnetSwarm starts a seeder per option and a tracker listing them
// in order. The tracker takes any positive left (a magnet client does not
// know the length yet) and fails the test on left=0 or no left.
func startMagnetSwarm(t *testing.T, opts ...swarm.Options) *magnetSwarm {
	t.Helper()
	tor := torrentfile.MustBuild(t, torrentfile.Options{Seed: 13, Name: "sample.txt", Length: 92063})
	ms := &magnetSwarm{tor: tor, tracker: faketracker.New(t, faketracker.Config{})}
	var peers []string
	for _, o := range opts {
		s := swarm.Start(t, swarm.FromTorrent(tor), o)
		ms.seeders = append(ms.seeders, s)
		peers = append(peers, s.Addr())
	}
	ms.tracker.Add(tor.InfoHash, faketracker.Expect{UnknownLeft: true, Port: 6881},
		faketracker.Answer{Reply: faketracker.Compact, Peers: faketracker.Peers(peers...)})
	ms.link = torrentfile.Magnet{InfoHash: tor.InfoHash, Name: tor.Name, Trackers: []string{ms.tracker.URL()}}.String()
	return ms
}

// checkAnnounce checks that the client asked the link's tracker for peers
// (the tracker itself checked left).
func (ms *magnetSwarm) checkAnnounce(t *testing.T) {
	t.Helper()
	require.NotEmpty(t, ms.tracker.Requests(), "announce to the link's tracker (tr) to find peers")
}

func TestMagnetHandshake(t *testing.T) {
	t.Parallel()
	peerID := [20]byte([]byte("-SW0001-magnet-peer1"))
	ms := startMagnetSwarm(t, swarm.Options{PeerID: peerID})

	res := cli.Run(t, "magnet_handshake", ms.link)

	want := "Peer ID: 2d5357303030312d6d61676e65742d7065657231\n"
	cli.RequireLines(t, res, want, "print the 20-byte peer id from the peer's handshake as 40 lower-case hex digits")
	if !cli.Grading() {
		require.Equal(t, want+"Peer Metadata Extension ID: 3\n", res.Stdout, "%s", res)
		require.Empty(t, res.Stderr, "%s", res)
	}
	ms.checkAnnounce(t)
	ms.seeders[0].Close() // its records are final after Close
	got := ms.seeders[0].Handshakes()
	require.Len(t, got, 1, "connect once and send one handshake")
	require.Equal(t, ms.tor.InfoHashHex(), hex.EncodeToString(got[0].InfoHash[:]), "send the link's info hash as 20 raw bytes")
	require.Equal(t, extensionReserved, got[0].Reserved,
		"set the extension protocol's bit in the reserved bytes (BEP 10: byte 5 |= 0x10) and no other bit: 00 00 00 00 00 10 00 00, got % x", got[0].Reserved)
}

// TestMagnetHandshakeNextPeer: a peer that fails the handshake is left for
// the next one the tracker lists.
func TestMagnetHandshakeNextPeer(t *testing.T) {
	t.Parallel()
	ms := startMagnetSwarm(t, swarm.Options{Fault: swarm.CloseBeforeHandshake}, swarm.Options{Fault: swarm.WrongInfoHash}, swarm.Options{})

	res := cli.Run(t, "magnet_handshake", ms.link)

	cli.RequireLines(t, res, fmt.Sprintf("Peer ID: %x\n", ms.seeders[2].PeerID()),
		"the first two peers fail the handshake (one hangs up, one answers for another torrent): try the next peer the tracker lists")
}

// TestMagnetHandshakeXPe: a link without a tracker names its peers in x.pe.
// (This workbook's addition: the course's links always have a tracker.)
func TestMagnetHandshakeXPe(t *testing.T) {
	t.Parallel()
	if cli.Grading() {
		t.Skip("x.pe is beyond the course: not graded")
	}
	ms := startMagnetSwarm(t, swarm.Options{})
	link := torrentfile.Magnet{InfoHash: ms.tor.InfoHash, Peers: []string{ms.seeders[0].Addr()}}.String()

	res := cli.Run(t, "magnet_handshake", link)

	require.Equal(t, 0, res.ExitCode, "%s", res)
	require.Equal(t, fmt.Sprintf("Peer ID: %x\nPeer Metadata Extension ID: 3\n", ms.seeders[0].PeerID()), res.Stdout, "%s", res)
	require.Empty(t, ms.tracker.Requests(), "the link names no tracker")
}

// TestMagnetHandshakeErrors: no peer to shake hands with is exit code 1 and
// one error line saying why.
func TestMagnetHandshakeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		setup   func(t *testing.T) string // returns the link
		mention []string
		hint    string
		exact   string // the reference solution's line, as a regular expression
	}{
		{
			name: "tracker failure",
			setup: func(t *testing.T) string {
				fake := faketracker.New(t, faketracker.Config{})
				tor := torrentfile.MustBuild(t, torrentfile.Options{Seed: 14, Name: "x", Length: 1000, Announce: fake.URL()})
				fake.Add(tor.InfoHash, faketracker.Expect{UnknownLeft: true}, faketracker.Answer{Reply: faketracker.Failure, Failure: "unregistered torrent"})
				return tor.MagnetLink()
			},
			mention: []string{"unregistered torrent"},
			hint:    "report the tracker's failure reason",
			exact:   `^error: tracker http://127\.0\.0\.1:\d+/announce said: unregistered torrent\n$`,
		},
		{
			name: "tracker down",
			setup: func(t *testing.T) string {
				return torrentfile.Magnet{InfoHash: [20]byte{1}, Trackers: []string{faketracker.ClosedURL(t)}}.String()
			},
			mention: []string{"refused"},
			hint:    "nothing listens at the tracker's address: report the refused connection",
		},
		{
			name: "no peers",
			setup: func(t *testing.T) string {
				return startMagnetSwarm(t).link
			},
			mention: []string{"peer"},
			hint:    "the tracker lists no peers: there is nobody to shake hands with",
			exact:   `^error: the tracker lists no peers for this info hash\n$`,
		},
		{
			name: "wrong info hash",
			setup: func(t *testing.T) string {
				return startMagnetSwarm(t, swarm.Options{Fault: swarm.WrongInfoHash}).link
			},
			mention: []string{"info hash"},
			hint:    "the only peer answers for another torrent",
			exact:   `^error: handshake with 127\.0\.0\.1:\d+: info hash mismatch: peer answered for [0-9a-f]{40}, we asked for [0-9a-f]{40}\n$`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := cli.Run(t, "magnet_handshake", tc.setup(t))
			requireHandshakeError(t, res, tc.hint)
			cli.RequireMentionsAny(t, res, res.Stderr, tc.mention, tc.hint)
			if !cli.Grading() && tc.exact != "" {
				require.Regexp(t, tc.exact, res.Stderr)
			}
		})
	}
}

// TestMagnetHandshakeSilentPeer: a peer that never answers must not hang
// `magnet_handshake`. The reference solution's time per peer is cut to 1s
// through WORKBOOK_PEER_TIMEOUT; your own program may take its own time, up
// to 40s. (Not parallel: it sets an environment variable.)
func TestMagnetHandshakeSilentPeer(t *testing.T) {
	t.Parallel()
	program := cli.WithEnv("WORKBOOK_PEER_TIMEOUT=1s")
	ms := startMagnetSwarm(t, swarm.Options{Fault: swarm.NoHandshakeReply})

	res := program.RunTimeout(t, 45*time.Second, "magnet_handshake", ms.link)

	hint := "the peer accepts the connection and never answers: give up after a time limit"
	requireHandshakeError(t, res, hint)
	cli.RequireMentionsAny(t, res, res.Stderr, []string{"time", "deadline", "within"}, hint)
}

func TestMagnetHandshakeUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"magnet_handshake"}, {"magnet_handshake", "magnet:?xt=urn:btih:" + strings.Repeat("0", 40), "127.0.0.1:6881"}} {
		res := cli.Run(t, args...)
		require.Equal(t, 2, res.ExitCode, "`%s` is a usage mistake: exit code 2\n%s", strings.Join(args, " "), res)
		require.Empty(t, res.Stdout)
		require.True(t, cli.Mentions(res.Stderr, "usage"), "print the usage on stderr\n%s", res)
	}
}
