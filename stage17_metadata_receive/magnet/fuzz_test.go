package magnet_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/stage17_metadata_receive/magnet"
)

// FuzzParse: any text either parses or is refused with an error, never a
// panic; what parses has its parts back when the link is written again
// with net/url's encoder and parsed once more.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"magnet:?xt=urn:btih:ad42ce8109f54c99613ce38f9b4d87e70f24a165&dn=magnet1.gif&tr=http%3A%2F%2Fbittorrent-test-tracker.codecrafters.io%2Fannounce",
		"magnet:?xt=urn:btih:VVBM5AIJ6VGJSYJ44OHZWTMH44HSJILF&x.pe=127.0.0.1:6881&x.pe=[::1]:1",
		"magnet:?xt=urn:btmh:1220abcd",
		"magnet:?xt=urn:btih:zz&tr=",
		"magnet:?dn=%zz",
		"http://example.com/",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := magnet.Parse(s)
		if err != nil {
			require.Nil(t, l)
			require.True(t, strings.HasPrefix(err.Error(), "magnet: "), "errors say where they come from: %v", err)
			return
		}
		q := url.Values{"xt": {fmt.Sprintf("urn:btih:%x", l.InfoHash)}, "dn": {l.Name}, "tr": l.Trackers}
		for _, p := range l.Peers {
			q.Add("x.pe", p.String())
		}
		again, err := magnet.Parse("magnet:?" + q.Encode())
		require.NoError(t, err)
		require.Equal(t, l, again)
	})
}
