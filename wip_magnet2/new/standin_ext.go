package main

// Throwaway stand-in for stages 14-15 (BEP 10 extension handshake both ways).

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"workbook/stage13_magnet_handshake/bencode"
	"workbook/stage13_magnet_handshake/extension"
	"workbook/stage13_magnet_handshake/peer"
)

const ourMetadataID = 1

type peerExtensions struct {
	MetadataID   uint8
	MetadataSize int64
}

func (r magnetRun) connectExtended(ctx context.Context, addr netip.AddrPort) (*peer.Conn, peerExtensions, error) {
	conn, err := r.connect(ctx, addr)
	if err != nil {
		return nil, peerExtensions{}, err
	}
	h, err := extHandshake(conn)
	if err != nil {
		conn.Close()
		return nil, peerExtensions{}, fmt.Errorf("%s: %w", addr, err)
	}
	return conn, h, nil
}

func extHandshake(conn *peer.Conn) (peerExtensions, error) {
	if !extension.Supported(conn.Reserved) {
		return peerExtensions{}, errors.New("peer does not support extensions")
	}
	b, _ := bencode.Encode(map[string]any{"m": map[string]any{"ut_metadata": int64(ourMetadataID)}})
	if err := conn.WriteMessages(&peer.Message{ID: 20, Payload: append([]byte{0}, b...)}); err != nil {
		return peerExtensions{}, err
	}
	for range 100 {
		m, err := conn.ReadMessage()
		if err != nil {
			return peerExtensions{}, err
		}
		if m == nil || m.ID != 20 || len(m.Payload) == 0 || m.Payload[0] != 0 {
			continue
		}
		v, err := bencode.Decode(m.Payload[1:])
		if err != nil {
			return peerExtensions{}, err
		}
		d, _ := v.(map[string]any)
		mm, _ := d["m"].(map[string]any)
		id, _ := mm["ut_metadata"].(int64)
		if id < 1 || id > 255 {
			return peerExtensions{}, errors.New("no ut_metadata")
		}
		size, _ := d["metadata_size"].(int64)
		return peerExtensions{MetadataID: uint8(id), MetadataSize: size}, nil
	}
	return peerExtensions{}, errors.New("no extension handshake")
}
