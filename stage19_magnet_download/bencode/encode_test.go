package bencode_test

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	bencodego "github.com/jackpal/bencode-go"
	"github.com/stretchr/testify/require"

	"workbook/stage19_magnet_download/bencode"
)

func TestEncode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input any
		want  string
	}{
		{"string", "hello", "5:hello"},
		{"empty string", "", "0:"},
		{"length counts bytes", "h\u00e9", "3:h\u00e9"},
		{"bytes", []byte{0x00, 0xff}, "2:\x00\xff"},
		{"int", 52, "i52e"},
		{"negative int", -52, "i-52e"},
		{"zero", 0, "i0e"},
		{"int64", int64(math.MinInt64), "i-9223372036854775808e"},
		{"list", []any{"hello", 52}, "l5:helloi52ee"},
		{"empty list", []any{}, "le"},
		{"nil list", []any(nil), "le"},
		{"dictionary", map[string]any{"hello": 52, "foo": "bar"}, "d3:foo3:bar5:helloi52ee"},
		{"keys sorted by bytes", map[string]any{"b": 1, "B": 2, "a": 3, "": 4}, "d0:i4e1:Bi2e1:ai3e1:bi1ee"},
		{"empty dictionary", map[string]any{}, "de"},
		{"raw written verbatim", bencode.Raw("d1:bi1e1:ai2ee"), "d1:bi1e1:ai2ee"},
		{"raw inside a dictionary", map[string]any{"info": bencode.Raw("d4:name1:xe")}, "d4:infod4:name1:xee"},
		{"nested", map[string]any{"l": []any{map[string]any{"k": []byte("v")}}}, "d1:lld1:k1:veee"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := bencode.Encode(tc.input)
			require.NoError(t, err)
			require.Equal(t, tc.want, string(got))
		})
	}
}

func TestEncodeErrors(t *testing.T) {
	t.Parallel()
	tooDeep := any("x")
	for range bencode.MaxDepth + 1 {
		tooDeep = []any{tooDeep}
	}
	loop := []any{nil}
	loop[0] = loop
	tests := []struct {
		name    string
		input   any
		wantErr string
	}{
		{"nil", nil, "bencode: cannot encode a value of type <nil>"},
		{"bool", true, "bencode: cannot encode a value of type bool"},
		{"float", 1.5, "bencode: cannot encode a value of type float64"},
		{"uint64", uint64(1), "bencode: cannot encode a value of type uint64"},
		{"typed slice", []string{"a"}, "bencode: cannot encode a value of type []string"},
		{"map with other values", map[string]int{"a": 1}, "bencode: cannot encode a value of type map[string]int"},
		{"bad value deep inside", map[string]any{"a": []any{1, false}}, "bencode: cannot encode a value of type bool"},
		{"too deep", tooDeep, "bencode: cannot encode lists and dictionaries nested deeper than 512 levels"},
		{"list containing itself", loop, "bencode: cannot encode lists and dictionaries nested deeper than 512 levels"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := bencode.Encode(tc.input)
			require.EqualError(t, err, tc.wantErr)
			require.Nil(t, got)
		})
	}
}

func TestEncodeMaxDepth(t *testing.T) {
	t.Parallel()
	deepest := any(map[string]any{})
	for range bencode.MaxDepth - 1 {
		deepest = []any{deepest}
	}
	got, err := bencode.Encode(deepest)
	require.NoError(t, err, "MaxDepth nested lists and dictionaries can be encoded")
	again, err := bencode.Decode(got)
	require.NoError(t, err)
	require.Equal(t, deepest, again)
}

// TestEncodeMatchesBencodeGo checks Encode byte for byte against an
// independent encoder on many generated values, and that Decode gives each
// value back.
func TestEncodeMatchesBencodeGo(t *testing.T) {
	t.Parallel()
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, seed))
	for i := range 1000 {
		v := randomValue(r, 4)
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			var want bytes.Buffer
			require.NoError(t, bencodego.Marshal(&want, v))
			got, err := bencode.Encode(v)
			require.NoError(t, err)
			require.Equal(t, want.Bytes(), got)

			back, err := bencode.Decode(got)
			require.NoError(t, err)
			require.Equal(t, v, back, "Decode(Encode(v)) should give v back")
		})
	}
}

// FuzzEncode checks that whatever Decode accepts with its keys in order
// encodes back to exactly the input bytes.
func FuzzEncode(f *testing.F) {
	f.Add([]byte("d3:foo3:bar5:helloi52ee"))
	f.Add([]byte("l5:helloi-52eledee"))
	f.Add([]byte("d1:bi1e1:ai2ee"))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := bencode.Decode(data)
		if err != nil || !keysSorted(data) {
			return
		}
		got, err := bencode.Encode(v)
		require.NoError(t, err)
		require.Equal(t, data, got)
	})
}

func ExampleEncode() {
	data, err := bencode.Encode(map[string]any{
		"hello": 52,
		"foo":   "bar",
		"list":  []any{"a", int64(-1)},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s\n", data)
	// Output: d3:foo3:bar5:helloi52e4:listl1:ai-1eee
}
