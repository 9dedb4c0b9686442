package main_test

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/testkit/cli"
)

// These tests run the program as a black box: `decode <bencoded>` must print
// the value as JSON on one line. This solution prints it like the course
// does (no spaces, keys sorted, a newline at the end), and these tests hold
// it to those bytes; in grading mode they compare JSON values, so any
// language's JSON encoder passes (CONTRACT.md). Random words and numbers
// make sure the output is computed, not remembered.

func TestDecodeStrings(t *testing.T) {
	t.Parallel()
	r := newRand(t)
	tests := []struct{ input, want string }{
		{"5:hello", `"hello"`},
		{"0:", `""`},
		{"10:hello12345", `"hello12345"`},
		{"3:a:b", `"a:b"`},
	}
	for range 5 {
		word := randomWord(r)
		tests = append(tests, struct{ input, want string }{fmt.Sprintf("%d:%s", len(word), word), `"` + word + `"`})
	}
	for _, tc := range tests {
		t.Run(tc.input, func(t *testing.T) {
			t.Parallel()
			checkDecode(t, tc.input, tc.want)
		})
	}
}

// TestDecodeStringBytes checks that lengths count bytes and what the JSON
// holds: the characters themselves, and a byte that is not UTF-8 as the
// replacement character U+FFFD. This solution prints them unescaped (no
// HTML escaping) and U+FFFD as \ufffd; in grading mode `é` and `\u00e9`,
// U+FFFD and `\ufffd` are the same JSON value.
func TestDecodeStringBytes(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, input, want string }{
		{"html characters stay as they are", "5:<a&b>", `"<a&b>"`},
		{"length counts bytes, not characters", "5:h\u00e9\u00e9", "\"h\u00e9\u00e9\""},
		{"quote and backslash are escaped", "3:a\"\\", `"a\"\\"`},
		{"bytes that are not UTF-8", "3:a\xffb", `"a\ufffdb"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkDecode(t, tc.input, tc.want)
		})
	}
}

func TestDecodeIntegers(t *testing.T) {
	t.Parallel()
	r := newRand(t)
	tests := []struct{ input, want string }{
		{"i52e", "52"},
		{"i-52e", "-52"},
		{"i0e", "0"},
		{"i9223372036854775807e", "9223372036854775807"},
		{"i-9223372036854775808e", "-9223372036854775808"},
	}
	for range 5 {
		n := strconv.FormatInt(randomNumber(r), 10)
		tests = append(tests, struct{ input, want string }{"i" + n + "e", n})
	}
	for _, tc := range tests {
		t.Run(tc.input, func(t *testing.T) {
			t.Parallel()
			checkDecode(t, tc.input, tc.want)
		})
	}
}

func TestDecodeLists(t *testing.T) {
	t.Parallel()
	r := newRand(t)
	tests := []struct{ input, want string }{
		{"l5:helloi52ee", `["hello",52]`},
		{"le", `[]`},
		{"llee", `[[]]`},
		{"lli4eei5ee", `[[4],5]`},
		{"l4:spam4:eggsl1:ai-1eee", `["spam","eggs",["a",-1]]`},
	}
	for range 5 {
		var input, want []string
		for range r.IntN(5) {
			item, itemJSON := randomItem(r)
			input, want = append(input, item), append(want, itemJSON)
		}
		tests = append(tests, struct{ input, want string }{
			"l" + strings.Join(input, "") + "e", "[" + strings.Join(want, ",") + "]",
		})
	}
	for _, tc := range tests {
		t.Run(tc.input, func(t *testing.T) {
			t.Parallel()
			checkDecode(t, tc.input, tc.want)
		})
	}
}

func TestDecodeDicts(t *testing.T) {
	t.Parallel()
	r := newRand(t)
	tests := []struct{ input, want string }{
		{"d3:foo3:bar5:helloi52ee", `{"foo":"bar","hello":52}`},
		{"de", `{}`},
		{"d4:infod6:lengthi5eee", `{"info":{"length":5}}`},
		{"d4:listl1:ai1eee", `{"list":["a",1]}`},
		{"ld1:ai1eee", `[{"a":1}]`},
		// Keys out of order are accepted and printed sorted.
		{"d5:helloi52e3:foo3:bare", `{"foo":"bar","hello":52}`},
	}
	for range 5 {
		// Random keys in random order; the output lists them sorted.
		items := map[string][2]string{} // key -> bencoded value, JSON value
		for range 1 + r.IntN(5) {
			item, itemJSON := randomItem(r)
			items[randomWord(r)] = [2]string{item, itemJSON}
		}
		keys := slices.Sorted(maps.Keys(items))
		var input, want []string
		for _, k := range keys {
			want = append(want, `"`+k+`":`+items[k][1])
		}
		r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		for _, k := range keys {
			input = append(input, fmt.Sprintf("%d:%s%s", len(k), k, items[k][0]))
		}
		tests = append(tests, struct{ input, want string }{
			"d" + strings.Join(input, "") + "e", "{" + strings.Join(want, ",") + "}",
		})
	}
	for _, tc := range tests {
		t.Run(tc.input, func(t *testing.T) {
			t.Parallel()
			checkDecode(t, tc.input, tc.want)
		})
	}
}

// TestDecodeMalformed checks that bad input gets one error line on stderr
// and exit code 1, never a crash or a stack trace. The exact wording is this
// solution's; in grading mode only the shape of the answer is checked.
func TestDecodeMalformed(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, input, wantStderr string }{
		// Stage 1: strings.
		{"empty", "", "error: bencode: at byte 0: expected a value, got end of input\n"},
		{"string too short", "5:abc", "error: bencode: at byte 0: string length 5 runs past the end of the input (3 bytes left)\n"},
		{"huge length", "99999999999:x", "error: bencode: at byte 0: string length runs past the end of the input (13 bytes)\n"},
		{"missing colon", "5hello", "error: bencode: at byte 1: expected ':', got 'h'\n"},
		{"leading zero in length", "05:hello", "error: bencode: at byte 0: string length has a leading zero\n"},
		{"trailing data", "5:hellox", "error: bencode: at byte 7: expected end of input after the value, got 'x'\n"},
		{"not bencode", "hello", "error: bencode: at byte 0: expected a value (a digit, 'i', 'l' or 'd'), got 'h'\n"},
		// Stage 2: integers.
		{"negative zero", "i-0e", "error: bencode: at byte 1: negative zero is not a valid integer\n"},
		{"leading zero", "i03e", "error: bencode: at byte 1: integer has a leading zero\n"},
		{"plus sign", "i+5e", "error: bencode: at byte 1: expected a digit, got '+'\n"},
		{"empty integer", "ie", "error: bencode: at byte 1: expected a digit, got 'e'\n"},
		{"minus only", "i-e", "error: bencode: at byte 2: expected a digit, got 'e'\n"},
		{"overflow", "i9223372036854775808e", "error: bencode: at byte 1: integer does not fit in 64 bits\n"},
		{"unterminated integer", "i52", "error: bencode: at byte 3: expected 'e', got end of input\n"},
		// Stage 3: lists.
		{"unterminated list", "l5:hello", "error: bencode: at byte 8: expected a value or 'e' to end the list, got end of input\n"},
		{"bad item", "li1ex", "error: bencode: at byte 4: expected a value (a digit, 'i', 'l' or 'd'), got 'x'\n"},
		{"100000 nested lists", strings.Repeat("l", 100000), "error: bencode: at byte 512: lists and dictionaries nest deeper than 512 levels\n"},
		// Stage 4: dictionaries.
		{"unterminated dictionary", "d3:foo3:bar", "error: bencode: at byte 11: expected a string key or 'e' to end the dictionary, got end of input\n"},
		{"integer key", "di1ei2ee", "error: bencode: at byte 1: expected a string key or 'e' to end the dictionary, got 'i'\n"},
		{"duplicate key", "d3:fooi1e3:fooi2ee", "error: bencode: at byte 9: duplicate dictionary key \"foo\"\n"},
		{"key without value", "d3:fooe", "error: bencode: at byte 6: expected a value (a digit, 'i', 'l' or 'd'), got 'e'\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := cli.Run(t, "decode", tc.input)
			if exact, ok := refusedOrExact[tc.input]; ok && cli.Grading() && res.ExitCode == 0 {
				cli.RequireJSON(t, res, exact, fmt.Sprintf("decode %q: refuse it (exit code 1), or print the value exactly", tc.input))
				return
			}
			require.Equal(t, 1, res.ExitCode, "decode %.40q is malformed: the program should exit with code 1\n%s", tc.input, res)
			require.Empty(t, res.Stdout, "decode %.40q is malformed: nothing should be printed on stdout\n%s", tc.input, res)
			require.Regexp(t, `^[^\n]+\n$`, res.Stderr, "decode %.40q is malformed: the program should print one line saying why on stderr (no stack trace)\n%s", tc.input, res)
			if !cli.Grading() {
				require.Equal(t, tc.wantStderr, res.Stderr)
			}
		})
	}
}

// refusedOrExact holds the inputs of TestDecodeMalformed that a program in
// grading mode may also print exactly, with the JSON value it must print.
// BEP 3 sets no limit on integers: this solution refuses one that does not
// fit in 64 bits (stage 2's lesson says why); a program in a language with
// unbounded integers may decode it.
var refusedOrExact = map[string]string{"i9223372036854775808e": "9223372036854775808"}

// TestUsage checks that a wrong command line prints usage and exits with
// code 2.
func TestUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
	}{
		{"no command", nil},
		{"unknown command", []string{"frobnicate"}},
		{"decode without argument", []string{"decode"}},
		{"decode with two arguments", []string{"decode", "i1e", "i2e"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := cli.Run(t, tc.args...)
			require.Equal(t, 2, res.ExitCode, "%q is a usage mistake: the program should exit with code 2\n%s", tc.args, res)
			require.Empty(t, res.Stdout, "%q: usage goes to stderr, not stdout\n%s", tc.args, res)
			cli.RequireMentionsAny(t, res, res.Stderr, []string{"usage"}, fmt.Sprintf("%q: the program should print its usage on stderr", tc.args))
		})
	}
}

// checkDecode runs `decode input` and checks it printed the JSON value want
// and a newline: in grading mode as a value, otherwise as this solution's
// exact bytes (no spaces, keys sorted).
func checkDecode(t *testing.T, input, want string) {
	t.Helper()
	res := cli.Run(t, "decode", input)
	cli.RequireJSON(t, res, want, fmt.Sprintf("decode %q should succeed and print the value as JSON", input))
	if !cli.Grading() {
		require.Equal(t, want+"\n", res.Stdout, "decode %q: this solution prints JSON with no spaces, keys sorted, and a newline\n%s", input, res)
	}
}

// newRand returns a random source and logs its seed, so a failure can be
// replayed.
func newRand(t *testing.T) *rand.Rand {
	seed := rand.Uint64()
	t.Logf("random seed %d", seed)
	return rand.New(rand.NewPCG(seed, seed))
}

// randomWord returns 1 to 12 lower-case letters.
func randomWord(r *rand.Rand) string {
	b := make([]byte, 1+r.IntN(12))
	for i := range b {
		b[i] = byte('a' + r.IntN(26))
	}
	return string(b)
}

// randomNumber returns a number of random size and sign.
func randomNumber(r *rand.Rand) int64 {
	n := r.Int64N(1 << (1 + r.IntN(62)))
	if r.IntN(2) == 0 {
		return -n
	}
	return n
}

// randomItem returns a random word or number, bencoded and as JSON.
func randomItem(r *rand.Rand) (bencoded, json string) {
	if r.IntN(2) == 0 {
		w := randomWord(r)
		return fmt.Sprintf("%d:%s", len(w), w), `"` + w + `"`
	}
	n := strconv.FormatInt(randomNumber(r), 10)
	return "i" + n + "e", n
}
