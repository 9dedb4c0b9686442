package extension_test

import (
	"bytes"
	"testing"

	jackpal "github.com/jackpal/bencode-go"
	"github.com/stretchr/testify/require"

	"workbook/stage18_magnet_piece/extension"
	"workbook/stage18_magnet_piece/peer"
)

func TestHandshakeMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		h    extension.Handshake
		want string // the whole message on the wire
	}{
		{
			name: "ours",
			h:    extension.Handshake{M: map[string]int{"ut_metadata": 1}, V: "workbook/0.0.1"},
			want: "\x00\x00\x00\x2e\x14\x00" + "d1:md11:ut_metadatai1ee1:v14:workbook/0.0.1e",
		},
		{
			name: "keys sorted, no v",
			h:    extension.Handshake{M: map[string]int{"ut_pex": 2, "lt_donthave": 7, "ut_metadata": 3}},
			want: "\x00\x00\x00\x36\x14\x00" + "d1:md11:lt_donthavei7e11:ut_metadatai3e6:ut_pexi2eee",
		},
		{
			name: "nothing: an empty m",
			h:    extension.Handshake{},
			want: "\x00\x00\x00\x09\x14\x00" + "d1:mdee",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := tc.h.Message()
			require.NoError(t, err)
			require.Equal(t, []byte(tc.want), peer.AppendMessage(nil, m))
		})
	}
}

// TestHandshakeMessageDecodesWithJackpal reads our bytes back with an
// independent bencode decoder.
func TestHandshakeMessageDecodesWithJackpal(t *testing.T) {
	t.Parallel()
	m, err := extension.Handshake{M: map[string]int{"ut_metadata": 255, "ut_pex": 1}, V: "workbook/0.0.1"}.Message()
	require.NoError(t, err)
	require.Equal(t, extension.MessageID, m.ID)
	require.Equal(t, byte(extension.HandshakeID), m.Payload[0])
	got, err := jackpal.Decode(bytes.NewReader(m.Payload[1:]))
	require.NoError(t, err)
	want := map[string]any{"m": map[string]any{"ut_metadata": int64(255), "ut_pex": int64(1)}, "v": "workbook/0.0.1"}
	require.Equal(t, want, got)
}
