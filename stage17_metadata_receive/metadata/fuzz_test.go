package metadata_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/stage17_metadata_receive/extension"
	"workbook/stage17_metadata_receive/metadata"
)

// FuzzParseMessage feeds ParseMessage what a hostile peer could send after
// the extension id. It must never panic, and what it accepts must be
// within bounds: a known type, a piece in range, data only in a data
// message and never more than a piece.
func FuzzParseMessage(f *testing.F) {
	f.Add([]byte("d8:msg_typei0e5:piecei0ee"))
	f.Add([]byte("d8:msg_typei1e5:piecei0e10:total_sizei3ee" + "abc"))
	f.Add([]byte("d8:msg_typei2e5:piecei0ee"))
	f.Add([]byte("d8:msg_typei1e5:piecei0e10:total_sizei4294967296ee"))
	f.Add([]byte("d8:msg_typei1e5:piecei-1e10:total_sizei3eeabc"))
	f.Fuzz(func(t *testing.T, payload []byte) {
		msg, err := metadata.ParseMessage(payload)
		if err != nil {
			require.ErrorIs(t, err, metadata.ErrBadMessage)
			return
		}
		require.LessOrEqual(t, len(msg.Data), metadata.PieceSize)
		if msg.Type < metadata.MsgRequest || msg.Type > metadata.MsgReject {
			return // ignored, as BEP 9 says
		}
		require.GreaterOrEqual(t, msg.Piece, 0)
		if msg.Type == metadata.MsgData {
			require.Positive(t, msg.TotalSize)
			require.LessOrEqual(t, msg.TotalSize, int64(extension.MaxMetadataSize))
		} else {
			require.Empty(t, msg.Data)
		}
	})
}
