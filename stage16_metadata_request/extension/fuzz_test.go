package extension_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/stage16_metadata_request/extension"
)

// FuzzParseHandshake: a stranger's bytes either parse or are refused,
// never a panic; what parses keeps metadata_size within the cap, and
// written again with Handshake.Message it parses to the same handshake.
func FuzzParseHandshake(f *testing.F) {
	for _, seed := range []string{
		"d1:md11:ut_metadatai9ee13:metadata_sizei268e1:pi37873e1:v12:aria2/1.36.0e",
		"d1:md11:ut_metadatai300e6:ut_pexi0eee",
		"d13:metadata_sizei4294967296ee",
		"d1:md11:ut_metadata3:abce1:vi5ee",
		"\xffthis is not bencode\x00",
		"li1ee",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		h, err := extension.ParseHandshake(payload)
		if err != nil {
			return
		}
		require.True(t, h.MetadataSize >= 0 && h.MetadataSize <= extension.MaxMetadataSize, "metadata_size %d", h.MetadataSize)
		if id, err := h.ExtendedID(extension.UTMetadata); err == nil {
			require.NotZero(t, id)
		}
		m, err := h.Message()
		require.NoError(t, err)
		again, err := extension.ParseHandshake(m.Payload[1:])
		require.NoError(t, err)
		if h.M == nil {
			h.M = map[string]int{} // Message writes an empty m for none
		}
		require.Equal(t, h, again)
	})
}
