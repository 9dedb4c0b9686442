package download

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/stage10_piece/peer"
)

func TestSessionHandle(t *testing.T) {
	bitfield := func(b ...byte) *peer.Message { return &peer.Message{ID: peer.MsgBitfield, Payload: b} }
	have := func(i int) *peer.Message {
		return &peer.Message{ID: peer.MsgHave, Payload: binary.BigEndian.AppendUint32(nil, uint32(i))}
	}
	tests := []struct {
		name       string
		msgs       []*peer.Message
		wantHas    []int
		wantChoked bool
		wantErr    string
	}{
		{name: "fresh connection", wantChoked: true},
		{name: "bitfield", msgs: []*peer.Message{bitfield(0xb0, 0x40)}, wantHas: []int{0, 2, 3, 9}, wantChoked: true},
		{name: "keep-alive before the bitfield", msgs: []*peer.Message{nil, bitfield(0x80, 0)}, wantHas: []int{0}, wantChoked: true},
		{name: "haves", msgs: []*peer.Message{have(9), have(1)}, wantHas: []int{1, 9}, wantChoked: true},
		{name: "bitfield then have", msgs: []*peer.Message{bitfield(0x80, 0), have(5)}, wantHas: []int{0, 5}, wantChoked: true},
		{name: "unchoke", msgs: []*peer.Message{{ID: peer.MsgUnchoke}}},
		{name: "unchoke then choke", msgs: []*peer.Message{{ID: peer.MsgUnchoke}, {ID: peer.MsgChoke}}, wantChoked: true},
		{name: "unknown message ignored", msgs: []*peer.Message{{ID: 20, Payload: []byte("d1:md")}}, wantChoked: true},
		{name: "have out of range", msgs: []*peer.Message{have(10)}, wantErr: "have for piece 10, but the torrent has 10 pieces"},
		{name: "have malformed", msgs: []*peer.Message{{ID: peer.MsgHave, Payload: []byte{1, 2}}}, wantErr: "malformed have"},
		{name: "bitfield too short", msgs: []*peer.Message{bitfield(0xff)}, wantErr: "bad bitfield: 1 bytes for 10 pieces, want 2"},
		{name: "bitfield spare bits", msgs: []*peer.Message{bitfield(0xff, 0xff)}, wantErr: "bad bitfield: spare bits after piece 9 set"},
		{name: "bitfield late", msgs: []*peer.Message{{ID: peer.MsgUnchoke}, bitfield(0xff, 0xc0)}, wantErr: "bitfield after 1 other messages"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &session{numPieces: 10, has: peer.NewBitfield(10), choked: true}
			var err error
			for _, m := range tc.msgs {
				if _, err = s.handle(m); err != nil {
					break
				}
			}
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				require.ErrorIs(t, err, ErrProtocol, "every broken rule is a protocol error")
				return
			}
			require.NoError(t, err)
			var has []int
			for i := range 16 {
				if s.has.Has(i) {
					has = append(has, i)
				}
			}
			require.Equal(t, tc.wantHas, has)
			require.Equal(t, tc.wantChoked, s.choked)
		})
	}
}
