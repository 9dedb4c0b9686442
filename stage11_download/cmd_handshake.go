package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"time"

	"workbook/stage11_download/peer"
	"workbook/stage11_download/torrent"
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
	m, err := torrent.Open(args[0])
	if err != nil {
		return fail(stderr, err)
	}
	peerID, err := peer.NewID()
	if err != nil {
		return fail(stderr, err)
	}
	timeout, err := peerTimeout()
	if err != nil {
		return fail(stderr, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, timeout, fmt.Errorf("no answer within %v", timeout))
		defer cancel()
	}
	conn, err := peer.Dial(ctx, addr, m.InfoHash, peerID)
	if err != nil {
		return fail(stderr, err)
	}
	defer conn.Close()
	fmt.Fprintf(stdout, "Peer ID: %x\n", conn.PeerID)
	return 0
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
