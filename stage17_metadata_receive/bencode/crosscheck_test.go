package bencode_test

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	bencodego "github.com/jackpal/bencode-go"
	"github.com/stretchr/testify/require"

	"workbook/stage17_metadata_receive/bencode"
)

// TestDecodeMatchesBencodeGo encodes many generated values with an
// independent implementation (bencode-go) and checks that Decode gives the
// same values back. bencode-go only ever encodes here: it is lenient and can
// crash on hostile input, so it never reads input we did not generate.
func TestDecodeMatchesBencodeGo(t *testing.T) {
	t.Parallel()
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, seed))
	for i := range 1000 {
		want := randomValue(r, 4)
		var encoded bytes.Buffer
		require.NoError(t, bencodego.Marshal(&encoded, want))
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			got, err := bencode.Decode(encoded.Bytes())
			require.NoError(t, err, "input %q", encoded.Bytes())
			require.Equal(t, want, got, "input %q", encoded.Bytes())
		})
	}
}

// randomValue returns a value of a random bencode type, nesting lists and
// dictionaries at most depth levels deep.
func randomValue(r *rand.Rand, depth int) any {
	kinds := 2
	if depth > 0 {
		kinds = 4
	}
	switch r.IntN(kinds) {
	case 0:
		return randomString(r)
	case 1:
		return randomInt(r)
	case 2:
		list := []any{}
		for range r.IntN(5) {
			list = append(list, randomValue(r, depth-1))
		}
		return list
	default:
		dict := map[string]any{}
		for range r.IntN(5) {
			dict[randomString(r)] = randomValue(r, depth-1)
		}
		return dict
	}
}

// randomString returns up to 40 random bytes: bencode strings are bytes,
// so any byte, valid UTF-8 or not, must come back unchanged.
func randomString(r *rand.Rand) string {
	b := make([]byte, r.IntN(41))
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return string(b)
}

// randomInt mixes small numbers, the int64 extremes and large random ones.
func randomInt(r *rand.Rand) int64 {
	switch r.IntN(4) {
	case 0:
		return r.Int64N(21) - 10
	case 1:
		return []int64{math.MinInt64, math.MinInt64 + 1, math.MaxInt64, math.MaxInt64 - 1}[r.IntN(4)]
	case 2:
		return -r.Int64()
	default:
		return r.Int64()
	}
}
