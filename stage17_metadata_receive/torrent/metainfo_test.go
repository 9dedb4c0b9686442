package torrent_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/stage17_metadata_receive/bencode"
	"workbook/stage17_metadata_receive/torrent"
	"workbook/testkit/torrentfile"
)

// requireMatches checks every field Parse returns against the test torrent's
// own record of what it wrote (built with bencode-go, not with our code).
func requireMatches(t *testing.T, want *torrentfile.Torrent, got *torrent.Metainfo) {
	t.Helper()
	require.Equal(t, want.TrackerURL(), got.TrackerURL, "announce, or without it the first URL of announce-list (BEP 12)")
	require.Equal(t, want.AnnounceList, got.AnnounceList)
	require.Equal(t, want.Name, got.Info.Name)
	require.Equal(t, want.PieceLength, got.Info.PieceLength)
	require.Equal(t, want.Length, got.Info.Length)
	require.Equal(t, []byte(want.PiecesString()), got.Info.Pieces)
	require.Equal(t, want.NumPieces(), got.Info.NumPieces())
	require.Equal(t, wantFiles(want.Files), got.Info.Files)
	require.Equal(t, want.InfoHashHex(), fmt.Sprintf("%x", got.InfoHash),
		"the info hash is the SHA-1 of the info dictionary's bytes exactly as they are in the file")
}

func wantFiles(files []torrentfile.File) []torrent.File {
	if files == nil {
		return nil
	}
	out := make([]torrent.File, len(files))
	for i, f := range files {
		out[i] = torrent.File{Path: f.Path, Length: f.Length}
	}
	return out
}

func TestParse(t *testing.T) {
	t.Parallel()
	for _, tc := range torrentfile.Cases() {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			want := torrentfile.MustBuild(t, tc.Options)
			got, err := torrent.Parse(want.Bytes)
			require.NoError(t, err)
			requireMatches(t, want, got)
		})
	}
}

func TestParseRealTorrents(t *testing.T) {
	t.Parallel()
	reals, err := torrentfile.RealTorrents()
	require.NoError(t, err)
	for _, r := range reals {
		t.Run(r.File, func(t *testing.T) {
			got, err := torrent.Parse(r.Bytes)
			require.NoError(t, err)
			require.Equal(t, r.Tiers[0][0], got.TrackerURL)
			if len(r.Tiers) > 1 {
				require.Equal(t, r.Tiers, got.AnnounceList)
			}
			require.Equal(t, r.Name, got.Info.Name)
			require.Equal(t, r.PieceLength, got.Info.PieceLength)
			require.Equal(t, r.NumPieces, got.Info.NumPieces())
			require.Equal(t, r.Length, got.Info.Length)
			require.Equal(t, []byte(r.PiecesString()), got.Info.Pieces, "piece hashes of the committed content")
			require.Equal(t, wantFiles(r.Files), got.Info.Files)
			require.Equal(t, r.InfoHashHex(), fmt.Sprintf("%x", got.InfoHash), "the hash transmission-show reports")
		})
	}
}

// TestParseHostile feeds every hostile torrent to Parse: each must be
// refused with an error naming the key that is wrong.
func TestParseHostile(t *testing.T) {
	t.Parallel()
	for _, h := range torrentfile.HostileCases() {
		t.Run(h.Name, func(t *testing.T) {
			t.Parallel()
			got, err := torrent.Parse(h.Bytes)
			require.Error(t, err, "accepted a torrent with this defect: %s", h.Why)
			require.Nil(t, got)
			var keyErr *bencode.KeyError
			if h.Key == "" {
				require.False(t, errors.As(err, &keyErr), "not a torrent at all, yet the error blames a key: %v", err)
				return
			}
			require.True(t, errors.As(err, &keyErr), "want a *KeyError naming %q, got %v", h.Key, err)
			require.Equal(t, h.Key, keyErr.Key, "error %q should name the key %q (%s)", err, h.Key, h.Why)
		})
	}
}

// TestParseUnsafeNameIs checks that the error for a name or path element
// that would leave the torrent's directory wraps ErrUnsafeName, so a caller
// can branch on it with errors.Is (the message alone would not do).
func TestParseUnsafeNameIs(t *testing.T) {
	t.Parallel()
	unsafe := map[string]bool{"file-path-traversal": true, "multi-name-dotdot": true}
	for _, label := range []string{"empty", "dot", "dotdot", "absolute", "slash", "backslash"} {
		unsafe["name-"+label], unsafe["file-path-"+label] = true, true
	}
	n := 0
	for _, h := range torrentfile.HostileCases() {
		if !unsafe[h.Name] {
			continue
		}
		n++
		_, err := torrent.Parse(h.Bytes)
		require.ErrorIs(t, err, torrent.ErrUnsafeName, "%s: %v", h.Name, err)
	}
	require.Equal(t, len(unsafe), n, "every unsafe-name case is in the hostile table")
}

