package main_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"workbook/testkit/cli"
	"workbook/testkit/swarm"
)

// TestMagnetHandshakeSendsExtensionHandshake: after the BitTorrent
// handshake with a peer that set the extension bit, the client sends its
// extension handshake (BEP 10): message 20, extended id 0, a bencoded
// dictionary whose m gives ut_metadata an id of ours, 1 to 255.
func TestMagnetHandshakeSendsExtensionHandshake(t *testing.T) {
	t.Parallel()
	ms := startMagnetSwarm(t, swarm.Options{})
	seeder := ms.seeders[0]

	res := cli.Run(t, "magnet_handshake", ms.link)

	cli.RequireLines(t, res, fmt.Sprintf("Peer ID: %x\n", seeder.PeerID()), "the handshake with an honest peer succeeds")
	require.Eventually(t, func() bool { return len(seeder.ExtensionHandshakes()) > 0 }, 5*time.Second, 10*time.Millisecond,
		"after the BitTorrent handshake, send the extension handshake: length, id 20, extended id 0, then a bencoded dictionary (BEP 10)")
	seeder.Close() // its records are final after Close
	got := seeder.ExtensionHandshakes()
	require.Len(t, got, 1, "send the extension handshake once")
	t.Logf("the seeder received the extension handshake %q", got[0].Payload)
	require.NotNil(t, got[0].M, "the dictionary must have an m dictionary: %q", got[0].Payload)
	id, ok := got[0].M["ut_metadata"]
	require.True(t, ok, "m must name ut_metadata (BEP 9), with the id you want the peer to use for it: %q", got[0].Payload)
	require.True(t, id >= 1 && id <= 255, "ut_metadata's id is one byte on the wire, and 0 means disabled: want 1 to 255, got %d", id)
	require.Empty(t, seeder.Violations(), "the seeder saw nothing against the protocol")
}

// TestMagnetHandshakeNoExtensionBit: a peer that did not set the extension
// bit speaks plain BEP 3: it must get no extension message, and since it
// cannot give us the metadata, it is refused.
func TestMagnetHandshakeNoExtensionBit(t *testing.T) {
	t.Parallel()
	ms := startMagnetSwarm(t, swarm.Options{Fault: swarm.NoExtensionBit})
	seeder := ms.seeders[0]

	res := cli.Run(t, "magnet_handshake", ms.link)

	hint := "the only peer's reserved bytes lack the extension bit (byte 5 & 0x10): it cannot send the metadata, so refuse it"
	requireHandshakeError(t, res, hint)
	cli.RequireMentionsAny(t, res, res.Stderr, []string{"extension", "BEP 10"}, hint)
	seeder.Close()
	require.Empty(t, seeder.ExtensionHandshakes(), "send a peer without the extension bit no extension message")
	require.Empty(t, seeder.Violations())
}
