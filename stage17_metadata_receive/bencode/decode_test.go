package bencode_test

import (
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/stage17_metadata_receive/bencode"
)

func TestDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input string
		want  any
	}{
		// Strings.
		{"string", "5:hello", "hello"},
		{"empty string", "0:", ""},
		{"string with colon and digits", "7:a:1:b:2", "a:1:b:2"},
		{"length counts bytes not characters", "5:h\xc3\xa9\xc3\xa9", "h\u00e9\u00e9"},
		{"bytes that are not UTF-8", "4:\x00\xff\xfe\x80", "\x00\xff\xfe\x80"},
		{"two-digit length", "11:hello world", "hello world"},
		// Integers.
		{"integer", "i52e", int64(52)},
		{"negative integer", "i-52e", int64(-52)},
		{"zero", "i0e", int64(0)},
		{"largest int64", "i9223372036854775807e", int64(9223372036854775807)},
		{"smallest int64", "i-9223372036854775808e", int64(-9223372036854775808)},
		// Lists.
		{"list", "l5:helloi52ee", []any{"hello", int64(52)}},
		{"empty list", "le", []any{}},
		{"nested lists", "lli1eei2elee", []any{[]any{int64(1)}, int64(2), []any{}}},
		// Dictionaries.
		{"dictionary", "d3:foo3:bar5:helloi52ee", map[string]any{"foo": "bar", "hello": int64(52)}},
		{"empty dictionary", "de", map[string]any{}},
		{"empty key", "d0:i1ee", map[string]any{"": int64(1)}},
		{"nested dictionary", "d4:infod6:lengthi5eee", map[string]any{"info": map[string]any{"length": int64(5)}}},
		{"dictionary in a list", "ld1:ai1eee", []any{map[string]any{"a": int64(1)}}},
		{"list in a dictionary", "d1:ll1:xee", map[string]any{"l": []any{"x"}}},
		// Unsorted keys are accepted on purpose (see Decode's doc comment).
		{"unsorted keys", "d5:helloi52e3:foo3:bare", map[string]any{"foo": "bar", "hello": int64(52)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := bencode.Decode([]byte(tc.input))
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		input   string
		wantErr string
	}{
		// Strings.
		{"empty input", "", "bencode: at byte 0: expected a value, got end of input"},
		{"not a value", "x", "bencode: at byte 0: expected a value (a digit, 'i', 'l' or 'd'), got 'x'"},
		{"unprintable byte", "\x00", "bencode: at byte 0: expected a value (a digit, 'i', 'l' or 'd'), got byte 0x00"},
		{"string shorter than its length", "5:abc", "bencode: at byte 0: string length 5 runs past the end of the input (3 bytes left)"},
		{"huge length", "99999999999:x", "bencode: at byte 0: string length runs past the end of the input (13 bytes)"},
		{"missing colon", "5hello", "bencode: at byte 1: expected ':', got 'h'"},
		{"length without colon at end", "12", "bencode: at byte 2: expected ':', got end of input"},
		{"negative length", "-1:a", "bencode: at byte 0: expected a value (a digit, 'i', 'l' or 'd'), got '-'"},
		{"leading zero in length", "05:hello", "bencode: at byte 0: string length has a leading zero"},
		{"trailing data", "5:hellox", "bencode: at byte 7: expected end of input after the value, got 'x'"},
		{"two values", "1:a1:b", "bencode: at byte 3: expected end of input after the value, got '1'"},
		// Integers.
		{"integer without end", "i52", "bencode: at byte 3: expected 'e', got end of input"},
		{"integer with wrong end", "i52x", "bencode: at byte 3: expected 'e', got 'x'"},
		{"empty integer", "ie", "bencode: at byte 1: expected a digit, got 'e'"},
		{"minus without digits", "i-e", "bencode: at byte 2: expected a digit, got 'e'"},
		{"plus sign", "i+5e", "bencode: at byte 1: expected a digit, got '+'"},
		{"negative zero", "i-0e", "bencode: at byte 1: negative zero is not a valid integer"},
		{"leading zero", "i03e", "bencode: at byte 1: integer has a leading zero"},
		{"negative leading zero", "i-03e", "bencode: at byte 2: integer has a leading zero"},
		{"double zero", "i00e", "bencode: at byte 1: integer has a leading zero"},
		{"one past largest int64", "i9223372036854775808e", "bencode: at byte 1: integer does not fit in 64 bits"},
		{"one past smallest int64", "i-9223372036854775809e", "bencode: at byte 1: integer does not fit in 64 bits"},
		{"far too long", "i" + strings.Repeat("9", 100) + "e", "bencode: at byte 1: integer does not fit in 64 bits"},
		{"space in integer", "i 5e", "bencode: at byte 1: expected a digit, got ' '"},
		{"trailing data after integer", "i1ei2e", "bencode: at byte 3: expected end of input after the value, got 'i'"},
		// Lists.
		{"unterminated list", "l5:hello", "bencode: at byte 8: expected a value or 'e' to end the list, got end of input"},
		{"bad value in list", "li1ex", "bencode: at byte 4: expected a value (a digit, 'i', 'l' or 'd'), got 'x'"},
		{"bad integer in list", "li-0ee", "bencode: at byte 2: negative zero is not a valid integer"},
		{"lone end", "e", "bencode: at byte 0: expected a value (a digit, 'i', 'l' or 'd'), got 'e'"},
		{"trailing data after list", "lee", "bencode: at byte 2: expected end of input after the value, got 'e'"},
		{"too deep", strings.Repeat("l", bencode.MaxDepth+1) + strings.Repeat("e", bencode.MaxDepth+1), "bencode: at byte 512: lists and dictionaries nest deeper than 512 levels"},
		// Dictionaries.
		{"unterminated dictionary", "d3:foo3:bar", "bencode: at byte 11: expected a string key or 'e' to end the dictionary, got end of input"},
		{"integer key", "di1ei2ee", "bencode: at byte 1: expected a string key or 'e' to end the dictionary, got 'i'"},
		{"list key", "dlei2ee", "bencode: at byte 1: expected a string key or 'e' to end the dictionary, got 'l'"},
		{"key without value", "d3:fooe", "bencode: at byte 6: expected a value (a digit, 'i', 'l' or 'd'), got 'e'"},
		{"key at end of input", "d3:foo", "bencode: at byte 6: expected a value, got end of input"},
		{"duplicate key", "d3:fooi1e3:fooi2ee", "bencode: at byte 9: duplicate dictionary key \"foo\""},
		{"duplicate key unsorted", "d1:ai1e1:bi2e1:ai3ee", "bencode: at byte 13: duplicate dictionary key \"a\""},
		{"bad value in dictionary", "d1:ai03ee", "bencode: at byte 5: integer has a leading zero"},
		{"too deep dictionaries", strings.Repeat("d1:a", bencode.MaxDepth+1) + "i1e" + strings.Repeat("e", bencode.MaxDepth+1), "bencode: at byte 2048: lists and dictionaries nest deeper than 512 levels"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := bencode.Decode([]byte(tc.input))
			require.EqualError(t, err, tc.wantErr)
			require.Nil(t, got)
			var syntaxErr *bencode.SyntaxError
			require.ErrorAs(t, err, &syntaxErr)
			require.True(t, syntaxErr.Offset >= 0 && syntaxErr.Offset <= len(tc.input), "offset %d outside the input", syntaxErr.Offset)
		})
	}
}

func TestDecodeMaxDepth(t *testing.T) {
	t.Parallel()
	input := strings.Repeat("l", bencode.MaxDepth) + strings.Repeat("e", bencode.MaxDepth)
	got, err := bencode.Decode([]byte(input))
	require.NoError(t, err, "MaxDepth nested lists are allowed")
	for range bencode.MaxDepth - 1 {
		list, ok := got.([]any)
		require.True(t, ok)
		require.Len(t, list, 1)
		got = list[0]
	}
	require.Equal(t, []any{}, got)
}

// TestDecodeHugeLengthAllocatesLittle checks that a declared length is
// checked against the input before any memory is set aside for it.
func TestDecodeHugeLengthAllocatesLittle(t *testing.T) {
	// Not parallel: it measures this goroutine's allocations via the
	// process-wide counter.
	for _, input := range []string{"99999999999:x", "4294967295:x", "l1000000000:e"} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := bencode.Decode([]byte(input))
		runtime.ReadMemStats(&after)
		require.Error(t, err)
		allocated := after.TotalAlloc - before.TotalAlloc
		require.Less(t, allocated, uint64(1<<20), "decoding %q allocated %d bytes", input, allocated)
	}
}
