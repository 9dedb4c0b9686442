package bencode_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/stage16_metadata_request/bencode"
)

func TestRawFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input string
		want  map[string]bencode.Raw
	}{
		{"empty", "de", map[string]bencode.Raw{}},
		{"every kind of value", "d1:ai-3e1:b2:xy1:lli1ee1:dd1:ki0eee", map[string]bencode.Raw{
			"a": bencode.Raw("i-3e"), "b": bencode.Raw("2:xy"), "l": bencode.Raw("li1ee"), "d": bencode.Raw("d1:ki0ee"),
		}},
		// The raw bytes are kept exactly, unsorted nested keys included:
		// this is what makes the info hash right.
		{"unsorted nested keys kept", "d4:infod4:name1:x6:lengthi1eee", map[string]bencode.Raw{
			"info": bencode.Raw("d4:name1:x6:lengthi1ee"),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			values, got, err := bencode.RawFields([]byte(tc.input))
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			want, err := bencode.Decode([]byte(tc.input))
			require.NoError(t, err)
			require.Equal(t, want, values, "the values are what Decode returns")
		})
	}
}

func TestRawFieldsErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		input   string
		wantErr string
	}{
		{"empty input", "", "bencode: at byte 0: expected a dictionary ('d'), got end of input"},
		{"list", "le", "bencode: at byte 0: expected a dictionary ('d'), got 'l'"},
		{"bad nested value", "d1:ad1:bi-0eee", "bencode: at byte 9: negative zero is not a valid integer"},
		{"duplicate key", "d1:a0:1:a0:e", "bencode: at byte 6: duplicate dictionary key \"a\""},
		{"trailing data", "dex", "bencode: at byte 2: expected end of input after the value, got 'x'"},
		{"unterminated", "d1:a0:", "bencode: at byte 6: expected a string key or 'e' to end the dictionary, got end of input"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			values, got, err := bencode.RawFields([]byte(tc.input))
			require.EqualError(t, err, tc.wantErr)
			require.Nil(t, values)
			require.Nil(t, got)
		})
	}
}

// TestRawFieldsCannotOverwriteInput checks that appending to a Raw value
// allocates anew instead of writing into the bytes that follow it.
func TestRawFieldsCannotOverwriteInput(t *testing.T) {
	t.Parallel()
	input := []byte("d1:a1:x1:b1:ye")
	_, fields, err := bencode.RawFields(input)
	require.NoError(t, err)
	_ = append(fields["a"], 'Z', 'Z', 'Z')
	require.Equal(t, "d1:a1:x1:b1:ye", string(input))
}
