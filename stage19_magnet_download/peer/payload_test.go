package peer_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/stage19_magnet_download/peer"
)

// TestNewRequestAndCancel pins the bytes the constructors make: the same as
// TestMessageBytes's request and cancel.
func TestNewRequestAndCancel(t *testing.T) {
	require.Equal(t, msg(peer.MsgRequest, 1, 16384, 16384), peer.NewRequest(1, 16384, 16384))
	require.Equal(t, msg(peer.MsgCancel, 1, 16384, 16384), peer.NewCancel(1, 16384, 16384))
}

func TestParseMessages(t *testing.T) {
	i, err := peer.ParseHave(msg(peer.MsgHave, 42))
	require.NoError(t, err)
	require.Equal(t, 42, i)
	_, err = peer.ParseHave(&peer.Message{ID: peer.MsgHave, Payload: []byte{1}})
	require.EqualError(t, err, "malformed have: have (1 bytes), want 4 bytes")

	index, begin, block, err := peer.ParsePiece(&peer.Message{ID: peer.MsgPiece, Payload: []byte{0, 0, 0, 3, 0, 0, 0, 9, 'x'}})
	require.NoError(t, err)
	require.Equal(t, 3, index)
	require.Equal(t, 9, begin)
	require.Equal(t, []byte("x"), block)
	_, _, _, err = peer.ParsePiece(&peer.Message{ID: peer.MsgPiece, Payload: make([]byte, 7)})
	require.EqualError(t, err, "malformed piece: piece (7 bytes), want at least 8 bytes")
	_, _, _, err = peer.ParsePiece(msg(peer.MsgHave, 1))
	require.Error(t, err)
}

func ExampleNewRequest() {
	fmt.Printf("% x\n", peer.AppendMessage(nil, peer.NewRequest(0, 16384, 16384)))
	// Output: 00 00 00 0d 06 00 00 00 00 00 00 40 00 00 00 40 00
}
