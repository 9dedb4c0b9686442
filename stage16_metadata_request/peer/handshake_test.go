package peer_test

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"

	"workbook/stage16_metadata_request/peer"
)

// wire builds handshake bytes by hand, independently of MarshalBinary.
func wire(pstr, reserved, infoHash, peerID string) []byte {
	return []byte(string(rune(len(pstr))) + pstr + reserved + infoHash + peerID)
}

var (
	testInfoHash = [20]byte([]byte("\xd6\x9f\x91\xe6\xb2\xae\x4c\x54\x24\x68\xd1\x07\x3a\x71\xd4\xea\x13\x87\x9a\x7f"))
	testPeerID   = [20]byte([]byte("-WB0001-abcdefghijkl"))
	zero8        = strings.Repeat("\x00", 8)
)

func TestHandshakeMarshalBinary(t *testing.T) {
	h := peer.Handshake{InfoHash: testInfoHash, PeerID: testPeerID}
	got, err := h.MarshalBinary()
	require.NoError(t, err)
	require.Len(t, got, peer.HandshakeLen)
	require.Equal(t, wire(peer.Protocol, zero8, string(testInfoHash[:]), string(testPeerID[:])), got)
	require.Equal(t, "13426974546f7272656e742070726f746f636f6c", hex.EncodeToString(got[:20]),
		"byte 19, then the 19 ASCII bytes of \"BitTorrent protocol\"")
}

func TestReadHandshake(t *testing.T) {
	valid := wire(peer.Protocol, zero8, string(testInfoHash[:]), string(testPeerID[:]))
	tests := []struct {
		name    string
		input   []byte
		want    peer.Handshake
		wantErr string
	}{
		{name: "valid", input: valid, want: peer.Handshake{InfoHash: testInfoHash, PeerID: testPeerID}},
		{name: "reserved bits kept", input: wire(peer.Protocol, "\x00\x00\x00\x00\x00\x10\x00\x05", string(testInfoHash[:]), string(testPeerID[:])),
			want: peer.Handshake{Reserved: [8]byte{5: 0x10, 7: 0x05}, InfoHash: testInfoHash, PeerID: testPeerID}},
		{name: "extra bytes after it are left unread", input: append(bytes.Clone(valid), 0, 0, 0, 0),
			want: peer.Handshake{InfoHash: testInfoHash, PeerID: testPeerID}},
		{name: "nothing", input: nil, wantErr: "peer closed the connection without a handshake: EOF"},
		{name: "short", input: valid[:40], wantErr: "short handshake: peer closed the connection after 40 of 68 bytes: unexpected EOF"},
		{name: "wrong protocol string", input: wire("BitTorrent Protocol", zero8, string(testInfoHash[:]), string(testPeerID[:])),
			wantErr: `not a BitTorrent handshake: protocol "BitTorrent Protocol", want "BitTorrent protocol"`},
		{name: "wrong length byte", input: append([]byte{18}, valid[1:]...),
			wantErr: `not a BitTorrent handshake: first byte 18, want 19 (the length of "BitTorrent protocol")`},
		{name: "an HTTP server", input: []byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
			wantErr: "not a BitTorrent handshake: first byte 72, want 19"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := peer.ReadHandshake(bytes.NewReader(tc.input))
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

// TCP may hand the 68 bytes over in many small reads; io.ReadFull joins them.
func TestReadHandshakeOneByteAtATime(t *testing.T) {
	valid := wire(peer.Protocol, zero8, string(testInfoHash[:]), string(testPeerID[:]))
	got, err := peer.ReadHandshake(iotest.OneByteReader(bytes.NewReader(valid)))
	require.NoError(t, err)
	require.Equal(t, testPeerID, got.PeerID)
}

func TestReadHandshakeErrorsWrapSentinels(t *testing.T) {
	_, err := peer.ReadHandshake(bytes.NewReader(wire("BitTorrent Protocol", zero8, string(testInfoHash[:]), string(testPeerID[:]))))
	require.ErrorIs(t, err, peer.ErrNotBitTorrent)
	_, err = peer.ReadHandshake(bytes.NewReader(make([]byte, 10)))
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	_, err = peer.ReadHandshake(iotest.ErrReader(io.ErrClosedPipe))
	require.ErrorIs(t, err, io.ErrClosedPipe)
}

// FuzzReadHandshake: no input may panic, and whatever parses must encode
// back to the bytes it came from.
func FuzzReadHandshake(f *testing.F) {
	f.Add(wire(peer.Protocol, zero8, string(testInfoHash[:]), string(testPeerID[:])))
	f.Add(wire(peer.Protocol, zero8, string(testInfoHash[:]), string(testPeerID[:]))[:67])
	f.Add([]byte("\x13BitTorrent Protocol"))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := peer.ReadHandshake(bytes.NewReader(data))
		if err != nil {
			return
		}
		got, err := h.MarshalBinary()
		require.NoError(t, err)
		require.Equal(t, data[:peer.HandshakeLen], got)
	})
}

func ExampleHandshake_MarshalBinary() {
	h := peer.Handshake{InfoHash: testInfoHash, PeerID: testPeerID}
	b, _ := h.MarshalBinary()
	fmt.Printf("pstrlen  %x\n", b[:1])
	fmt.Printf("pstr     %x (%s)\n", b[1:20], b[1:20])
	fmt.Printf("reserved %x\n", b[20:28])
	fmt.Printf("infohash %x\n", b[28:48])
	fmt.Printf("peer id  %x (%s)\n", b[48:68], b[48:68])
	// Output:
	// pstrlen  13
	// pstr     426974546f7272656e742070726f746f636f6c (BitTorrent protocol)
	// reserved 0000000000000000
	// infohash d69f91e6b2ae4c542468d1073a71d4ea13879a7f
	// peer id  2d5742303030312d6162636465666768696a6b6c (-WB0001-abcdefghijkl)
}
