package bencode_test

import (
	"bytes"
	"testing"

	bencodego "github.com/jackpal/bencode-go"
	"github.com/stretchr/testify/require"

	"workbook/stage03_lists/bencode"
)

// FuzzDecode feeds Decode arbitrary bytes (seeds in testdata/fuzz/FuzzDecode).
// It must never panic; an error must be a *SyntaxError inside the input; and
// whatever decodes must re-encode to the same bytes: the decoder accepts only
// canonical bencode, where every value has exactly one encoding.
//
// bencode-go re-encodes here. That is safe even though it is fragile on
// hostile input: it only writes a value Decode built, which is no bigger or
// deeper than the input.
func FuzzDecode(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := bencode.Decode(data)
		if err != nil {
			var syntaxErr *bencode.SyntaxError
			require.ErrorAs(t, err, &syntaxErr)
			require.True(t, syntaxErr.Offset >= 0 && syntaxErr.Offset <= len(data), "offset %d outside the input", syntaxErr.Offset)
			return
		}
		var encoded bytes.Buffer
		require.NoError(t, bencodego.Marshal(&encoded, v))
		require.Equal(t, data, encoded.Bytes())
	})
}
