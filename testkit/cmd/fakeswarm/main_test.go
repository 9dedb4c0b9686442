package main

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackpal/bencode-go"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"workbook/testkit/swarm"
	"workbook/testkit/torrentfile"
)

// TestFakeSwarm starts the swarm as the lessons do and checks what they rely
// on: the files in the folder, the tracker's peer lists in order, a seeder
// per fault, and the fixed info hashes and peer ids the lessons show.
func TestFakeSwarm(t *testing.T) {
	defer goleak.VerifyNone(t)
	dir := t.TempDir()
	cfg, err := parseFlags([]string{"-dir", dir})
	require.NoError(t, err)
	var out bytes.Buffer
	sw, err := start(cfg, &out)
	require.NoError(t, err)
	defer sw.close()
	require.True(t, strings.HasSuffix(out.String(), "ready; Ctrl-C stops\n"), out.String())

	sample := mustBuild(t, sampleOptions)
	require.Equal(t, "2b90b5d2ffcae5f3e72749eb6aeb9f4f5d0a670f", sample.InfoHashHex(), "sample.torrent's info hash is shown in the lessons")
	content, err := os.ReadFile(filepath.Join(dir, "sample.bin"))
	require.NoError(t, err)
	require.Equal(t, sample.Content.Bytes(), content, "sample.bin is the content sample.torrent describes")
	require.NoError(t, mustBuild(t, multiOptions).VerifyContent(filepath.Join(dir, "multi")))
	require.DirExists(t, filepath.Join(dir, "out"))

	announce := readLine(t, dir, "announce")
	for _, c := range []struct {
		file   string
		faults []swarm.Fault
	}{
		{"sample.torrent", cfg.samplePeers},
		{"bad.torrent", cfg.badPeers},
		{"multi.torrent", multiPeers},
	} {
		t.Run(c.file, func(t *testing.T) {
			infoHash, length := readTorrent(t, filepath.Join(dir, c.file), announce)
			peers := announceTo(t, announce, infoHash, length)
			require.Len(t, peers, len(c.faults), "the tracker lists one seeder per fault given")
			for i, p := range peers {
				require.Contains(t, out.String(), p+" "+c.faults[i].String(), "the output names each listed seeder and its fault")
			}
		})
	}

	for i, f := range swarm.AllFaults() {
		addr := readLine(t, dir, "peers", f.String())
		if f == swarm.Honest {
			id := handshake(t, addr, sample.InfoHash)
			require.Equal(t, "-SW0001-000000000003", string(id[:]), "the first honest seeder's fixed peer id")
		}
		for _, g := range swarm.AllFaults()[:i] {
			require.NotEqual(t, readLine(t, dir, "peers", g.String()), addr, "%s and %s share a seeder", f, g)
		}
	}
}

// TestFakeSwarmMagnet starts the swarm as the magnet lessons do (-magnet)
// and checks each magnet link: its info hash, its tracker, and that the
// tracker lists its seeders to a magnet client (left is a placeholder).
func TestFakeSwarmMagnet(t *testing.T) {
	defer goleak.VerifyNone(t)
	dir := t.TempDir()
	cfg, err := parseFlags([]string{"-dir", dir, "-magnet", "-badmeta", "MetadataNoAnswer,NoUTMetadata"})
	require.NoError(t, err)
	var out bytes.Buffer
	sw, err := start(cfg, &out)
	require.NoError(t, err)
	defer sw.close()
	require.True(t, strings.HasSuffix(out.String(), "ready; Ctrl-C stops\n"), out.String())
	announce := readLine(t, dir, "announce")
	large := mustBuild(t, torrentfile.LargeOptions)
	require.Greater(t, len(large.InfoBytes), 5*16384, "large's metadata spans several pieces")
	hostile := sha1.Sum(hostileInfoBytes(t))

	for _, c := range []struct {
		file     string
		infoHash [20]byte
		name     string
		peers    int
	}{
		{"sample.magnet", mustBuild(t, sampleOptions).InfoHash, "sample.bin", 4},
		{"bad.magnet", mustBuild(t, badOptions).InfoHash, "bad.bin", 3},
		{"multi.magnet", mustBuild(t, multiOptions).InfoHash, "multi", 2},
		{"large.magnet", large.InfoHash, "large.bin", 2},
		{"badmeta.magnet", mustBuild(t, badMetaOptions).InfoHash, "badmeta.bin", 2},
		{"hostile.magnet", hostile, "hostile", 2},
	} {
		t.Run(c.file, func(t *testing.T) {
			link := readLine(t, dir, c.file)
			require.Contains(t, out.String(), link, "the link is printed too")
			u, err := url.Parse(link)
			require.NoError(t, err)
			require.Equal(t, "magnet", u.Scheme)
			require.Equal(t, fmt.Sprintf("urn:btih:%x", c.infoHash), u.Query().Get("xt"))
			require.Equal(t, c.name, u.Query().Get("dn"))
			require.Equal(t, []string{announce}, u.Query()["tr"])
			peers := announceTo(t, announce, c.infoHash, 999)
			require.Len(t, peers, c.peers)
			handshake(t, peers[0], c.infoHash)
		})
	}
	require.Contains(t, out.String(), "MetadataNoAnswer, ", "-badmeta chooses badmeta's seeders")
}

