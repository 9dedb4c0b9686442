package peer_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/stage18_magnet_piece/peer"
)

func TestParseBitfield(t *testing.T) {
	tests := []struct {
		name      string
		payload   []byte
		numPieces int
		wantHas   []int
		wantErr   string
	}{
		{name: "10 pieces, 0 2 3 8 9", payload: []byte{0xb0, 0xc0}, numPieces: 10, wantHas: []int{0, 2, 3, 8, 9}},
		{name: "exactly 8 pieces, all", payload: []byte{0xff}, numPieces: 8, wantHas: []int{0, 1, 2, 3, 4, 5, 6, 7}},
		{name: "none", payload: []byte{0, 0}, numPieces: 9},
		{name: "one byte short", payload: []byte{0xff}, numPieces: 9, wantErr: "bad bitfield: 1 bytes for 9 pieces, want 2"},
		{name: "one byte long", payload: []byte{0xff, 0x80, 0}, numPieces: 9, wantErr: "bad bitfield: 3 bytes for 9 pieces, want 2"},
		{name: "spare bit set", payload: []byte{0xff, 0x81}, numPieces: 9, wantErr: "bad bitfield: spare bits after piece 8 set (last byte 10000001)"},
		{name: "first spare bit set", payload: []byte{0xff, 0xc0}, numPieces: 9, wantErr: "bad bitfield: spare bits after piece 8 set (last byte 11000000)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bf, err := peer.ParseBitfield(tc.payload, tc.numPieces)
			if tc.wantErr != "" {
				require.ErrorIs(t, err, peer.ErrBadBitfield)
				require.EqualError(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			var got []int
			for i := range tc.numPieces + 8 {
				if bf.Has(i) {
					got = append(got, i)
				}
			}
			require.Equal(t, tc.wantHas, got)
		})
	}
}

func TestBitfieldSetHas(t *testing.T) {
	bf := peer.NewBitfield(10)
	require.Len(t, bf, 2)
	for _, i := range []int{0, 9, 3} {
		bf.Set(i)
	}
	bf.Set(-1) // out of range: ignored, never a panic
	bf.Set(16)
	require.Equal(t, peer.Bitfield{0x90, 0x40}, bf)
	require.True(t, bf.Has(9))
	require.False(t, bf.Has(1))
	require.False(t, bf.Has(-1))
	require.False(t, bf.Has(1000))
}

func ExampleBitfield() {
	bf, err := peer.ParseBitfield([]byte{0xb0, 0xc0}, 10)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := range 10 {
		fmt.Print(map[bool]string{true: "1", false: "."}[bf.Has(i)])
	}
	fmt.Println()
	// Output: 1.11....11
}
