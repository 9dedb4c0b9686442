package main

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"
	"time"

	"workbook/stage18_magnet_piece/peer"
	"workbook/stage18_magnet_piece/torrent"
	"workbook/stage18_magnet_piece/tracker"
)

// announcePort is the port we tell the tracker we accept peers on (we do not
// listen yet): 6881, the first of BEP 3's traditional 6881-6889.
const announcePort = 6881

// trackerTimeoutEnv overrides the tracker timeout (a Go duration such as
// "2s"): in the tests a tracker that never answers costs a second, not 15.
const trackerTimeoutEnv = "WORKBOOK_TRACKER_TIMEOUT"

// peerTimeoutEnv sets every time limit for a peer (a Go duration such as
// "1s"): in the tests a peer that never answers costs a second, not 30.
const peerTimeoutEnv = "WORKBOOK_PEER_TIMEOUT"

// announce asks the torrent's trackers for peers, as a client that has
// nothing yet; a tracker's warnings (and peers it skipped) go to stderr.
func announce(ctx context.Context, m *torrent.Metainfo, peerID [20]byte, stderr io.Writer) ([]netip.AddrPort, error) {
	return announceTiers(ctx, m.Tiers(), tracker.Params{
		InfoHash: m.InfoHash, PeerID: peerID, Port: announcePort,
		Left: m.Info.Length, // nothing downloaded yet
	}, stderr)
}

// announceTiers asks the trackers of tiers for peers with the parameters p.
func announceTiers(ctx context.Context, tiers [][]string, p tracker.Params, stderr io.Writer) ([]netip.AddrPort, error) {
	timeout, err := durationEnv(trackerTimeoutEnv) // 0: the tracker package's default
	if err != nil {
		return nil, err
	}
	client := &tracker.Client{Timeout: timeout}
	resp, err := client.AnnounceTiers(ctx, tiers, p)
	if err != nil {
		return nil, err
	}
	if resp.Warning != "" {
		fmt.Fprintf(stderr, "warning: %s\n", resp.Warning)
	}
	for _, line := range resp.Skipped { // peers listed by host name: never resolved
		fmt.Fprintf(stderr, "warning: %s\n", line)
	}
	return resp.Peers, nil
}

// durationEnv is the duration in the environment variable name, 0 if unset.
func durationEnv(name string) (time.Duration, error) {
	s := os.Getenv(name)
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive duration such as 2s", name, s)
	}
	return d, nil
}

// peerRun is what every command that talks to peers starts from: the
// torrent, our peer id for this run, and the time limits for each peer.
type peerRun struct {
	torrent  *torrent.Metainfo
	peerID   [20]byte
	timeouts peer.Timeouts // zero fields: the peer package's defaults
}

// startPeerRun opens the torrent, makes a fresh peer id and reads
// peerTimeoutEnv.
func startPeerRun(torrentPath string) (peerRun, error) {
	m, err := torrent.Open(torrentPath)
	if err != nil {
		return peerRun{}, err
	}
	peerID, timeouts, err := peerSetup()
	if err != nil {
		return peerRun{}, err
	}
	return peerRun{torrent: m, peerID: peerID, timeouts: timeouts}, nil
}

// peerSetup makes a fresh peer id and reads peerTimeoutEnv.
func peerSetup() ([20]byte, peer.Timeouts, error) {
	peerID, err := peer.NewID()
	if err != nil {
		return peerID, peer.Timeouts{}, err
	}
	t, err := durationEnv(peerTimeoutEnv)
	return peerID, peer.Timeouts{Handshake: t, Read: t}, err
}
