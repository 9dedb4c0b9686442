package bencode_test

import (
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/stage02_integers/bencode"
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
		{"not a value", "x", "bencode: at byte 0: expected a value (a digit or 'i'), got 'x'"},
		{"unprintable byte", "\x00", "bencode: at byte 0: expected a value (a digit or 'i'), got byte 0x00"},
		{"string shorter than its length", "5:abc", "bencode: at byte 0: string length 5 runs past the end of the input (3 bytes left)"},
		{"huge length", "99999999999:x", "bencode: at byte 0: string length runs past the end of the input (13 bytes)"},
		{"missing colon", "5hello", "bencode: at byte 1: expected ':', got 'h'"},
		{"length without colon at end", "12", "bencode: at byte 2: expected ':', got end of input"},
		{"negative length", "-1:a", "bencode: at byte 0: expected a value (a digit or 'i'), got '-'"},
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

// TestDecodeHugeLengthAllocatesLittle checks that a declared length is
// checked against the input before any memory is set aside for it.
func TestDecodeHugeLengthAllocatesLittle(t *testing.T) {
	// Not parallel: it measures this goroutine's allocations via the
	// process-wide counter.
	for _, input := range []string{"99999999999:x", "4294967295:x"} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := bencode.Decode([]byte(input))
		runtime.ReadMemStats(&after)
		require.Error(t, err)
		allocated := after.TotalAlloc - before.TotalAlloc
		require.Less(t, allocated, uint64(1<<20), "decoding %q allocated %d bytes", input, allocated)
	}
}
