package metadata_test

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/stage16_metadata_request/metadata"
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
