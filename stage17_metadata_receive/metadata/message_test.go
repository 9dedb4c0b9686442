package metadata_test

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/stage17_metadata_receive/metadata"
)

func TestRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		piece int
		want  string
	}{
		{"piece 0", 0, "d8:msg_typei0e5:piecei0ee"},
		{"piece 3", 3, "d8:msg_typei0e5:piecei3ee"},
		{"piece 511", 511, "d8:msg_typei0e5:piecei511ee"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, string(metadata.Request(tc.piece)))
		})
	}
}

// TestRequestBytes pins the bytes the lesson shows: the whole peer message
// for a request of piece 0 to a peer whose ut_metadata id is 3.
func TestRequestBytes(t *testing.T) {
	t.Parallel()
	payload := metadata.Request(0)
	msg := append([]byte{0, 0, 0, byte(2 + len(payload)), 20, 3}, payload...)
	want := "0000001b" + "14" + "03" + hex.EncodeToString([]byte("d8:msg_typei0e5:piecei0ee"))
	require.Equal(t, want, hex.EncodeToString(msg))
}

func TestReject(t *testing.T) {
	t.Parallel()
	require.Equal(t, "d8:msg_typei2e5:piecei1ee", string(metadata.Reject(1)))
}

func TestParseMessage(t *testing.T) {
	t.Parallel()
	piece := strings.Repeat("x", 100)
	tests := []struct {
		name    string
		payload string
		want    metadata.Message
	}{
		{"request", "d8:msg_typei0e5:piecei2ee", metadata.Message{Type: metadata.MsgRequest, Piece: 2}},
		{"reject", "d8:msg_typei2e5:piecei0ee", metadata.Message{Type: metadata.MsgReject, Piece: 0}},
		{"data, the bytes after the dictionary",
			"d8:msg_typei1e5:piecei0e10:total_sizei100ee" + piece,
			metadata.Message{Type: metadata.MsgData, Piece: 0, TotalSize: 100, Data: []byte(piece)}},
		{"data whose bytes look like bencode",
			"d8:msg_typei1e5:piecei0e10:total_sizei12ee" + "d4:name1:xe",
			metadata.Message{Type: metadata.MsgData, Piece: 0, TotalSize: 12, Data: []byte("d4:name1:xe")}},
		{"keys out of order and one we do not know",
			"d5:piecei1e10:total_sizei16385e8:msg_typei1e3:fooi9ee" + "z",
			metadata.Message{Type: metadata.MsgData, Piece: 1, TotalSize: 16385, Data: []byte("z")}},
		{"an unknown msg_type is ignored, with what follows", "d8:msg_typei7e5:piecei0ee?",
			metadata.Message{Type: 7}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := metadata.ParseMessage([]byte(tc.payload))
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestParseMessageRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		payload string
		wantErr string
	}{
		{"empty", "", "expected a value"},
		{"not a dictionary", "li1ee", "want a dictionary"},
		{"truncated dictionary", "d8:msg_typei1e5:piece", "bencode"},
		{"no msg_type", "d5:piecei0ee", "msg_type: missing"},
		{"msg_type a string", "d8:msg_type1:05:piecei0ee", "msg_type: want an integer"},
		{"no piece", "d8:msg_typei0ee", "piece: missing"},
		{"negative piece", "d8:msg_typei0e5:piecei-1ee", "piece: -1 out of range"},
		{"huge piece", "d8:msg_typei0e5:piecei4294967296ee", "piece: 4294967296 out of range"},
		{"data without total_size", "d8:msg_typei1e5:piecei0ee", "total_size: missing"},
		{"total_size 0", "d8:msg_typei1e5:piecei0e10:total_sizei0ee", "total_size: 0 out of range"},
		{"total_size 4 GiB", "d8:msg_typei1e5:piecei0e10:total_sizei4294967296ee", "total_size: 4294967296 out of range"},
		{"bytes after a request", "d8:msg_typei0e5:piecei0eex", "1 bytes after a request message's dictionary"},
		{"bytes after a reject", "d8:msg_typei2e5:piecei0eexyz", "3 bytes after a reject message's dictionary"},
		{"more than a piece of data",
			"d8:msg_typei1e5:piecei0e10:total_sizei20000ee" + strings.Repeat("x", metadata.PieceSize+1),
			"16385 bytes of data"},
		{"a dictionary longer than any real one",
			"d8:msg_typei1e5:piecei0e10:total_sizei5e3:pad600:" + strings.Repeat("p", 600) + "e" + "hello",
			"bencode"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := metadata.ParseMessage([]byte(tc.payload))
			require.ErrorIs(t, err, metadata.ErrBadMessage)
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
}
