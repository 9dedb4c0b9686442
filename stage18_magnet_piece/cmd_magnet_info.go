package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/signal"

	"workbook/stage18_magnet_piece/download"
	"workbook/stage18_magnet_piece/metadata"
	"workbook/stage18_magnet_piece/torrent"
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

// firstMetadata asks the peers in turn and returns the first metadata that
// hashes to the link's info hash; when none sends it, the error holds each
// peer's.
func (r magnetRun) firstMetadata(ctx context.Context, peers []netip.AddrPort) ([]byte, error) {
	failed := &download.PeersError{}
	for _, addr := range peers {
		raw, err := r.metadataFrom(ctx, addr)
		if err == nil {
			return raw, nil
		}
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		failed.Errors = append(failed.Errors, err)
	}
	return nil, fmt.Errorf("metadata: %w", failed)
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