// TestParseFileClashes checks that two files of a multi-file torrent can
// never land on the same path, or one inside the other: the client could
// not create both.
func TestParseFileClashes(t *testing.T) {
	t.Parallel()
	file := func(length int64, path ...string) torrentfile.FileSpec {
		return torrentfile.FileSpec{Path: path, Length: length}
	}
	for _, tc := range []struct {
		name  string
		files []torrentfile.FileSpec
		want  string
	}{
		{"same path twice", []torrentfile.FileSpec{file(1, "x"), file(2, "x")},
			`torrent: info.files[1].path: "x" repeats info.files[0]`},
		{"same nested path, not adjacent", []torrentfile.FileSpec{file(1, "d", "x"), file(1, "y"), file(0, "d", "x")},
			`torrent: info.files[2].path: "d/x" repeats info.files[0]`},
		{"file inside a file", []torrentfile.FileSpec{file(1, "x"), file(2, "x", "y")},
			`torrent: info.files[1].path: "x/y" is inside file "x" (info.files[0])`},
		{"file deep inside a file", []torrentfile.FileSpec{file(1, "a", "x"), file(2, "a", "x", "y", "z")},
			`torrent: info.files[1].path: "a/x/y/z" is inside file "a/x" (info.files[0])`},
		{"file where a directory is", []torrentfile.FileSpec{file(1, "x", "y"), file(2, "x")},
			`torrent: info.files[1].path: "x" is a directory of info.files[0] ("x/y")`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tor := torrentfile.MustBuild(t, torrentfile.Options{Files: tc.files})
			got, err := torrent.Parse(tor.Bytes)
			require.EqualError(t, err, tc.want)
			require.Nil(t, got)
		})
	}
	// Same names in different directories, and names that only share a
	// prefix, are fine.
	ok := torrentfile.MustBuild(t, torrentfile.Options{Files: []torrentfile.FileSpec{
		file(1, "a", "x"), file(1, "b", "x"), file(1, "x"), file(1, "xy"), file(1, "a", "xy", "z")}})
	_, err := torrent.Parse(ok.Bytes)
	require.NoError(t, err)
}

func TestKeyErrorMessage(t *testing.T) {
	t.Parallel()
	data := "d8:announce9:http://t/4:infod6:lengthi1e4:name1:x12:piece lengthi-1e6:pieces20:" + strings.Repeat("h", 20) + "ee"
	_, err := torrent.Parse([]byte(data))
	var keyErr *bencode.KeyError
	require.ErrorAs(t, err, &keyErr)
	require.Equal(t, bencode.KeyError{Key: "info.piece length", Msg: "must be positive, got -1"}, *keyErr)
	require.Equal(t, "torrent: info.piece length: must be positive, got -1", err.Error())
}

func TestOpen(t *testing.T) {
	t.Parallel()
	want := torrentfile.Sample(t)
	got, err := torrent.Open(want.WriteTorrent(t))
	require.NoError(t, err)
	requireMatches(t, want, got)
}

func TestOpenErrorsNameThePath(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.torrent")
	_, err := torrent.Open(missing)
	require.ErrorIs(t, err, os.ErrNotExist)
	require.ErrorContains(t, err, missing)

	_, err = torrent.Open(dir)
	require.EqualError(t, err, "read "+dir+": is a directory")

	hostile := torrentfile.WriteTemp(t, "bad.torrent", torrentfile.HostileCases()[0].Bytes)
	_, err = torrent.Open(hostile)
	require.ErrorContains(t, err, hostile)

	// A huge file is refused after reading MaxFileSize+1 bytes, not all of
	// it. Truncate makes a sparse file: no disk space used.
	huge := filepath.Join(dir, "huge.torrent")
	f, err := os.Create(huge)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(10*torrent.MaxFileSize))
	require.NoError(t, f.Close())
	_, err = torrent.Open(huge)
	require.ErrorContains(t, err, huge)
	require.ErrorContains(t, err, "larger than")
}

// TestTiers checks which trackers a client announces to (BEP 12):
// announce-list, which replaces announce when it names a URL; otherwise
// announce alone.
func TestTiers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		m    torrent.Metainfo
		want [][]string
	}{
		{"announce alone", torrent.Metainfo{TrackerURL: "http://a/"}, [][]string{{"http://a/"}}},
		{"announce-list replaces announce",
			torrent.Metainfo{TrackerURL: "http://a/", AnnounceList: [][]string{{"http://b/"}, {"http://c/", "http://a/"}}},
			[][]string{{"http://b/"}, {"http://c/", "http://a/"}}},
		{"announce-list without a URL: announce counts",
			torrent.Metainfo{TrackerURL: "http://a/", AnnounceList: [][]string{{""}, {}}}, [][]string{{"http://a/"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, tc.m.Tiers())
		})
	}
}
