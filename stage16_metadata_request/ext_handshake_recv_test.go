package main_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"workbook/testkit/cli"
	"workbook/testkit/swarm"
)

// TestMagnetHandshakeExtensionID: the client reads the peer's extension
// handshake, whatever came before it, and prints the id the peer's m
// gives ut_metadata: the peer's own choice, not ours.
func TestMagnetHandshakeExtensionID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		opts   swarm.Options
		wantID int
		hint   string
	}{
		{"default", swarm.Options{}, swarm.DefaultUTMetadataID,
			"print the id the peer's extension handshake gives ut_metadata in its m dictionary (not your own id)"},
		{"id 42", swarm.Options{UTMetadataID: 42}, 42, "each peer picks its own id: read it from its m"},
		{"id 255", swarm.Options{UTMetadataID: 255}, 255, "255 is the largest id one byte can carry"},
		{"before the bitfield", swarm.Options{Fault: swarm.ExtensionHandshakeBeforeBitfield}, swarm.DefaultUTMetadataID,
			"the extension handshake may come before the bitfield"},
		{"after unchoke, have, keep-alive", swarm.Options{Fault: swarm.ExtensionHandshakeAfterUnchoke}, swarm.DefaultUTMetadataID,
			"skip the bitfield, unchoke, have and keep-alive that come first: read messages until one with id 20 and extended id 0"},
		{"after an unrequested metadata piece", swarm.Options{Fault: swarm.MetadataUnrequestedPiece}, swarm.DefaultUTMetadataID,
			"an extension message that is not the handshake (extended id other than 0) comes first: skip it"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ms := startMagnetSwarm(t, tc.opts)

			res := cli.Run(t, "magnet_handshake", ms.link)

			want := fmt.Sprintf("Peer ID: %x\nPeer Metadata Extension ID: %d\n", ms.seeders[0].PeerID(), tc.wantID)
			cli.RequireLines(t, res, want, tc.hint)
			if !cli.Grading() {
				require.Equal(t, want, res.Stdout, "%s", res)
				require.Empty(t, res.Stderr, "%s", res)
			}
		})
	}
}

// TestMagnetHandshakeExtensionFaults: a peer whose extension handshake is
// unusable or hostile is refused with a clear error, without reading or
// allocating what it claims.
func TestMagnetHandshakeExtensionFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fault   swarm.Fault
		mention []string
		hint    string
		exact   string // the reference solution's line after "error: peer ADDR: "
	}{
		{swarm.ExtensionHandshakeGarbage, []string{"bencode", "extension", "handshake"},
			"the extension handshake's payload is not bencode",
			"extension handshake: bencode: at byte 0: expected a value (a digit, 'i', 'l' or 'd'), got byte 0xff"},
		{swarm.ExtensionHandshakeOversized, []string{"too long", "too large", "too big", "length", "size", "limit"},
			"the extension handshake claims over 1 MiB: refuse its length before reading it (real ones take a few hundred bytes)",
			"waiting for the extension handshake: message too long: length prefix 1048694 (0x00100076) over the 16393 bytes any message may have"},
		{swarm.NoUTMetadata, []string{"ut_metadata"},
			"the peer's m does not list ut_metadata: it cannot send the metadata",
			"extension not supported: the peer's m does not list ut_metadata"},
		{swarm.UTMetadataZero, []string{"ut_metadata"},
			"ut_metadata 0 means disabled (BEP 10)",
			"extension not supported: the peer's m gives ut_metadata id 0 (disabled)"},
		{swarm.UTMetadata300, []string{"ut_metadata"},
			"an extended message id is one byte: 300 is not one",
			"extension not supported: the peer's m gives ut_metadata id 300, want 1-255 (one byte)"},
		{swarm.HugeMetadataSize, []string{"metadata_size", "metadata"},
			"a metadata_size of 4 GiB is hostile: cap it (a few MiB) and refuse the peer",
			"extension handshake: metadata too large: metadata_size 4294967296 is over the 8388608 bytes this client accepts"},
	}
	for _, tc := range tests {
		t.Run(tc.fault.String(), func(t *testing.T) {
			t.Parallel()
			ms := startMagnetSwarm(t, swarm.Options{Fault: tc.fault})

			res := cli.Run(t, "magnet_handshake", ms.link)

			requireHandshakeError(t, res, tc.hint)
			cli.RequireMentionsAny(t, res, res.Stderr, tc.mention, tc.hint)
			if !cli.Grading() {
				require.Equal(t, "error: peer "+ms.seeders[0].Addr()+": "+tc.exact+"\n", res.Stderr)
			}
		})
	}
}

// TestMagnetHandshakeExtensionFaultsThenHonest: peers whose extension
// handshakes are no use are left for the next; the honest one's id is
// printed.
func TestMagnetHandshakeExtensionFaultsThenHonest(t *testing.T) {
	t.Parallel()
	ms := startMagnetSwarm(t, swarm.Options{Fault: swarm.NoExtensionBit}, swarm.Options{Fault: swarm.NoUTMetadata},
		swarm.Options{Fault: swarm.HugeMetadataSize}, swarm.Options{UTMetadataID: 42})

	res := cli.Run(t, "magnet_handshake", ms.link)

	cli.RequireLines(t, res, fmt.Sprintf("Peer ID: %x\nPeer Metadata Extension ID: 42\n", ms.seeders[3].PeerID()),
		"the first three peers cannot give the metadata (no extension bit, no ut_metadata, a 4 GiB metadata_size): try the next peer")
}

// TestMagnetHandshakeNoExtensionHandshake: a peer that sets the extension
// bit but never sends its extension handshake must not hang the client.
// The reference solution's time per peer is cut to 1s through
// WORKBOOK_PEER_TIMEOUT; your own program may take its own time, up to
// 40s. (Not parallel: it sets an environment variable.)
func TestMagnetHandshakeNoExtensionHandshake(t *testing.T) {
	t.Parallel()
	program := cli.WithEnv("WORKBOOK_PEER_TIMEOUT=1s")
	ms := startMagnetSwarm(t, swarm.Options{Fault: swarm.NoExtensionHandshake})

	res := program.RunTimeout(t, 45*time.Second, "magnet_handshake", ms.link)

	hint := "the peer sets the extension bit and never sends its extension handshake: give up after a time limit"
	requireHandshakeError(t, res, hint)
	cli.RequireMentionsAny(t, res, res.Stderr, []string{"time", "deadline", "within"}, hint)
	if !cli.Grading() {
		require.Equal(t, "error: peer "+ms.seeders[0].Addr()+": no extension handshake within 1s: i/o timeout\n", res.Stderr)
	}
}
