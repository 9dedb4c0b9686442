package main_test

import (
	"encoding/hex"
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"workbook/testkit/cli"
	"workbook/testkit/swarm"
	"workbook/testkit/torrentfile"
)

// handshakeTorrent is the torrent the handshake tests use, written to disk.
func handshakeTorrent(t *testing.T) (*torrentfile.Torrent, string) {
	t.Helper()
	tor := torrentfile.MustBuild(t, torrentfile.Options{Seed: 9, Name: "sample.txt", Length: 92063})
	return tor, tor.WriteTorrent(t)
}

// requireHandshakeError checks a failed `handshake`: exit code 1, nothing on
// stdout, one line "error: ..." on stderr mentioning each of mention.
func requireHandshakeError(t *testing.T, res cli.Result, hint string, mention ...string) {
	t.Helper()
	require.Equal(t, 1, res.ExitCode, "want exit code 1: %s\n%s", hint, res)
	require.Empty(t, res.Stdout, "print no peer id when the handshake failed\n%s", res)
	require.True(t, strings.HasPrefix(res.Stderr, "error: ") && strings.Count(res.Stderr, "\n") == 1,
		"want one line on stderr starting with \"error: \" (no stack trace)\n%s", res)
	for _, m := range mention {
		require.Contains(t, strings.ToLower(res.Stderr), strings.ToLower(m), "%s\n%s", hint, res)
	}
}

func TestHandshake(t *testing.T) {
	t.Parallel()
	tor, path := handshakeTorrent(t)
	peerID := [20]byte([]byte("-SW0001-handshake123"))
	seeder := swarm.Start(t, swarm.FromTorrent(tor), swarm.Options{PeerID: peerID})

	res := cli.Run(t, "handshake", path, seeder.Addr())

	require.Equal(t, 0, res.ExitCode, "`handshake` with an honest peer should succeed\n%s", res)
	require.Equal(t, "Peer ID: 2d5357303030312d68616e647368616b65313233\n", res.Stdout,
		"print the 20-byte peer id from the peer's handshake (its last 20 bytes) as 40 lower-case hex digits\n%s", res)
	require.Empty(t, res.Stderr, "%s", res)

	got := seeder.Handshakes()
	require.Len(t, got, 1, "the program should connect once and send one handshake")
	require.Equal(t, "BitTorrent protocol", got[0].Protocol, "the handshake starts with byte 19 and \"BitTorrent protocol\"")
	require.Equal(t, tor.InfoHashHex(), hex.EncodeToString(got[0].InfoHash[:]),
		"send the torrent's info hash: SHA-1 of the raw info dictionary bytes, as 20 raw bytes")
	require.NotEqual(t, [20]byte{}, got[0].PeerID, "send your own peer id (20 bytes, e.g. -WB0001- and 12 random bytes)")
	require.Empty(t, seeder.Violations())
}

// TestHandshakePeerLeavesAfterwards: a peer that closes or resets the
// connection right after a complete handshake still gave its peer id.
func TestHandshakePeerLeavesAfterwards(t *testing.T) {
	t.Parallel()
	for _, fault := range []swarm.Fault{swarm.CloseAfterHandshake, swarm.ResetAfterHandshake} {
		t.Run(fault.String(), func(t *testing.T) {
			t.Parallel()
			tor, path := handshakeTorrent(t)
			seeder := swarm.Start(t, swarm.FromTorrent(tor), swarm.Options{Fault: fault})

			res := cli.Run(t, "handshake", path, seeder.Addr())

			require.Equal(t, 0, res.ExitCode, "the handshake was complete before the peer left\n%s", res)
			require.Equal(t, fmt.Sprintf("Peer ID: %x\n", seeder.PeerID()), res.Stdout, "%s", res)
		})
	}
}

