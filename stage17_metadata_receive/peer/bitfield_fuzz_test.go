package peer_test

import (
	"errors"
	"testing"

	"workbook/stage17_metadata_receive/peer"
)

// FuzzParseBitfield checks ParseBitfield against the rule written out the
// slow way: a payload is accepted exactly when it is ceil(numPieces/8)
// bytes long and every bit after the last piece is zero, and then Has says
// what the payload says. A peer controls the payload; numPieces comes from
// the torrent. Seeds: testdata/fuzz/FuzzParseBitfield.
func FuzzParseBitfield(f *testing.F) {
	f.Add([]byte{0xb0, 0xc0}, 10)
	f.Add([]byte{0xff, 0x81}, 9)
	f.Add([]byte{}, 0)
	f.Add([]byte{}, -1) // a negative count must be an error, not payload[-1]
	f.Fuzz(func(t *testing.T, payload []byte, numPieces int) {
		if numPieces > 1<<20 {
			return // keeps runs fast; real torrents have fewer pieces
		}
		bf, err := peer.ParseBitfield(payload, numPieces)
		valid := numPieces >= 0 && len(payload) == (numPieces+7)/8
		for i := numPieces; valid && i < 8*len(payload); i++ {
			if payload[i/8]&(0x80>>(i%8)) != 0 {
				valid = false // a spare bit is set
			}
		}
		if !valid {
			if err == nil || !errors.Is(err, peer.ErrBadBitfield) {
				t.Fatalf("ParseBitfield(%x, %d) = %v, want an error wrapping ErrBadBitfield", payload, numPieces, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("ParseBitfield(%x, %d): %v, want it accepted", payload, numPieces, err)
		}
		for i := -1; i <= 8*len(payload); i++ {
			want := i >= 0 && i < numPieces && payload[i/8]&(0x80>>(i%8)) != 0
			if got := bf.Has(i); got != want {
				t.Fatalf("ParseBitfield(%x, %d).Has(%d) = %v, want %v", payload, numPieces, i, got, want)
			}
		}
	})
}