// hostileInfoBytes is the info dict hostile.magnet's seeders serve.
func hostileInfoBytes(t *testing.T) []byte {
	for _, h := range torrentfile.HostileInfoCases() {
		if h.Name == hostileInfo {
			return h.Bytes
		}
	}
	t.Fatalf("no hostile info case %q", hostileInfo)
	return nil
}

// TestRunStopsAfterFor checks -for: the command returns on its own.
func TestRunStopsAfterFor(t *testing.T) {
	defer goleak.VerifyNone(t)
	var out bytes.Buffer
	require.NoError(t, run([]string{"-dir", t.TempDir(), "-for", "50ms"}, &out))
	require.Contains(t, out.String(), "ready")
}

func TestParseFlagsErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "-dir is required"},
		{[]string{"-dir", "x", "-sample", "Honest,Lying"}, `-sample: unknown fault "Lying"`},
		{[]string{"-dir", "x", "-bad", ","}, "-bad: no seeders"},
		{[]string{"-dir", "x", "-badmeta", "Lying"}, `-badmeta: unknown fault "Lying"`},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			_, err := parseFlags(c.args)
			require.ErrorContains(t, err, c.want)
		})
	}
}

func mustBuild(t *testing.T, o torrentfile.Options) *torrentfile.Torrent {
	t.Helper()
	tor, err := torrentfile.Build(o)
	require.NoError(t, err)
	return tor
}

func readLine(t *testing.T, elem ...string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(elem...))
	require.NoError(t, err)
	return strings.TrimSuffix(string(b), "\n")
}

// readTorrent decodes a written torrent with bencode-go and returns its info
// hash and total length.
func readTorrent(t *testing.T, path, wantAnnounce string) ([20]byte, int64) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var meta struct {
		Announce string `bencode:"announce"`
	}
	require.NoError(t, bencode.Unmarshal(bytes.NewReader(data), &meta))
	require.Equal(t, wantAnnounce, meta.Announce)
	top, err := bencode.Decode(bytes.NewReader(data))
	require.NoError(t, err)
	info := top.(map[string]any)["info"].(map[string]any)
	var infoBytes bytes.Buffer
	require.NoError(t, bencode.Marshal(&infoBytes, info))
	length, _ := info["length"].(int64)
	if files, ok := info["files"].([]any); ok {
		for _, f := range files {
			length += f.(map[string]any)["length"].(int64)
		}
	}
	return sha1.Sum(infoBytes.Bytes()), length
}

// announceTo asks the tracker for the torrent's peers (compact) and returns
// them as "ip:port" in its order.
func announceTo(t *testing.T, announce string, infoHash [20]byte, length int64) []string {
	t.Helper()
	q := url.Values{"info_hash": {string(infoHash[:])}, "peer_id": {"-XX0001-abcdefghijkl"},
		"port": {"6881"}, "uploaded": {"0"}, "downloaded": {"0"}, "left": {fmt.Sprint(length)}, "compact": {"1"}}
	resp, err := http.Get(announce + "?" + q.Encode())
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var answer struct {
		Failure string `bencode:"failure reason"`
		Peers   string `bencode:"peers"`
	}
	require.NoError(t, bencode.Unmarshal(bytes.NewReader(body), &answer))
	require.Empty(t, answer.Failure)
	var peers []string
	for p := []byte(answer.Peers); len(p) >= 6; p = p[6:] {
		addr, _ := netip.AddrFromSlice(p[:4])
		peers = append(peers, netip.AddrPortFrom(addr, binary.BigEndian.Uint16(p[4:6])).String())
	}
	return peers
}

// handshake sends a BEP 3 handshake for infoHash and returns the peer id of
// the answer, after checking its info hash.
func handshake(t *testing.T, addr string, infoHash [20]byte) [20]byte {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(5*time.Second)))
	msg := append([]byte("\x13BitTorrent protocol"), make([]byte, 8)...)
	msg = append(append(msg, infoHash[:]...), "-XX0001-abcdefghijkl"...)
	_, err = conn.Write(msg)
	require.NoError(t, err)
	reply := make([]byte, 68)
	_, err = io.ReadFull(conn, reply)
	require.NoError(t, err)
	require.Equal(t, infoHash[:], reply[28:48])
	return [20]byte(reply[48:68])
}
