package download_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/stage11_download/download"
	"workbook/stage11_download/peer"
)

func TestSessionHandle(t *testing.T) {
	bitfield := func(b ...byte) *peer.Message { return &peer.Message{ID: peer.MsgBitfield, Payload: b} }
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
		{name: "haves", msgs: []*peer.Message{peer.NewHave(9), peer.NewHave(1)}, wantHas: []int{1, 9}, wantChoked: true},
		{name: "bitfield then have", msgs: []*peer.Message{bitfield(0x80, 0), peer.NewHave(5)}, wantHas: []int{0, 5}, wantChoked: true},
		{name: "unchoke", msgs: []*peer.Message{{ID: peer.MsgUnchoke}}},
		{name: "unchoke then choke", msgs: []*peer.Message{{ID: peer.MsgUnchoke}, {ID: peer.MsgChoke}}, wantChoked: true},
		{name: "unknown message ignored", msgs: []*peer.Message{{ID: 20, Payload: []byte("d1:md")}}, wantChoked: true},
		{name: "have out of range", msgs: []*peer.Message{peer.NewHave(10)}, wantErr: "have for piece 10, but the torrent has 10 pieces"},
		{name: "have malformed", msgs: []*peer.Message{{ID: peer.MsgHave, Payload: []byte{1, 2}}}, wantErr: "malformed have"},
		{name: "bitfield too short", msgs: []*peer.Message{bitfield(0xff)}, wantErr: "bad bitfield: 1 bytes for 10 pieces, want 2"},
		{name: "bitfield spare bits", msgs: []*peer.Message{bitfield(0xff, 0xff)}, wantErr: "bad bitfield: spare bits after piece 9 set"},
		{name: "bitfield late", msgs: []*peer.Message{{ID: peer.MsgUnchoke}, bitfield(0xff, 0xc0)}, wantErr: "bitfield after 1 other messages"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &download.Session{NumPieces: 10, Has: peer.NewBitfield(10), Choked: true}
			var err error
			for _, m := range tc.msgs {
				if err = s.Handle(m); err != nil {
					break
				}
			}
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			var has []int
			for i := range 16 {
				if s.Has.Has(i) {
					has = append(has, i)
				}
			}
			require.Equal(t, tc.wantHas, has)
			require.Equal(t, tc.wantChoked, s.Choked)
		})
	}
}
