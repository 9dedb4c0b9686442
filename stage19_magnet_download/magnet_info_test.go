package main_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/testkit/cli"
	"workbook/testkit/swarm"
	"workbook/testkit/torrentfile"
)

// requireMagnetInfo checks a magnet_info run: the lines `info` prints
// for tor (CONTRACT.md: in order, later stages' lines allowed between).
func requireMagnetInfo(t *testing.T, res cli.Result, tor *torrentfile.Torrent, hint string) {
	t.Helper()
	requireMagnetInfoFacts(t, res, factsOf(tor), hint)
}

func requireMagnetInfoFacts(t *testing.T, res cli.Result, facts infoFacts, hint string) {
	t.Helper()
	want := facts.output()
	cli.RequireLines(t, res, want, hint)
	if !cli.Grading() {
		require.Equal(t, want, res.Stdout, "%s\n%s", hint, res)
	}
}

const magnetInfoHint = "`magnet_info` gets the info dictionary from the peers (BEP 9: request every 16 KiB piece with the peer's ut_metadata id, " +
	"take the bytes after each data message's dictionary, check the SHA-1 of the whole against the link's info hash) and prints what `info` prints"

func TestMagnetInfo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		o    torrentfile.Options
	}{
		{"OnePiece", torrentfile.Options{Seed: 170, Name: "magnet1.gif", Length: 92063, PieceLength: 32768}},
		{"MetadataInSixPieces", torrentfile.LargeOptions},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tor, link, sw := metadataSwarm(t, tc.o, swarm.Options{})
			res := cli.Run(t, "magnet_info", link)
			requireMagnetInfo(t, res, tor, magnetInfoHint)
			require.NoError(t, sw.Close())
			require.Empty(t, sw[0].Violations())
		})
	}
}

// TestMagnetInfoXPe: a link with no tracker, only x.pe peers, gets its
// metadata from them, and prints no Tracker URL line (as magnet_parse).
func TestMagnetInfoXPe(t *testing.T) {
	t.Parallel()
	tor := torrentfile.MustBuild(t, torrentfile.Options{Seed: 174, Name: "xpe.bin", Length: 70000, PieceLength: 32768})
	sw := swarm.StartSwarm(t, swarm.FromTorrent(tor), swarm.Options{}, swarm.Options{})
	res := cli.Run(t, "magnet_info", torrentfile.Magnet{InfoHash: tor.InfoHash, Peers: sw.Addrs()}.String())
	facts := factsOf(tor)
	facts.announce = ""
	requireMagnetInfoFacts(t, res, facts, "a link without tr: ask its x.pe peers for the metadata; print no Tracker URL line")
}

// TestMagnetInfoNoPeers: a tracker that lists nobody leaves no one to ask
// for the metadata: one error line, at once.
func TestMagnetInfoNoPeers(t *testing.T) {
	t.Parallel()
	_, link, _ := metadataSwarm(t, torrentfile.Options{Seed: 175, Name: "alone.bin", Length: 70000})
	res := cli.Run(t, "magnet_info", link)
	requireOneLineError(t, res, "the tracker lists no peers: say so (there is no one to ask for the metadata)", "peer")
}

// metadataLies are the ways a peer can lie about the metadata, each with
// what the client should do about it.
var metadataLies = []struct {
	fault swarm.Fault
	hint  string
}{
	{swarm.MetadataWrongBytes, "check the SHA-1 of the whole metadata against the magnet link's info hash; on a mismatch drop the peer and ask the next"},
	{swarm.MetadataWrongTotalSize, "total_size must agree with the extension handshake's metadata_size: drop a peer that says otherwise"},
	{swarm.MetadataPieceOutOfRange, "a data message for a piece past the end (or never requested) is a lie: drop the peer"},
	{swarm.MetadataUnrequestedPiece, "ignore (or drop the peer for) metadata you did not ask for; never assemble it"},
	{swarm.MetadataHugeTotalSize, "a 4 GiB total_size: refuse it before allocating, drop the peer"},
	{swarm.MetadataReject, "a reject (msg_type 2) means this peer will not send the metadata: ask the next peer"},
	{swarm.MetadataNoAnswer, "a peer that never answers costs one read timeout (WORKBOOK_PEER_TIMEOUT), then ask the next"},
	{swarm.HugeMetadataSize, "a metadata_size of 4 GiB in the extension handshake: refuse it before allocating"},
	{swarm.NoUTMetadata, "a peer without ut_metadata cannot send the metadata: ask the next"},
}

// TestMagnetInfoSurvivesLyingPeers: the tracker lists a lying peer first
// and an honest one second; magnet_info must print the honest metadata.
func TestMagnetInfoSurvivesLyingPeers(t *testing.T) {
	t.Parallel()
	program := cli.WithEnv("WORKBOOK_PEER_TIMEOUT=2s")
	for _, tc := range metadataLies {
		t.Run(tc.fault.String(), func(t *testing.T) {
			t.Parallel()
			o := torrentfile.Options{Seed: 172, Name: "lies.bin", Length: 1200 * 16384, PieceLength: 16384} // 24000-byte pieces string: 2 metadata pieces
			tor, link, _ := metadataSwarm(t, o, swarm.Options{Fault: tc.fault}, swarm.Options{})
			res := program.Run(t, "magnet_info", link)
			requireMagnetInfo(t, res, tor, tc.hint)
		})
	}
}

// TestMagnetInfoAllPeersLie: with only a lying peer, magnet_info fails
// clearly, on its own, in bounded time.
func TestMagnetInfoAllPeersLie(t *testing.T) {
	t.Parallel()
	program := cli.WithEnv("WORKBOOK_PEER_TIMEOUT=1s")
	for _, tc := range metadataLies {
		t.Run(tc.fault.String(), func(t *testing.T) {
			t.Parallel()
			o := torrentfile.Options{Seed: 173, Name: "lies.bin", Length: 1200 * 16384, PieceLength: 16384}
			_, link, _ := metadataSwarm(t, o, swarm.Options{Fault: tc.fault})
			res := program.Run(t, "magnet_info", link)
			requireOneLineError(t, res, "magnet_info must fail when its only peer lies: "+tc.hint)
		})
	}
}

// TestMagnetInfoHostileMetadata: metadata that hashes right is the
// torrent the link names, and it can still be hostile. The checks of
// `info` apply to it exactly as to a .torrent file.
func TestMagnetInfoHostileMetadata(t *testing.T) {
	t.Parallel()
	pieces := strings.Repeat("h", 20)
	tests := []struct {
		name, info, key string
	}{
		{"PathTraversal", "d6:lengthi1e4:name10:../.bashrc12:piece lengthi16384e6:pieces20:" + pieces + "e", "name"},
		{"PiecesOneShort", "d6:lengthi40000e4:name1:x12:piece lengthi16384e6:pieces20:" + pieces + "e", "pieces"},
		{"NotADictionary", "l4:spame", "info"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			content := swarm.MetadataContent([]byte(tc.info))
			s := swarm.Start(t, content, swarm.Options{})
			link := fmt.Sprintf("magnet:?xt=urn:btih:%x&x.pe=%s", content.InfoHash, s.Addr())
			res := cli.Run(t, "magnet_info", link)
			requireOneLineError(t, res, "metadata that hashes right is the torrent the link names, and may still be hostile: "+
				"refuse it as `info` refuses a .torrent file, naming the key", tc.key)
		})
	}
}
