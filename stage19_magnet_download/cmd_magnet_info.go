package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/signal"

	"workbook/stage19_magnet_download/download"
	"workbook/stage19_magnet_download/metadata"
	"workbook/stage19_magnet_download/torrent"
)

// runMagnetInfo implements `magnet_info <magnet-link>`: it fetches the
// torrent's info dictionary from the link's peers (BEP 9), checks it
// against the link's info hash, and prints what `info` prints for a
// .torrent file.
func runMagnetInfo(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		return usageError(stderr, "magnet_info takes one argument: the magnet link (quote it: it holds & characters)")
	}
	run, err := startMagnetRun(args[0])
	if err != nil {
		return fail(stderr, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	m, _, err := run.metainfo(ctx, stderr)
	if err != nil {
		return fail(stderr, err)
	}
	printInfo(stdout, m)
	return 0
}

// metainfo finds the link's peers and gets the metadata from the first
// that sends it verified: a torrent as good as a .torrent file, and the
// peers to download it from.
func (r magnetRun) metainfo(ctx context.Context, stderr io.Writer) (*torrent.Metainfo, []netip.AddrPort, error) {
	peers, err := r.peers(ctx, stderr)
	if err != nil {
		return nil, nil, err
	}
	if len(peers) == 0 {
		return nil, nil, errors.New("the tracker lists no peers for this info hash: no one to ask for the metadata")
	}
	raw, err := r.firstMetadata(ctx, peers)
	if err != nil {
		return nil, nil, err
	}
	info, err := torrent.ParseInfo(raw) // hashes right, so every peer would send it: no next peer
	if err != nil {
		return nil, nil, fmt.Errorf("the metadata of %x: %w", r.link.InfoHash, err)
	}
	l := r.link
	return &torrent.Metainfo{TrackerURL: l.TrackerURL(), AnnounceList: l.Tiers(), Info: info, InfoHash: l.InfoHash}, peers, nil
}

// metadataAtOnce is how many peers firstMetadata asks at the same time: a
// dead or silent peer then delays nothing while another answers, and a few
// copies of the metadata (kilobytes) are little to waste.
const metadataAtOnce = 4

// firstMetadata asks up to metadataAtOnce peers at a time, in the order
// given, and returns the first metadata that hashes to the link's info
// hash; the other peers are stopped before it returns. When none sends it,
// the error holds each peer's, in peer order.
func (r magnetRun) firstMetadata(ctx context.Context, peers []netip.AddrPort) ([]byte, error) {
	type result struct {
		peer int
		raw  []byte
		err  error
	}
	ctx, stop := context.WithCancel(ctx)
	results := make(chan result)
	next, running := 0, 0
	defer func() { // no goroutine outlives the call: stop them, wait for them
		stop()
		for ; running > 0; running-- {
			<-results
		}
	}()
	errs := make([]error, len(peers))
	for next < len(peers) || running > 0 {
		for running < metadataAtOnce && next < len(peers) {
			go func(i int) {
				raw, err := r.metadataFrom(ctx, peers[i])
				results <- result{i, raw, err}
			}(next)
			next++
			running++
		}
		res := <-results
		running--
		if res.err == nil {
			return res.raw, nil
		}
		if ctx.Err() != nil { // Ctrl-C: the next peer would not be asked either
			return nil, context.Cause(ctx)
		}
		errs[res.peer] = res.err
	}
	return nil, fmt.Errorf("metadata: %w", &download.PeersError{Errors: errs})
}

// metadataFrom asks the peer at addr for the metadata, on a connection of
// its own. Its errors name the peer.
func (r magnetRun) metadataFrom(ctx context.Context, addr netip.AddrPort) ([]byte, error) {
	conn, err := r.connect(ctx, addr)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	raw, err := metadata.Fetch(ctx, conn.metadataPeer(), r.link.InfoHash)
	if err != nil {
		return nil, fmt.Errorf("peer %s: %w", addr, err)
	}
	return raw, nil
}

// metadataPeer is what the metadata exchange needs of p: the connection,
// both ut_metadata ids and the peer's metadata_size.
func (p *magnetPeer) metadataPeer() metadata.Peer {
	return metadata.Peer{Conn: p.Conn, TheirID: p.utMetadata, OurID: utMetadataID, Size: p.ext.MetadataSize}
}
