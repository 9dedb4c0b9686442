package extension_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/stage18_magnet_piece/extension"
)

func TestParseHandshake(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		payload string
		want    extension.Handshake
	}{
		{
			name:    "aria2's",
			payload: "d1:md11:ut_metadatai9ee13:metadata_sizei268e1:pi37873e1:v12:aria2/1.36.0e",
			want:    extension.Handshake{M: map[string]int{"ut_metadata": 9}, V: "aria2/1.36.0", MetadataSize: 268},
		},
		{
			name:    "qBittorrent 4.5.2's (libtorrent), with keys of every kind",
			payload: "d12:complete_agoi-1e1:md11:lt_donthavei7e10:share_modei8e11:upload_onlyi3e12:ut_holepunchi4e11:ut_metadatai2e6:ut_pexi1ee13:metadata_sizei268e4:reqqi2000e11:upload_onlyi1e1:v17:qBittorrent/4.5.26:yourip4:\x7f\x00\x00\x01e",
			want: extension.Handshake{M: map[string]int{"lt_donthave": 7, "share_mode": 8, "upload_only": 3, "ut_holepunch": 4, "ut_metadata": 2, "ut_pex": 1},
				V: "qBittorrent/4.5.2", MetadataSize: 268},
		},
		{
			name:    "a peer without the metadata yet: no metadata_size",
			payload: "d1:md11:ut_metadatai1eee",
			want:    extension.Handshake{M: map[string]int{"ut_metadata": 1}},
		},
		{
			name:    "keys of the wrong type are ignored",
			payload: "d1:md11:ut_metadata3:abc6:ut_pexi1ee13:metadata_size4:many1:vi5ee",
			want:    extension.Handshake{M: map[string]int{"ut_pex": 1}},
		},
		{
			name:    "m not a dictionary",
			payload: "d1:mli1eee",
			want:    extension.Handshake{},
		},
		{
			name:    "no m at all",
			payload: "de",
			want:    extension.Handshake{},
		},
		{
			name:    "ids out of range are kept for ExtendedID to judge",
			payload: "d1:md11:ut_metadatai300e6:ut_pexi0eee",
			want:    extension.Handshake{M: map[string]int{"ut_metadata": 300, "ut_pex": 0}},
		},
		{
			name:    "metadata_size at the cap",
			payload: "d13:metadata_sizei8388608ee",
			want:    extension.Handshake{MetadataSize: extension.MaxMetadataSize},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := extension.ParseHandshake([]byte(tc.payload))
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestParseHandshakeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		payload string
		is      error
		want    string
	}{
		{"not bencode", "\xffthis is not bencode\x00", nil, "extension handshake: bencode: at byte 0: "},
		{"a list", "li1ee", nil, "extension handshake: a list, want a dictionary"},
		{"trailing bytes", "d1:mdeexx", nil, "extension handshake: bencode: "},
		{"nothing", "", nil, "extension handshake: bencode: "},
		{"metadata_size 4 GiB", "d13:metadata_sizei4294967296ee", extension.ErrMetadataTooLarge,
			"extension handshake: metadata too large: metadata_size 4294967296 is over the 8388608 bytes this client accepts"},
		{"metadata_size one over", "d13:metadata_sizei8388609ee", extension.ErrMetadataTooLarge, ""},
		{"metadata_size negative", "d13:metadata_sizei-1ee", nil, "extension handshake: metadata_size -1 is negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := extension.ParseHandshake([]byte(tc.payload))
			require.Error(t, err)
			if tc.is != nil {
				require.ErrorIs(t, err, tc.is)
			}
			require.True(t, strings.HasPrefix(err.Error(), tc.want), "got %q, want it to start with %q", err, tc.want)
		})
	}
}

func TestExtendedID(t *testing.T) {
	t.Parallel()
	h := extension.Handshake{M: map[string]int{"ut_metadata": 3, "one": 1, "max": 255, "off": 0, "big": 300, "neg": -1}}
	tests := []struct {
		name    string
		want    uint8
		wantErr string // "" for none
	}{
		{"ut_metadata", 3, ""},
		{"one", 1, ""},
		{"max", 255, ""},
		{"off", 0, "extension not supported: the peer's m gives off id 0 (disabled)"},
		{"big", 0, "extension not supported: the peer's m gives big id 300, want 1-255 (one byte)"},
		{"neg", 0, "extension not supported: the peer's m gives neg id -1, want 1-255 (one byte)"},
		{"ut_pex", 0, "extension not supported: the peer's m does not list ut_pex"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := h.ExtendedID(tc.name)
			if tc.wantErr != "" {
				require.ErrorIs(t, err, extension.ErrNotSupported)
				require.EqualError(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}
