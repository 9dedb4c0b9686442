package main

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/signal"

	"workbook/stage13_magnet_handshake/download"
	"workbook/stage13_magnet_handshake/metadata"
	"workbook/stage13_magnet_handshake/torrent"
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
	failed := &download.PeersError{}
	for _, addr := range peers {
		raw, err := r.metadataFrom(ctx, addr)
		if err == nil {
			info, err := torrent.ParseInfo(raw) // hashes right, so every peer would send it: no next peer
			if err != nil {
				return nil, nil, fmt.Errorf("the metadata of %x: %w", r.link.InfoHash, err)
			}
			l := r.link
			return &torrent.Metainfo{TrackerURL: l.TrackerURL(), AnnounceList: l.Tiers(), Info: info, InfoHash: l.InfoHash}, peers, nil
		}
		if ctx.Err() != nil {
			return nil, nil, context.Cause(ctx)
		}
		failed.Errors = append(failed.Errors, fmt.Errorf("%v: %w", addr, err))
	}
	return nil, nil, fmt.Errorf("metadata: %w", failed)
}

// metadataFrom asks the peer at addr for the metadata, on a connection of
// its own.
func (r magnetRun) metadataFrom(ctx context.Context, addr netip.AddrPort) ([]byte, error) {
	conn, theirs, err := r.connectExtended(ctx, addr)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	p := metadata.Peer{Conn: conn, TheirID: theirs.MetadataID, OurID: ourMetadataID, Size: theirs.MetadataSize}
	return metadata.Fetch(ctx, p, r.link.InfoHash)
}
