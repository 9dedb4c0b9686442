package metadata_test

import (
	"bytes"
	"crypto/sha1"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/stage19_magnet_download/extension"
	"workbook/stage19_magnet_download/metadata"
)

// pieces cuts metadata into data messages, as a peer sends them.
func pieces(meta []byte) []metadata.Message {
	var msgs []metadata.Message
	for i := 0; i*metadata.PieceSize < len(meta); i++ {
		end := min(len(meta), (i+1)*metadata.PieceSize)
		msgs = append(msgs, metadata.Message{Type: metadata.MsgData, Piece: i,
			TotalSize: int64(len(meta)), Data: meta[i*metadata.PieceSize : end]})
	}
	return msgs
}

func TestAssembler(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		size       int
		wantPieces int
		order      []int
	}{
		{"one short piece", 100, 1, []int{0}},
		{"exactly one piece", metadata.PieceSize, 1, []int{0}},
		{"one byte more: two pieces", metadata.PieceSize + 1, 2, []int{0, 1}},
		{"three pieces, in any order", 2*metadata.PieceSize + 5000, 3, []int{2, 0, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			want := bytes.Repeat([]byte("metadata"), tc.size/8+1)[:tc.size]
			a, err := metadata.NewAssembler(sha1.Sum(want), int64(tc.size))
			require.NoError(t, err)
			require.Equal(t, tc.wantPieces, a.NumPieces())
			msgs := pieces(want)
			for n, i := range tc.order {
				complete, err := a.Add(msgs[i])
				require.NoError(t, err)
				require.Equal(t, n == len(tc.order)-1, complete)
			}
			got, err := a.Metadata()
			require.NoError(t, err)
			require.Equal(t, want, got)
		})
	}
}

func TestAssemblerRefuses(t *testing.T) {
	t.Parallel()
	meta := bytes.Repeat([]byte("m"), metadata.PieceSize+100) // two pieces: 16384 and 100 bytes
	good := pieces(meta)
	tests := []struct {
		name    string
		msg     metadata.Message
		wantErr string
	}{
		{"a total_size that disagrees",
			metadata.Message{Type: metadata.MsgData, Piece: 1, TotalSize: 200, Data: good[1].Data},
			"total_size 200, but the metadata is 16484 bytes"},
		{"a piece out of range",
			metadata.Message{Type: metadata.MsgData, Piece: 2, TotalSize: good[1].TotalSize, Data: []byte("x")},
			"piece 2 out of range (2 pieces)"},
		{"a short piece",
			metadata.Message{Type: metadata.MsgData, Piece: 0, TotalSize: good[0].TotalSize, Data: meta[:100]},
			"piece 0 has 100 bytes, want 16384"},
		{"a long last piece",
			metadata.Message{Type: metadata.MsgData, Piece: 1, TotalSize: good[1].TotalSize, Data: meta[:101]},
			"piece 1 has 101 bytes, want 100"},
		{"a reject", metadata.Message{Type: metadata.MsgReject, Piece: 0}, "reject, want data"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, err := metadata.NewAssembler(sha1.Sum(meta), int64(len(meta)))
			require.NoError(t, err)
			_, err = a.Add(tc.msg)
			require.ErrorIs(t, err, metadata.ErrBadMessage)
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
}

func TestAssemblerPieceTwice(t *testing.T) {
	t.Parallel()
	meta := bytes.Repeat([]byte("m"), metadata.PieceSize+100)
	a, err := metadata.NewAssembler(sha1.Sum(meta), int64(len(meta)))
	require.NoError(t, err)
	_, err = a.Add(pieces(meta)[0])
	require.NoError(t, err)
	_, err = a.Add(pieces(meta)[0])
	require.ErrorIs(t, err, metadata.ErrBadMessage)
	require.ErrorContains(t, err, "piece 0 twice")
}

func TestAssemblerHashMismatch(t *testing.T) {
	t.Parallel()
	meta := []byte("d4:name4:evile")
	a, err := metadata.NewAssembler(sha1.Sum([]byte("d4:name4:goode")), int64(len(meta)))
	require.NoError(t, err)
	complete, err := a.Add(pieces(meta)[0])
	require.NoError(t, err)
	require.True(t, complete)
	_, err = a.Metadata()
	require.ErrorIs(t, err, metadata.ErrHashMismatch)
}

func TestAssemblerIncomplete(t *testing.T) {
	t.Parallel()
	a, err := metadata.NewAssembler([20]byte{}, 3*metadata.PieceSize)
	require.NoError(t, err)
	_, err = a.Metadata()
	require.ErrorContains(t, err, "3 of 3 pieces missing")
}

func TestNewAssemblerSizeCap(t *testing.T) {
	t.Parallel()
	for _, size := range []int64{0, -1, extension.MaxMetadataSize + 1, 4 << 30} {
		_, err := metadata.NewAssembler([20]byte{}, size)
		require.ErrorIs(t, err, metadata.ErrBadMessage, "size %d", size)
	}
	a, err := metadata.NewAssembler([20]byte{}, extension.MaxMetadataSize)
	require.NoError(t, err)
	require.Equal(t, extension.MaxMetadataSize/metadata.PieceSize, a.NumPieces())
}
