package torrent_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/stage11_download/torrent"
	"workbook/testkit/torrentfile"
)

// requireMatches checks every field Parse returns against the test torrent's
// own record of what it wrote (built with bencode-go, not with our code).
func requireMatches(t *testing.T, want *torrentfile.Torrent, got *torrent.Metainfo) {
	t.Helper()
	require.Equal(t, want.Announce, got.Announce)
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
			require.Equal(t, r.Tiers[0][0], got.Announce)
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
			var keyErr *torrent.KeyError
			if h.Key == "" {
				require.False(t, errors.As(err, &keyErr), "not a torrent at all, yet the error blames a key: %v", err)
				return
			}
			require.True(t, errors.As(err, &keyErr), "want a *KeyError naming %q, got %v", h.Key, err)
			require.Equal(t, h.Key, keyErr.Key, "error %q should name the key %q (%s)", err, h.Key, h.Why)
		})
	}
}

func TestKeyErrorMessage(t *testing.T) {
	t.Parallel()
	err := &torrent.KeyError{Key: "info.piece length", Msg: "must be positive, got -1"}
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
