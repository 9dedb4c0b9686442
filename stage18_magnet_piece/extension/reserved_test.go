package extension_test

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/stage18_magnet_piece/extension"
)

func TestReserved(t *testing.T) {
	t.Parallel()
	got := extension.Reserved()
	require.Equal(t, [8]byte{0, 0, 0, 0, 0, 0x10, 0, 0}, got, "only byte 5's 0x10 is set")
	// "Bit 20 from the right": the 64 bits as one big-endian number.
	require.Equal(t, uint64(1)<<20, binary.BigEndian.Uint64(got[:]))
}

func TestSupported(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		reserved [8]byte
		want     bool
	}{
		{"plain BEP 3: all zero", [8]byte{}, false},
		{"ours", extension.Reserved(), true},
		{"aria2 1.36: extension + Fast", [8]byte{0, 0, 0, 0, 0, 0x10, 0, 0x04}, true},
		{"libtorrent: extension + Fast + DHT", [8]byte{0, 0, 0, 0, 0, 0x10, 0, 0x05}, true},
		{"every bit but the extension bit", [8]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xef, 0xff, 0xff}, false},
		{"every bit", [8]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, true},
		{"byte 5's other bits alone", [8]byte{0, 0, 0, 0, 0, 0xef, 0, 0}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, extension.Supported(tc.reserved))
		})
	}
}
