package bencode_test

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"testing"

	bencodego "github.com/jackpal/bencode-go"
	"github.com/stretchr/testify/require"

	"workbook/stage01_bencode_strings/bencode"
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
		want := randomValue(r)
		var encoded bytes.Buffer
		require.NoError(t, bencodego.Marshal(&encoded, want))
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			got, err := bencode.Decode(encoded.Bytes())
			require.NoError(t, err, "input %q", encoded.Bytes())
			require.Equal(t, want, got, "input %q", encoded.Bytes())
		})
	}
}

// randomValue returns a value of a random bencode type: so far, strings
// are the only type.
func randomValue(r *rand.Rand) any {
	return randomString(r)
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