// TestHandshakeBadPeers: a reply that is not the handshake we need is an
// error (exit code 1) that says what was wrong.
func TestHandshakeBadPeers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fault   swarm.Fault
		mention []string
		hint    string
		exact   string // the reference solution's line; ADDR, HASH and WRONG stand for the values
	}{
		{
			fault:   swarm.WrongInfoHash,
			mention: []string{"info hash"},
			hint:    "compare the info hash in the reply (bytes 28-47) with the torrent's: this peer serves another torrent",
			exact:   "error: handshake with ADDR: info hash mismatch: peer answered for WRONG, we asked for HASH\n",
		},
		{
			fault:   swarm.WrongProtocol,
			mention: []string{"protocol"},
			hint:    "check the reply starts with byte 19 and exactly \"BitTorrent protocol\" (this one says \"BitTorrent Protocol\")",
			exact:   "error: handshake with ADDR: not a BitTorrent handshake: protocol \"BitTorrent Protocol\", want \"BitTorrent protocol\"\n",
		},
		{
			fault: swarm.ShortHandshake,
			hint:  "read exactly 68 bytes (io.ReadFull) and report a peer that closes before all of them came",
			exact: "error: handshake with ADDR: short handshake: peer closed the connection after 40 of 68 bytes: unexpected EOF\n",
		},
		{
			fault:   swarm.ResetBeforeHandshake,
			mention: []string{"reset"},
			hint:    "the peer reset the connection without answering: report it",
			exact:   "error: handshake with ADDR: read handshake (0 of 68 bytes): read tcp LOCAL->ADDR: read: connection reset by peer\n",
		},
		{
			fault:   swarm.CloseBeforeHandshake,
			mention: []string{"EOF"},
			hint:    "the peer closed the connection without answering: report it",
			exact:   "error: handshake with ADDR: peer closed the connection without a handshake: EOF\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.fault.String(), func(t *testing.T) {
			t.Parallel()
			tor, path := handshakeTorrent(t)
			seeder := swarm.Start(t, swarm.FromTorrent(tor), swarm.Options{Fault: tc.fault})

			res := cli.Run(t, "handshake", path, seeder.Addr())

			requireHandshakeError(t, res, tc.hint, tc.mention...)
			if !cli.Grading() {
				wrong := tor.InfoHash
				wrong[0] ^= 0xFF
				want := strings.NewReplacer("ADDR", seeder.Addr(), "WRONG", hex.EncodeToString(wrong[:]), "HASH", tor.InfoHashHex()).Replace(tc.exact)
				want = regexp.QuoteMeta(want)
				want = strings.Replace(want, "LOCAL", `127\.0\.0\.1:\d+`, 1) // our side's port: any
				require.Regexp(t, "^"+want+"$", res.Stderr)
			}
		})
	}
}

// TestHandshakeSilentPeer: a peer that accepts the connection but never
// answers must not hang `handshake`. The reference solution's time per peer
// is cut to 1s here through WORKBOOK_PEER_TIMEOUT; your own program may take
// its own time, up to 40s. (Not parallel: it sets an environment variable.)
func TestHandshakeSilentPeer(t *testing.T) {
	t.Parallel()
	program := cli.WithEnv("WORKBOOK_PEER_TIMEOUT=1s")
	tor, path := handshakeTorrent(t)
	seeder := swarm.Start(t, swarm.FromTorrent(tor), swarm.Options{Fault: swarm.NoHandshakeReply})

	res := program.RunTimeout(t, 45*time.Second, "handshake", path, seeder.Addr())

	requireHandshakeError(t, res, "set a deadline on the connection (SetDeadline) and give up on a peer that does not answer")
	lower := strings.ToLower(res.Stderr)
	require.True(t, strings.Contains(lower, "time") || strings.Contains(lower, "deadline") || strings.Contains(lower, "within"),
		"the error should say the peer did not answer in time\n%s", res)
	if !cli.Grading() {
		require.Regexp(t, `^error: handshake with `+seeder.Addr()+`: no answer within 1s \(read handshake \(0 of 68 bytes\): read tcp [0-9.:]+->`+seeder.Addr()+`: i/o timeout\)\n$`, res.Stderr)
	}
}

func TestHandshakeNobodyListening(t *testing.T) {
	t.Parallel()
	_, path := handshakeTorrent(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()

	res := cli.Run(t, "handshake", path, addr)

	requireHandshakeError(t, res, "nothing listens at that address: report the connection error", "refused")
	if !cli.Grading() {
		require.Equal(t, "error: connect to "+addr+": dial tcp "+addr+": connect: connection refused\n", res.Stderr)
	}
}

func TestHandshakeBadArguments(t *testing.T) {
	t.Parallel()
	_, path := handshakeTorrent(t)
	usage := []struct {
		name string
		args []string
	}{
		{"no arguments", []string{"handshake"}},
		{"no peer", []string{"handshake", path}},
		{"three arguments", []string{"handshake", path, "127.0.0.1:1", "extra"}},
		{"no port", []string{"handshake", path, "127.0.0.1"}},
	}
	for _, tc := range usage {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := cli.Run(t, tc.args...)
			require.Equal(t, 2, res.ExitCode, "a wrong command line is a usage error: exit code 2\n%s", res)
			require.Empty(t, res.Stdout, "%s", res)
			cli.RequireMentionsAny(t, res, res.Stderr, []string{"usage"}, "show the usage text")
		})
	}
	t.Run("missing torrent file", func(t *testing.T) {
		t.Parallel()
		missing := filepath.Join(t.TempDir(), "missing.torrent")
		res := cli.Run(t, "handshake", missing, "127.0.0.1:1")
		requireHandshakeError(t, res, "say which file could not be opened", missing)
	})
}
