package magnet_test

import (
	"encoding/base32"
	"encoding/hex"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/stage16_metadata_request/magnet"
)

// hash is the info hash of the course's sample magnet link (magnet1.gif).
const hash = "ad42ce8109f54c99613ce38f9b4d87e70f24a165"

func mustHash(t *testing.T, s string) [20]byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return [20]byte(b)
}

func TestParse(t *testing.T) {
	t.Parallel()
	h := mustHash(t, hash)
	b32 := base32.StdEncoding.EncodeToString(h[:]) // "VVBM5AIJ6VGJSYJ4..."
	tests := []struct {
		name string
		link string
		want magnet.Link
	}{
		{
			name: "the course's link, tracker percent-encoded",
			link: "magnet:?xt=urn:btih:" + hash + "&dn=magnet1.gif&tr=http%3A%2F%2Fbittorrent-test-tracker.codecrafters.io%2Fannounce",
			want: magnet.Link{InfoHash: h, Name: "magnet1.gif", Trackers: []string{"http://bittorrent-test-tracker.codecrafters.io/announce"}},
		},
		{
			name: "upper-case hex",
			link: "magnet:?xt=urn:btih:" + strings.ToUpper(hash),
			want: magnet.Link{InfoHash: h},
		},
		{
			name: "base32",
			link: "magnet:?xt=urn:btih:" + b32,
			want: magnet.Link{InfoHash: h},
		},
		{
			name: "lower-case base32",
			link: "magnet:?xt=urn:btih:" + strings.ToLower(b32),
			want: magnet.Link{InfoHash: h},
		},
		{
			name: "upper-case URN and scheme",
			link: "MAGNET:?xt=URN:BTIH:" + hash,
			want: magnet.Link{InfoHash: h},
		},
		{
			name: "several trackers in order, empty ones dropped, the tracker's own query kept",
			link: "magnet:?tr=http%3A%2F%2F127.0.0.1%3A6969%2Fannounce%3Fpasskey%3Dx%26a%3Db&xt=urn:btih:" + hash +
				"&tr=&tr=udp%3A%2F%2F127.0.0.1%3A6969",
			want: magnet.Link{InfoHash: h, Trackers: []string{"http://127.0.0.1:6969/announce?passkey=x&a=b", "udp://127.0.0.1:6969"}},
		},
		{
			name: "peers",
			link: "magnet:?xt=urn:btih:" + hash + "&x.pe=127.0.0.1:6881&x.pe=%5B%3A%3A1%5D%3A51413",
			want: magnet.Link{InfoHash: h, Peers: []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:6881"), netip.MustParseAddrPort("[::1]:51413")}},
		},
		{
			name: "a name with spaces: + and %20",
			link: "magnet:?xt=urn:btih:" + hash + "&dn=big+buck%20bunny",
			want: magnet.Link{InfoHash: h, Name: "big buck bunny"},
		},
		{
			name: "hybrid v1+v2 link: the v1 hash is used",
			link: "magnet:?xt=urn:btmh:1220" + strings.Repeat("ab", 32) + "&xt=urn:btih:" + hash,
			want: magnet.Link{InfoHash: h},
		},
		{
			name: "the same hash twice, unknown keys ignored",
			link: "magnet:?xt=urn:btih:" + hash + "&xt=urn:btih:" + b32 + "&xl=1234&ws=http%3A%2F%2Fexample.com%2F&so=0",
			want: magnet.Link{InfoHash: h},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := magnet.Parse(tc.link)
			require.NoError(t, err)
			require.Equal(t, tc.want, *got)
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		link string
		is   error  // the sentinel the error wraps, if any
		want string // the error text
	}{
		{"a URL", "http://127.0.0.1/x.torrent", magnet.ErrNotMagnet,
			`magnet: not a magnet link: want magnet:?xt=urn:btih:<info hash>&tr=<tracker URL>, got "http://127.0.0.1/x.torrent"`},
		{"a .torrent path", "sample.torrent", magnet.ErrNotMagnet,
			`magnet: not a magnet link: want magnet:?xt=urn:btih:<info hash>&tr=<tracker URL>, got "sample.torrent"`},
		{"no question mark", "magnet:xt=urn:btih:" + hash, magnet.ErrNotMagnet, ""},
		{"no query", "magnet:?", magnet.ErrNotMagnet, ""},
		{"no xt", "magnet:?dn=x&tr=http%3A%2F%2F127.0.0.1%2Fannounce", magnet.ErrNoInfoHash,
			"magnet: xt: no info hash: want xt=urn:btih:<40 hex digits or 32 base32 characters>"},
		{"xt of another kind", "magnet:?xt=urn:sha1:" + hash, nil,
			`magnet: xt: "urn:sha1:` + hash + `" is not urn:btih:<info hash>`},
		{"v2 only", "magnet:?xt=urn:btmh:1220" + strings.Repeat("ab", 32), magnet.ErrV2Only,
			"magnet: xt: BitTorrent v2 is not supported: the link has only a v2 hash (urn:btmh:, BEP 52)"},
		{"39 hex digits", "magnet:?xt=urn:btih:" + hash[:39], nil,
			`magnet: xt: info hash "` + hash[:39] + `" is 39 characters, want 40 hex digits or 32 base32 characters`},
		{"41 hex digits", "magnet:?xt=urn:btih:" + hash + "0", nil,
			`magnet: xt: info hash "` + hash + `0" is 41 characters, want 40 hex digits or 32 base32 characters`},
		{"empty hash", "magnet:?xt=urn:btih:", nil,
			`magnet: xt: info hash "" is 0 characters, want 40 hex digits or 32 base32 characters`},
		{"not hex", "magnet:?xt=urn:btih:" + strings.Repeat("g", 40), nil,
			`magnet: xt: info hash "` + strings.Repeat("g", 40) + `": encoding/hex: invalid byte: U+0067 'g'`},
		{"not base32", "magnet:?xt=urn:btih:" + strings.Repeat("1", 32), nil,
			`magnet: xt: info hash "` + strings.Repeat("1", 32) + `": illegal base32 data at input byte 0`},
		{"two different hashes", "magnet:?xt=urn:btih:" + hash + "&xt=urn:btih:" + strings.Repeat("0", 40), nil,
			"magnet: xt: two different info hashes, " + hash + " and " + strings.Repeat("0", 40)},
		{"bad percent-encoding", "magnet:?xt=urn:btih:" + hash + "&dn=%zz", nil,
			`magnet: query: invalid URL escape "%zz"`},
		{"x.pe without a port", "magnet:?xt=urn:btih:" + hash + "&x.pe=127.0.0.1", nil,
			`magnet: x.pe "127.0.0.1": want a peer's ip:port, such as 127.0.0.1:6881 or [::1]:6881 (host names are not resolved)`},
		{"x.pe port 0", "magnet:?xt=urn:btih:" + hash + "&x.pe=127.0.0.1:0", nil, ""},
		{"x.pe port too big", "magnet:?xt=urn:btih:" + hash + "&x.pe=127.0.0.1:65536", nil, ""},
		{"x.pe host name", "magnet:?xt=urn:btih:" + hash + "&x.pe=example.com:6881", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := magnet.Parse(tc.link)
			require.Error(t, err)
			require.Nil(t, got)
			if tc.is != nil {
				require.ErrorIs(t, err, tc.is)
			}
			if tc.want != "" {
				require.Equal(t, tc.want, err.Error())
			}
		})
	}
}

func TestTrackerURLAndTiers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		trackers  []string
		wantFirst string
		wantTiers [][]string
	}{
		{"none", nil, "", [][]string{}},
		{"one", []string{"http://a/announce"}, "http://a/announce", [][]string{{"http://a/announce"}}},
		{"two", []string{"http://a/announce", "http://b/announce"}, "http://a/announce",
			[][]string{{"http://a/announce"}, {"http://b/announce"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := magnet.Link{Trackers: tc.trackers}
			require.Equal(t, tc.wantFirst, l.TrackerURL())
			require.Equal(t, tc.wantTiers, l.Tiers())
		})
	}
}

// TestParseAgainstNetURL builds links with net/url's own encoder, so that
// a tracker URL with every character that needs escaping comes back whole.
func TestParseAgainstNetURL(t *testing.T) {
	t.Parallel()
	trackers := []string{"http://127.0.0.1:6969/announce?key=a&b=c d#frag", "https://[::1]:443/ann%20ounce", "http://ünïcode.example/announce"}
	q := url.Values{"xt": {"urn:btih:" + hash}, "tr": trackers, "dn": {"a&b=c+d/é"}}
	got, err := magnet.Parse("magnet:?" + q.Encode())
	require.NoError(t, err)
	require.Equal(t, trackers, got.Trackers)
	require.Equal(t, "a&b=c+d/é", got.Name)
}
