package metadata_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"workbook/stage17_metadata_receive/metadata"
	"workbook/stage17_metadata_receive/peer"
)

// The extension ids of the tests: the fake peer's ut_metadata id (on our
// requests) and ours (on its answers), different on purpose.
const (
	theirID = 3
	ourID   = 1
)

// extendedMsg is a BEP 10 extended message on the wire.
func extendedMsg(id byte, payload []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(2+len(payload)))
	return append(append(b, 20, id), payload...)
}

// recordingPeer accepts one connection, answers the handshake for
// infoHash with the extension bit set, and keeps every byte the client
// sends after it. It returns the client's connection and a function that
// closes it and returns those bytes.
func recordingPeer(t *testing.T, infoHash [20]byte) (*peer.Conn, func() []byte) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	got := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		ln.Close()
		if err != nil {
			got <- nil
			return
		}
		defer c.Close()
		hs := make([]byte, 68)
		if _, err := io.ReadFull(c, hs); err != nil {
			got <- nil
			return
		}
		hs[25] |= 0x10 // BEP 10: extension protocol
		copy(hs[48:], "-RP0001-recordedpeer")
		c.Write(hs)
		b, _ := io.ReadAll(c)
		got <- b
	}()
	conn, err := peer.Dial(context.Background(), ln.Addr().String(), infoHash, [20]byte{'x'},
		peer.Timeouts{Read: time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return conn, func() []byte {
		conn.Close()
		return <-got
	}
}

func TestRequestPieces(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		from, to int
		want     [][]byte
	}{
		{"piece 0", 0, 1, [][]byte{extendedMsg(theirID, []byte("d8:msg_typei0e5:piecei0ee"))}},
		{"pieces 0 to 2 in one go", 0, 3, [][]byte{
			extendedMsg(theirID, []byte("d8:msg_typei0e5:piecei0ee")),
			extendedMsg(theirID, []byte("d8:msg_typei0e5:piecei1ee")),
			extendedMsg(theirID, []byte("d8:msg_typei0e5:piecei2ee")),
		}},
		{"pieces 1 and 2", 1, 3, [][]byte{
			extendedMsg(theirID, []byte("d8:msg_typei0e5:piecei1ee")),
			extendedMsg(theirID, []byte("d8:msg_typei0e5:piecei2ee")),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			conn, received := recordingPeer(t, sha1.Sum([]byte(tc.name)))
			p := metadata.Peer{Conn: conn, TheirID: theirID, OurID: ourID}
			require.NoError(t, p.RequestPieces(tc.from, tc.to))
			require.Equal(t, bytes.Join(tc.want, nil), received(),
				"each request carries the PEER's ut_metadata id (%d), never ours (%d)", theirID, ourID)
		})
	}
}

func TestRequestPiecesClosedConnection(t *testing.T) {
	t.Parallel()
	conn, received := recordingPeer(t, sha1.Sum([]byte("closed")))
	received() // closes our side
	p := metadata.Peer{Conn: conn, TheirID: theirID, OurID: ourID}
	err := p.RequestPieces(0, 2)
	require.ErrorContains(t, err, "metadata: send 2 requests")
}
