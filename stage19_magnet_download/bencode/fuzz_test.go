package bencode_test

import (
	"bytes"
	"strconv"
	"testing"

	bencodego "github.com/jackpal/bencode-go"
	"github.com/stretchr/testify/require"

	"workbook/stage19_magnet_download/bencode"
)

// FuzzDecode feeds Decode arbitrary bytes (seeds in testdata/fuzz/FuzzDecode).
// It must never panic; an error must be a *SyntaxError inside the input; and
// whatever decodes must re-encode to the same bytes. The decoder accepts only
// canonical bencode except for dictionary keys out of order, so for those
// inputs the re-encoding is allowed to differ in key order only: same length,
// same value.
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
		if keysSorted(data) {
			require.Equal(t, data, encoded.Bytes())
			return
		}
		require.Len(t, encoded.Bytes(), len(data))
		again, err := bencode.Decode(encoded.Bytes())
		require.NoError(t, err)
		require.Equal(t, v, again)
	})
}

// FuzzRawFields checks RawFields against Decode on arbitrary bytes: both
// accept the same dictionaries, and each raw value decodes to what Decode
// found under that key.
func FuzzRawFields(f *testing.F) {
	f.Add([]byte("d8:announce9:http://t/4:infod6:lengthi5e4:name1:xee"))
	f.Add([]byte("d1:bi1e1:ai2ee"))
	f.Fuzz(func(t *testing.T, data []byte) {
		values, fields, err := bencode.RawFields(data)
		v, decodeErr := bencode.Decode(data)
		if err != nil {
			var syntaxErr *bencode.SyntaxError
			require.ErrorAs(t, err, &syntaxErr)
			if decodeErr == nil {
				_, isDict := v.(map[string]any)
				require.False(t, isDict, "Decode accepts the dictionary RawFields rejected: %v", err)
			}
			return
		}
		require.NoError(t, decodeErr)
		dict := v.(map[string]any)
		require.Equal(t, dict, values)
		require.Len(t, fields, len(dict))
		for key, raw := range fields {
			got, err := bencode.Decode(raw)
			require.NoError(t, err)
			require.Equal(t, dict[key], got)
		}
	})
}

// keysSorted reports whether every dictionary in data, which must be valid
// bencode, lists its keys in strictly increasing byte order, as BEP 3 asks
// encoders to.
func keysSorted(data []byte) bool {
	_, sorted := scan(data, 0)
	return sorted
}

// scan steps over the valid value at pos, returning where it ends and
// whether its dictionaries have sorted keys.
func scan(data []byte, pos int) (end int, sorted bool) {
	switch kind := data[pos]; kind {
	case 'i':
		return pos + bytes.IndexByte(data[pos:], 'e') + 1, true
	case 'l', 'd':
		sorted = true
		var prevKey []byte
		pos++
		for i := 0; data[pos] != 'e'; i++ {
			start := pos
			var ok bool
			pos, ok = scan(data, pos)
			sorted = sorted && ok
			if kind == 'd' && i%2 == 0 { // a key: compare its bytes after the ':'
				key := data[start+bytes.IndexByte(data[start:], ':')+1 : pos]
				if i > 0 && bytes.Compare(prevKey, key) >= 0 {
					sorted = false
				}
				prevKey = key
			}
		}
		return pos + 1, sorted
	default:
		colon := pos + bytes.IndexByte(data[pos:], ':')
		n, _ := strconv.Atoi(string(data[pos:colon]))
		return colon + 1 + n, true
	}
}

// TestKeysSorted checks FuzzDecode's own oracle.
func TestKeysSorted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		input string
		want  bool
	}{
		{"i1e", true},
		{"l1:b1:ae", true},
		{"d1:ai1e1:bi2ee", true},
		{"d0:0:1:a0:2:aa0:1:b0:e", true},
		{"d1:bi1e1:ai2ee", false},
		{"d2:aa0:1:b0:1:a0:e", false},
		{"ld1:b0:1:a0:ee", false},
		{"d1:ad1:b0:1:a0:ee", false},
		{"d1:a1:z1:b1:ae", true},
	}
	for _, tc := range tests {
		t.Run(tc.input, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, keysSorted([]byte(tc.input)))
		})
	}
}
