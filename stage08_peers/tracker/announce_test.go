package tracker_test

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"workbook/stage08_peers/torrent"
	"workbook/stage08_peers/tracker"
	"workbook/testkit/torrentfile"
	faketracker "workbook/testkit/tracker"
)

// infoHash holds the bytes a careless encoder gets wrong: NUL, 0xff, space,
// '+', '%', '&', '=' and '?' all have to travel as %XX.
var infoHash = [20]byte{0x00, 0xff, ' ', '+', '%', '&', '=', '?', 0x7f, 0x80, 'a', 'Z', '-', '.', '_', '~', 1, 2, 3, 4}

const total = 92063 // the torrent's length: `left` of a client that has nothing yet

var peerID = [20]byte{'-', 'W', 'B', '0', '0', '0', '1', '-', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'}

func params() tracker.Params {
	return tracker.Params{InfoHash: infoHash, PeerID: peerID, Port: 6881, Left: total}
}

// checkLeaks fails the test if a goroutine started during it is still
// running once its cleanups (fake trackers closing) are done. Call it first:
// cleanups run last-registered first.
func checkLeaks(t *testing.T) {
	t.Helper()
	t.Cleanup(func() { goleak.VerifyNone(t) })
}

var (
	v4a    = netip.MustParseAddrPort("127.0.0.1:6881")
	v4b    = netip.MustParseAddrPort("10.0.0.2:51413")
	v6     = netip.MustParseAddrPort("[::1]:6882")
	fakeV4 = faketracker.Peers("127.0.0.1:6881", "10.0.0.2:51413")
	fakeV6 = faketracker.Peers("[::1]:6882")
)

func TestAnnounce(t *testing.T) {
	checkLeaks(t)
	tests := []struct {
		name    string
		client  tracker.Client
		answer  faketracker.Answer
		want    *tracker.Response
		wantErr string // the error, with URL standing for the announce URL
	}{
		{
			name:   "compact peers",
			answer: faketracker.Answer{Reply: faketracker.Compact, Peers: fakeV4},
			want:   &tracker.Response{Peers: []netip.AddrPort{v4a, v4b}},
		},
		{
			name:   "compact peers and peers6",
			answer: faketracker.Answer{Reply: faketracker.Compact, Peers: append(fakeV6, fakeV4...), Interval: time.Minute},
			want:   &tracker.Response{Peers: []netip.AddrPort{v4a, v4b, v6}},
		},
		{
			name:   "dictionary peers",
			answer: faketracker.Answer{Reply: faketracker.Dict, Peers: append(fakeV6, fakeV4...)},
			want:   &tracker.Response{Peers: []netip.AddrPort{v6, v4a, v4b}},
		},
		{
			name:   "no peers yet",
			answer: faketracker.Answer{Reply: faketracker.Compact},
			want:   &tracker.Response{Peers: []netip.AddrPort{}},
		},
		{
			name:   "warning with peers",
			answer: faketracker.Answer{Reply: faketracker.Compact, Peers: fakeV4[:1], Warning: "please upgrade\x1b[2J"},
			want:   &tracker.Response{Peers: []netip.AddrPort{v4a}, Warning: `please upgrade\x1b[2J`},
		},
		{
			name:    "failure reason",
			answer:  faketracker.Answer{Reply: faketracker.Failure, Failure: "unregistered torrent"},
			wantErr: "tracker URL said: unregistered torrent",
		},
		{
			name:    "HTTP 500",
			answer:  faketracker.Answer{Reply: faketracker.HTTPError},
			wantErr: `announce to URL: HTTP 500 Internal Server Error: "fake tracker: internal server error\n"`,
		},
		{
			name:    "not bencode",
			answer:  faketracker.Answer{Reply: faketracker.NotBencode},
			wantErr: "announce to URL: response is not bencode: bencode: at byte 0: ",
		},
		{
			name:    "no answer",
			client:  tracker.Client{Timeout: time.Second}, // 200 ms were not always enough to reach a busy fake tracker
			answer:  faketracker.Answer{Reply: faketracker.Hang},
			wantErr: "announce to URL: no answer within 1s: timed out",
		},
		{
			name:    "oversized, streamed",
			answer:  faketracker.Answer{Reply: faketracker.Oversized},
			wantErr: "announce to URL: answer is more than the 2097152 bytes this client reads",
		},
		{
			name:    "oversized, with Content-Length",
			client:  tracker.Client{MaxBodySize: 1000},
			answer:  faketracker.Answer{Reply: faketracker.Oversized, OversizeBytes: 1000},
			wantErr: "announce to URL: answer is more than the 1000 bytes this client reads",
		},
		{
			name:    "peers length not a multiple of 6",
			answer:  faketracker.Answer{Reply: faketracker.BadCompactLength, Peers: fakeV4},
			wantErr: "announce to URL: peers: length 13 is not a multiple of 6 (6 bytes a peer)",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := faketracker.New(t, faketracker.Config{})
			swarm := fake.Add(infoHash, faketracker.Expect{Left: total, Port: 6881}, tc.answer)

			got, err := tc.client.Announce(context.Background(), fake.URL(), params())

			require.Len(t, swarm.Requests(), 1, "one announce, one GET")
			if tc.wantErr != "" {
				require.Error(t, err)
				wantErr := strings.ReplaceAll(tc.wantErr, "URL", fake.URL())
				if strings.HasSuffix(wantErr, " ") {
					require.True(t, strings.HasPrefix(err.Error(), wantErr), "error %q, want it to start with %q", err, wantErr)
				} else {
					require.Equal(t, wantErr, err.Error())
				}
				require.Nil(t, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestAnnounceErrorTypes(t *testing.T) {
	checkLeaks(t)
	fake := faketracker.New(t, faketracker.Config{})
	swarm := fake.Add(infoHash, faketracker.Expect{Left: total}, faketracker.Answer{Reply: faketracker.Failure, Failure: "go away"})
	var client tracker.Client

	_, err := client.Announce(context.Background(), fake.URL(), params())
	var failure *tracker.FailureError
	require.ErrorAs(t, err, &failure)
	require.Equal(t, tracker.FailureError{URL: fake.URL(), Reason: "go away"}, *failure)

	swarm.SetAnswer(faketracker.Answer{Reply: faketracker.Hang})
	_, err = (&tracker.Client{Timeout: 100 * time.Millisecond}).Announce(context.Background(), fake.URL(), params())
	require.ErrorIs(t, err, tracker.ErrTimeout)

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = client.Announce(ctx, fake.URL(), params())
	require.ErrorIs(t, err, context.Canceled, "Ctrl-C must end a hanging announce at once")
}

func TestAnnounceQuery(t *testing.T) {
	checkLeaks(t)
	const escapedHash = "%00%FF%20%2B%25%26%3D%3F%7F%80aZ-._~%01%02%03%04"
	tests := []struct {
		name      string
		query     string // already in the announce URL
		urlSuffix string // appended to the announce URL as written in the torrent
		wantQuery string
	}{
		{
			name:      "plain announce URL",
			wantQuery: "info_hash=" + escapedHash + "&peer_id=-WB0001-abcdefghijkl&port=6881&uploaded=0&downloaded=0&left=92063&compact=1",
		},
		{
			name:      "passkey kept",
			query:     "passkey=xyz",
			wantQuery: "passkey=xyz&info_hash=" + escapedHash + "&peer_id=-WB0001-abcdefghijkl&port=6881&uploaded=0&downloaded=0&left=92063&compact=1",
		},
		{
			name:      "trailing & not doubled, fragment dropped",
			query:     "passkey=a%2Fb&",
			urlSuffix: "#top",
			wantQuery: "passkey=a%2Fb&info_hash=" + escapedHash + "&peer_id=-WB0001-abcdefghijkl&port=6881&uploaded=0&downloaded=0&left=92063&compact=1",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := faketracker.New(t, faketracker.Config{Query: tc.query})
			swarm := fake.Add(infoHash, faketracker.Expect{Left: total, Port: 6881}, faketracker.Answer{})
			var client tracker.Client

			_, err := client.Announce(context.Background(), fake.URL()+tc.urlSuffix, params())
			require.NoError(t, err)

			got := swarm.Requests()
			require.Len(t, got, 1)
			require.Equal(t, tc.wantQuery, got[0].RawQuery)
			require.Equal(t, infoHash, got[0].InfoHash, "the tracker must decode the 20 raw bytes")
			require.Equal(t, peerID, got[0].PeerID)
		})
	}
}

func TestAnnounceBadURL(t *testing.T) {
	tests := []struct {
		url     string
		wantErr string
	}{
		{"udp://tracker.example:1337/announce", `announce to udp://tracker.example:1337/announce: scheme "udp" not supported: this client speaks HTTP trackers (BEP 3); udp:// trackers are BEP 15`},
		{"http:///announce", "announce to http:///announce: bad announce URL: no host"},
		{"http://127.0.0.1:1/ann\x7founce", `announce to http://127.0.0.1:1/ann\x7founce: bad announce URL: net/url: invalid control character in URL`},
		{"", `announce to : scheme "" not supported: this client speaks HTTP trackers (BEP 3); udp:// trackers are BEP 15`},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			var client tracker.Client
			_, err := client.Announce(context.Background(), tc.url, params())
			require.EqualError(t, err, tc.wantErr)
		})
	}
}

func TestAnnounceConnectionRefused(t *testing.T) {
	checkLeaks(t)
	dead := faketracker.ClosedURL(t)
	var client tracker.Client
	_, err := client.Announce(context.Background(), dead, params())
	require.Error(t, err)
	require.True(t, strings.HasPrefix(err.Error(), "announce to "+dead+": dial tcp "), "%v", err)
	require.Contains(t, err.Error(), "connection refused")
}

func TestAnnouncePasskeyNotInErrors(t *testing.T) {
	checkLeaks(t)
	fake := faketracker.New(t, faketracker.Config{Query: "passkey=s3cret"})
	swarm := fake.Add(infoHash, faketracker.Expect{Left: total}, faketracker.Answer{Reply: faketracker.HTTPError})
	var client tracker.Client
	for _, reply := range []faketracker.Reply{faketracker.HTTPError, faketracker.Failure, faketracker.NotBencode} {
		swarm.SetAnswer(faketracker.Answer{Reply: reply})
		_, err := client.Announce(context.Background(), fake.URL(), params())
		require.Error(t, err)
		require.NotContains(t, err.Error(), "s3cret", "%v: a passkey is a password; keep it out of messages", reply)
	}
}

func TestAnnounceTiers(t *testing.T) {
	checkLeaks(t)
	failing := faketracker.New(t, faketracker.Config{})
	failing.Add(infoHash, faketracker.Expect{Left: total}, faketracker.Answer{Reply: faketracker.Failure, Failure: "overloaded"})
	broken := faketracker.New(t, faketracker.Config{})
	broken.Add(infoHash, faketracker.Expect{Left: total}, faketracker.Answer{Reply: faketracker.HTTPError})
	working := faketracker.New(t, faketracker.Config{})
	working.Add(infoHash, faketracker.Expect{Left: total}, faketracker.Answer{Peers: fakeV4})
	unused := faketracker.New(t, faketracker.Config{})
	dead := faketracker.ClosedURL(t)

	tests := []struct {
		name      string
		tiers     [][]string
		wantPeers []netip.AddrPort
		wantErr   string
	}{
		{
			name:      "a single tracker",
			tiers:     [][]string{{working.URL()}},
			wantPeers: []netip.AddrPort{v4a, v4b},
		},
		{
			name:      "next tier after a dead, a failing and a broken tracker",
			tiers:     [][]string{{dead}, {failing.URL(), broken.URL()}, {working.URL(), unused.URL()}},
			wantPeers: []netip.AddrPort{v4a, v4b},
		},
		{
			name:    "single tracker: its own error",
			tiers:   [][]string{{failing.URL()}},
			wantErr: "tracker " + failing.URL() + " said: overloaded",
		},
		{
			name:    "every tier fails",
			tiers:   [][]string{{"udp://127.0.0.1:1/announce", failing.URL()}, {broken.URL(), failing.URL()}},
			wantErr: `all 3 trackers failed: announce to udp://127.0.0.1:1/announce: scheme "udp" not supported: this client speaks HTTP trackers (BEP 3); udp:// trackers are BEP 15; tracker ` + failing.URL() + ` said: overloaded; announce to ` + broken.URL() + `: HTTP 500 Internal Server Error: "fake tracker: internal server error\n"`,
		},
		{
			name:      "empty URLs and tiers are skipped",
			tiers:     [][]string{{""}, {}, {working.URL()}},
			wantPeers: []netip.AddrPort{v4a, v4b},
		},
		{
			name:    "no tracker at all",
			tiers:   [][]string{{""}},
			wantErr: "no tracker to announce to: the tiers hold no URL",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var client tracker.Client
			got, err := client.AnnounceTiers(context.Background(), tc.tiers, params())
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.wantPeers, got.Peers)
		})
	}
	require.Empty(t, unused.Requests(), "the first answer ends the search")

	_, err := (&tracker.Client{}).AnnounceTiers(context.Background(), [][]string{{failing.URL(), broken.URL()}}, params())
	var failure *tracker.FailureError
	require.ErrorAs(t, err, &failure, "a TiersError unwraps to each tracker's error")
	assert.Equal(t, "overloaded", failure.Reason)
	var tiers *tracker.TiersError
	require.ErrorAs(t, err, &tiers)
	assert.Len(t, tiers.Errs, 2)
}

func TestAnnounceTiersStopsWhenCancelled(t *testing.T) {
	checkLeaks(t)
	hang := faketracker.New(t, faketracker.Config{})
	hang.Add(infoHash, faketracker.Expect{Left: total}, faketracker.Answer{Reply: faketracker.Hang})
	next := faketracker.New(t, faketracker.Config{})

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := (&tracker.Client{}).AnnounceTiers(ctx, [][]string{{hang.URL()}, {next.URL()}}, params())
	require.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
	require.Empty(t, next.Requests())
}

// TestAnnounceTiersAnnounceListOnly: a torrent may name its trackers only in
// announce-list (BEP 12 replaces announce with it). Parsed from the file's
// bytes, it announces through its tiers like any other.
func TestAnnounceTiersAnnounceListOnly(t *testing.T) {
	checkLeaks(t)
	working := faketracker.New(t, faketracker.Config{})
	tor := torrentfile.MustBuild(t, torrentfile.Options{Seed: 5, Length: total, NoAnnounce: true,
		AnnounceList: [][]string{{faketracker.ClosedURL(t)}, {working.URL()}}})
	working.Add(tor.InfoHash, faketracker.Expect{Left: total}, faketracker.Answer{Peers: fakeV4})
	m, err := torrent.Parse(tor.Bytes)
	require.NoError(t, err, "a torrent with announce-list and no announce is valid (BEP 12)")

	p := params()
	p.InfoHash = m.InfoHash
	got, err := (&tracker.Client{}).AnnounceTiers(context.Background(), m.Tiers(), p)
	require.NoError(t, err)
	require.Equal(t, []netip.AddrPort{v4a, v4b}, got.Peers)
	require.Len(t, working.Requests(), 1)
}
