package torrentfile_test

import (
	"bytes"
	"encoding/base32"
	"net/url"
	"strings"
	"testing"

	"github.com/jackpal/bencode-go"
	"github.com/stretchr/testify/require"

	"workbook/testkit/torrentfile"
)

func TestMagnetLink(t *testing.T) {
	sample := torrentfile.Sample(t)
	tiers := torrentfile.MustBuild(t, torrentfile.Options{Seed: 1, Name: "a b&c.bin", Length: 10,
		AnnounceList: [][]string{{torrentfile.DefaultAnnounce}, {"http://127.0.0.1:7000/announce?k=1&x=2"}}})
	tests := []struct {
		name string
		link string
		want string
	}{
		{"course shape", sample.MagnetLink(),
			"magnet:?xt=urn:btih:" + sample.InfoHashHex() + "&dn=sample.txt&tr=http%3A%2F%2F127.0.0.1%3A6969%2Fannounce"},
		{"x.pe peers", sample.MagnetLink("127.0.0.1:6881", "[::1]:6882"),
			"magnet:?xt=urn:btih:" + sample.InfoHashHex() + "&dn=sample.txt&tr=http%3A%2F%2F127.0.0.1%3A6969%2Fannounce" +
				"&x.pe=127.0.0.1%3A6881&x.pe=%5B%3A%3A1%5D%3A6882"},
		{"escaped name and tiers, announce once", tiers.MagnetLink(),
			"magnet:?xt=urn:btih:" + tiers.InfoHashHex() + "&dn=a+b%26c.bin&tr=http%3A%2F%2F127.0.0.1%3A6969%2Fannounce" +
				"&tr=http%3A%2F%2F127.0.0.1%3A7000%2Fannounce%3Fk%3D1%26x%3D2"},
		{"no name, no tracker", torrentfile.Magnet{InfoHash: sample.InfoHash}.String(),
			"magnet:?xt=urn:btih:" + sample.InfoHashHex()},
		{"base32", torrentfile.Magnet{InfoHash: sample.InfoHash, Base32: true}.String(),
			"magnet:?xt=urn:btih:" + base32.StdEncoding.EncodeToString(sample.InfoHash[:])},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tc.link)
		})
	}
	t.Run("net/url reads it back", func(t *testing.T) {
		u, err := url.Parse(tiers.MagnetLink("127.0.0.1:6881"))
		require.NoError(t, err)
		require.Equal(t, "magnet", u.Scheme)
		q := u.Query()
		require.Equal(t, "urn:btih:"+tiers.InfoHashHex(), q.Get("xt"))
		require.Equal(t, "a b&c.bin", q.Get("dn"))
		require.Equal(t, []string{torrentfile.DefaultAnnounce, "http://127.0.0.1:7000/announce?k=1&x=2"}, q["tr"])
		require.Equal(t, []string{"127.0.0.1:6881"}, q["x.pe"])
	})
}

func TestLarge(t *testing.T) {
	tor := torrentfile.Large(t)
	require.Equal(t, 4100, tor.NumPieces())
	require.Equal(t, int64(16384-5000), tor.PieceSize(4099))
	require.Greater(t, len(tor.InfoBytes), 5*16384, "the metadata spans 6 pieces of 16 KiB")
	require.Less(t, len(tor.InfoBytes), 6*16384)
}

func TestHostileInfoCases(t *testing.T) {
	cases := torrentfile.HostileInfoCases()
	require.Greater(t, len(cases), 30)
	names := map[string]bool{}
	for _, h := range cases {
		t.Run(h.Name, func(t *testing.T) {
			names[h.Name] = true
			require.True(t, h.Key == "info" || strings.HasPrefix(h.Key, "info."), h.Key)
			_, err := bencode.Decode(bytes.NewReader(h.Bytes))
			require.NoError(t, err, "the info dict alone is bencode")
		})
	}
	require.True(t, names["file-path-traversal"])
	require.False(t, names["missing-info"], "nothing to serve")
	for _, h := range cases {
		if h.Name == "info-not-dict" {
			require.Equal(t, "4:info", string(h.Bytes))
		}
	}
}
