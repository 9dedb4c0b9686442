package bencode_test

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/stage16_metadata_request/bencode"
)

// decodeDict decodes a dictionary for the tests, at path.
func decodeDict(t *testing.T, path, data string) bencode.Dict {
	t.Helper()
	v, err := bencode.Decode([]byte(data))
	require.NoError(t, err)
	d, err := bencode.AsDict(path, v)
	require.NoError(t, err)
	return d
}

func TestDictGetters(t *testing.T) {
	t.Parallel()
	d := decodeDict(t, "", "d1:ii-7e1:ll1:xe1:s2:hi1:dd1:ki1eee")

	s, err := d.String("s")
	require.NoError(t, err)
	require.Equal(t, "hi", s)
	n, err := d.Int("i")
	require.NoError(t, err)
	require.Equal(t, int64(-7), n)
	l, err := d.List("l")
	require.NoError(t, err)
	require.Equal(t, []any{"x"}, l)
	inner, err := d.Dict("d")
	require.NoError(t, err)
	require.Equal(t, bencode.Dict{Path: "d", Values: map[string]any{"k": int64(1)}}, inner)
	require.True(t, d.Has("s"))
	require.False(t, d.Has("missing"))
}

// TestDictErrors checks that every error names the full key, says what was
// wanted and what was found, and is a *KeyError for that key.
func TestDictErrors(t *testing.T) {
	t.Parallel()
	d := decodeDict(t, "info.files[2]", "d1:ii1e1:s1:x1:lle1:ddee")
	tests := []struct {
		name    string
		get     func() error
		wantKey string
		wantErr string
	}{
		{"missing", func() error { _, err := d.String("name"); return err }, "info.files[2].name", "info.files[2].name: missing"},
		{"string, got an integer", func() error { _, err := d.String("i"); return err }, "info.files[2].i", "info.files[2].i: want a string, got an integer"},
		{"integer, got a string", func() error { _, err := d.Int("s"); return err }, "info.files[2].s", "info.files[2].s: want an integer, got a string"},
		{"list, got a dictionary", func() error { _, err := d.List("d"); return err }, "info.files[2].d", "info.files[2].d: want a list, got a dictionary"},
		{"dictionary, got a list", func() error { _, err := d.Dict("l"); return err }, "info.files[2].l", "info.files[2].l: want a dictionary, got a list"},
		{"Errorf", func() error { return d.Errorf("i", "must be %s", "even") }, "info.files[2].i", "info.files[2].i: must be even"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.get()
			require.EqualError(t, err, tc.wantErr)
			var keyErr *bencode.KeyError
			require.ErrorAs(t, err, &keyErr)
			require.Equal(t, tc.wantKey, keyErr.Key)
		})
	}
}

func TestDictErrorfWraps(t *testing.T) {
	t.Parallel()
	err := bencode.Dict{Path: "info"}.Errorf("name", "cannot use it: %w", fs.ErrInvalid)
	require.EqualError(t, err, "info.name: cannot use it: invalid argument")
	require.ErrorIs(t, err, fs.ErrInvalid, "a %w in the format is kept for errors.Is")
}

func TestAsDict(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		path    string
		value   any
		wantErr string
	}{
		{"peers[1]", int64(3), "peers[1]: want a dictionary, got an integer"},
		{"x", []any{}, "x: want a dictionary, got a list"},
		{"", "text", "want a dictionary, got a string"}, // a whole document: no key to name
	} {
		_, err := bencode.AsDict(tc.path, tc.value)
		require.EqualError(t, err, tc.wantErr)
		var keyErr *bencode.KeyError
		require.True(t, errors.As(err, &keyErr))
	}
}

func ExampleDict() {
	v, err := bencode.Decode([]byte("d4:infod4:name1:x12:piece lengthi-1eee"))
	if err != nil {
		fmt.Println(err)
		return
	}
	top, err := bencode.AsDict("", v)
	if err != nil {
		fmt.Println(err)
		return
	}
	info, err := top.Dict("info")
	if err != nil {
		fmt.Println(err)
		return
	}
	name, _ := info.String("name")
	fmt.Println(name)
	_, err = info.String("piece length")
	fmt.Println(err)
	_, err = info.Int("pieces")
	fmt.Println(err)
	// Output:
	// x
	// info.piece length: want a string, got an integer
	// info.pieces: missing
}
