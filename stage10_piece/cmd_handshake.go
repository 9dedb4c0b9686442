package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"time"

	"workbook/stage10_piece/peer"
	"workbook/stage10_piece/torrent"
)

// peerTimeoutEnv names an environment variable that shortens the time
// given to each peer (a Go duration such as "1s"). The tests use it so that
// a peer that never answers costs them one second, not five.
const peerTimeoutEnv = "WORKBOOK_PEER_TIMEOUT"

// runHandshake implements `handshake <torrent> <ip:port>`: connect to the
// peer, exchange handshakes for the torrent and print the peer's id in hex.
func runHandshake(args []string, stdout, stderr io.Writer) int {
	if len(args) != 2 {
		return usageError(stderr, "handshake takes two arguments: the .torrent file and the peer's ip:port")
	}
	addr := args[1]
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return usageError(stderr, fmt.Sprintf("peer address %q: want ip:port, such as 127.0.0.1:6881", addr))
	}
	run, err := startPeerRun(args[0])
	if err != nil {
		return fail(stderr, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if run.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, run.timeout, fmt.Errorf("no answer within %v", run.timeout))
		defer cancel()
	}
	conn, err := peer.Dial(ctx, addr, run.torrent.InfoHash, run.peerID)
	if err != nil {
		return fail(stderr, err)
	}
	defer conn.Close()
	fmt.Fprintf(stdout, "Peer ID: %x\n", conn.PeerID)
	return 0
}

// peerRun is what every command that talks to peers starts from (handshake,
// download_piece, download): the torrent, our peer id for this run, and
// the time each peer gets.
type peerRun struct {
	torrent *torrent.Metainfo
	peerID  [20]byte
	timeout time.Duration // 0: the peer package's own limits
}

// startPeerRun opens the torrent, makes a fresh peer id and reads
// peerTimeoutEnv.
func startPeerRun(torrentPath string) (peerRun, error) {
	m, err := torrent.Open(torrentPath)
	if err != nil {
		return peerRun{}, err
	}
	peerID, err := peer.NewID()
	if err != nil {
		return peerRun{}, err
	}
	timeout, err := peerTimeout()
	if err != nil {
		return peerRun{}, err
	}
	return peerRun{torrent: m, peerID: peerID, timeout: timeout}, nil
}

// peerTimeout is the time per peer from peerTimeoutEnv, or 0 when unset
// (the peer package's own limits apply).
func peerTimeout() (time.Duration, error) {
	s := os.Getenv(peerTimeoutEnv)
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive duration such as 1s", peerTimeoutEnv, s)
	}
	return d, nil
}
