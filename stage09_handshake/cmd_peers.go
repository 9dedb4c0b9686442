package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"workbook/stage09_handshake/peer"
	"workbook/stage09_handshake/torrent"
	"workbook/stage09_handshake/tracker"
)

// announcePort is the TCP port we tell the tracker we accept peers on.
// This client does not listen yet (it only connects out); 6881 is the first
// of BitTorrent's traditional ports 6881-6889 (BEP 3) and what the course
// sends.
const announcePort = 6881

// trackerTimeoutEnv names an environment variable that overrides the
// tracker timeout (a Go duration such as "2s"). The tests use it so that a
// tracker that never answers costs them one second, not fifteen.
const trackerTimeoutEnv = "WORKBOOK_TRACKER_TIMEOUT"

// runPeers implements `peers <torrent>`: announce to the torrent's tracker
// and print the peers it lists, one ip:port a line (IPv6 as [ip]:port).
// A tracker's warning, and each peer left out (see tracker.Response.Skipped),
// go to stderr as "warning: ..." lines.
func runPeers(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		return usageError(stderr, "peers takes one argument: the .torrent file")
	}
	m, err := torrent.Open(args[0])
	if err != nil {
		return fail(stderr, err)
	}
	client, err := trackerClient()
	if err != nil {
		return fail(stderr, err)
	}
	peerID, err := peer.NewID()
	if err != nil {
		return fail(stderr, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	resp, err := client.AnnounceTiers(ctx, m.Tiers(), tracker.Params{
		InfoHash: m.InfoHash,
		PeerID:   peerID,
		Port:     announcePort,
		Left:     m.Info.Length, // nothing downloaded yet
	})
	if err != nil {
		return fail(stderr, err)
	}
	if resp.Warning != "" {
		fmt.Fprintf(stderr, "warning: %s\n", resp.Warning)
	}
	for _, line := range resp.Skipped { // peers listed by host name: never resolved
		fmt.Fprintf(stderr, "warning: %s\n", line)
	}
	for _, p := range resp.Peers {
		fmt.Fprintln(stdout, p) // netip.AddrPort: 1.2.3.4:6881 or [::1]:6881
	}
	return 0
}

// trackerClient is the default tracker client, with the timeout from
// trackerTimeoutEnv when it is set.
func trackerClient() (*tracker.Client, error) {
	client := &tracker.Client{}
	if s := os.Getenv(trackerTimeoutEnv); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("%s=%q: want a positive duration such as 2s", trackerTimeoutEnv, s)
		}
		client.Timeout = d
	}
	return client, nil
}
