package faketracker_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackpal/bencode-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	faketracker "workbook/testkit/tracker"
)

// hash has the bytes that trip a sloppy encoder: NUL, 0xff, space, '+', '%', '&'.
var hash = [20]byte{0x00, 0xff, ' ', '+', '%', '&', '=', '?', 0x7f, 0x80, 'a', 'Z', '-', '.', '_', '~', 1, 2, 3, 4}

const peerID = "-WB0001-abcdefghijkl"

// escape percent-encodes every byte, as a client must for binary values.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteString("%")
		b.WriteString(strings.ToUpper(string("0123456789abcdef"[s[i]>>4]) + string("0123456789abcdef"[s[i]&15])))
	}
	return b.String()
}

// query is a correct announce query for hash with left=1000.
func query(edit func(q map[string]string)) string {
	q := map[string]string{
		"info_hash":  escape(string(hash[:])),
		"peer_id":    escape(peerID),
		"port":       "6881",
		"uploaded":   "0",
		"downloaded": "0",
		"left":       "1000",
		"compact":    "1",
	}
	if edit != nil {
		edit(q)
	}
	var parts []string
	for _, k := range []string{"info_hash", "peer_id", "port", "uploaded", "downloaded", "left", "compact", "event"} {
		if v, ok := q[k]; ok {
			parts = append(parts, k+"="+v)
		}
	}
	return strings.Join(parts, "&")
}

// problems collects what the tracker reports instead of failing the test.
type problems struct {
	mu   sync.Mutex
	list []string
}

func (p *problems) add(s string) { p.mu.Lock(); p.list = append(p.list, s); p.mu.Unlock() }
func (p *problems) get() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.list...)
}

func get(t *testing.T, rawURL string) (int, []byte) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(rawURL)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, body
}

func decode(t *testing.T, body []byte) map[string]any {
	t.Helper()
	v, err := bencode.Decode(bytes.NewReader(body))
	require.NoError(t, err, "body %q", body)
	m, ok := v.(map[string]any)
	require.True(t, ok, "body %q is not a dict", body)
	return m
}

func TestAnswers(t *testing.T) {
	defer goleak.VerifyNone(t)
	peers := faketracker.Peers("127.0.0.1:6881", "10.0.0.2:51413", "[::1]:6882")
	tests := []struct {
		name   string
		answer faketracker.Answer
		check  func(t *testing.T, status int, body []byte)
	}{
		{"compact with peers6", faketracker.Answer{Reply: faketracker.Compact, Peers: peers}, func(t *testing.T, status int, body []byte) {
			m := decode(t, body)
			assert.Equal(t, "\x7f\x00\x00\x01\x1a\xe1\x0a\x00\x00\x02\xc8\xd5", m["peers"])
			assert.Equal(t, "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x1a\xe2", m["peers6"])
			assert.Equal(t, int64(1800), m["interval"])
		}},
		{"dict", faketracker.Answer{Reply: faketracker.Dict, Peers: peers[:1], Warning: "be nice"}, func(t *testing.T, status int, body []byte) {
			m := decode(t, body)
			want := []any{map[string]any{"ip": "127.0.0.1", "port": int64(6881), "peer id": "-FT0001-000000000000"}}
			assert.Equal(t, want, m["peers"])
			assert.Equal(t, "be nice", m["warning message"])
		}},
		{"dict with a host name", faketracker.Answer{Reply: faketracker.Dict, Peers: append(peers[:1:1], faketracker.HostPeer("peer.example", 51413))}, func(t *testing.T, status int, body []byte) {
			want := []any{
				map[string]any{"ip": "127.0.0.1", "port": int64(6881), "peer id": "-FT0001-000000000000"},
				map[string]any{"ip": "peer.example", "port": int64(51413), "peer id": "-FT0001-000000000001"},
			}
			assert.Equal(t, want, decode(t, body)["peers"])
		}},
		{"compact leaves host names out", faketracker.Answer{Reply: faketracker.Compact, Peers: append(peers[:1:1], faketracker.HostPeer("peer.example", 51413))}, func(t *testing.T, status int, body []byte) {
			assert.Equal(t, "\x7f\x00\x00\x01\x1a\xe1", decode(t, body)["peers"])
		}},
		{"failure", faketracker.Answer{Reply: faketracker.Failure, Failure: "go away"}, func(t *testing.T, status int, body []byte) {
			assert.Equal(t, "d14:failure reason7:go awaye", string(body))
		}},
		{"http 500", faketracker.Answer{Reply: faketracker.HTTPError}, func(t *testing.T, status int, body []byte) {
			assert.Equal(t, http.StatusInternalServerError, status)
		}},
		{"not bencode", faketracker.Answer{Reply: faketracker.NotBencode}, func(t *testing.T, status int, body []byte) {
			assert.True(t, bytes.HasPrefix(body, []byte("<html>")), "%q", body)
		}},
		{"oversized", faketracker.Answer{Reply: faketracker.Oversized, OversizeBytes: 100000}, func(t *testing.T, status int, body []byte) {
			assert.Greater(t, len(body), 100000)
			decode(t, body)
		}},
		{"bad compact length", faketracker.Answer{Reply: faketracker.BadCompactLength, Peers: peers[:2]}, func(t *testing.T, status int, body []byte) {
			assert.Len(t, decode(t, body)["peers"], 13)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := faketracker.New(t, faketracker.Config{Query: "passkey=xyz"})
			swarm := tr.Add(hash, faketracker.Expect{Left: 1000, Port: 6881}, tc.answer)
			status, body := get(t, tr.URL()+"&"+query(nil))
			tc.check(t, status, body)
			got := swarm.Requests()
			require.Len(t, got, 1)
			assert.Empty(t, got[0].Problems)
			assert.Equal(t, hash, got[0].InfoHash)
			assert.Equal(t, peerID, string(got[0].PeerID[:]))
			assert.Equal(t, uint16(6881), got[0].Port)
			assert.Equal(t, int64(1000), got[0].Left)
			tr.Close()
		})
	}
}

func TestProblems(t *testing.T) {
	defer goleak.VerifyNone(t)
	tests := []struct {
		name string
		url  func(tr *faketracker.Tracker) string
		want string
	}{
		{"hex info hash", func(tr *faketracker.Tracker) string {
			return tr.URL() + "&" + query(func(q map[string]string) { q["info_hash"] = "00ff202b2526" + strings.Repeat("0", 28) })
		}, "info_hash is 40 hex digits (00ff202b2526" + strings.Repeat("0", 28) + "): send the 20 raw bytes of the SHA-1, each percent-encoded (%00%FF...), not its hex text"},
		{"short peer id", func(tr *faketracker.Tracker) string {
			return tr.URL() + "&" + query(func(q map[string]string) { q["peer_id"] = "abc" })
		}, "peer_id is 3 bytes after percent-decoding"},
		{"wrong left", func(tr *faketracker.Tracker) string {
			return tr.URL() + "&" + query(func(q map[string]string) { q["left"] = "0" })
		}, "left=0, want 1000"},
		{"no compact", func(tr *faketracker.Tracker) string {
			return tr.URL() + "&" + query(func(q map[string]string) { delete(q, "compact") })
		}, "compact is missing"},
		{"negative uploaded", func(tr *faketracker.Tracker) string {
			return tr.URL() + "&" + query(func(q map[string]string) { q["uploaded"] = "-1" })
		}, `uploaded="-1", want a non-negative decimal integer`},
		{"port 0", func(tr *faketracker.Tracker) string {
			return tr.URL() + "&" + query(func(q map[string]string) { q["port"] = "0" })
		}, "port=0, want a TCP port 1-65535"},
		{"passkey dropped", func(tr *faketracker.Tracker) string {
			u, _ := url.Parse(tr.URL())
			u.RawQuery = query(nil)
			return u.String()
		}, `passkey=[], want ["xyz"]`},
		{"unknown torrent", func(tr *faketracker.Tracker) string {
			return tr.URL() + "&" + query(func(q map[string]string) { q["info_hash"] = strings.Repeat("%01", 20) })
		}, "unknown info_hash 0101"},
		{"bad event", func(tr *faketracker.Tracker) string {
			return tr.URL() + "&" + query(func(q map[string]string) { q["event"] = "begun" })
		}, `event="begun"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p problems
			tr := faketracker.New(t, faketracker.Config{Query: "passkey=xyz", Report: p.add})
			tr.Add(hash, faketracker.Expect{Left: 1000}, faketracker.Answer{})
			_, body := get(t, tc.url(tr))
			reason, _ := decode(t, body)["failure reason"].(string)
			assert.Contains(t, reason, tc.want)
			require.Len(t, p.get(), 1, "problems: %q", p.get())
			assert.Contains(t, p.get()[0], tc.want)
			require.Len(t, tr.Requests(), 1)
			assert.NotEmpty(t, tr.Requests()[0].Problems)
			tr.Close()
		})
	}
}

func TestHangReleasedByClientTimeout(t *testing.T) {
	defer goleak.VerifyNone(t)
	tr := faketracker.New(t, faketracker.Config{})
	tr.Add(hash, faketracker.Expect{Left: 1000}, faketracker.Answer{Reply: faketracker.Hang})
	client := &http.Client{Timeout: 100 * time.Millisecond, Transport: &http.Transport{DisableKeepAlives: true}}
	_, err := client.Get(tr.URL() + "?" + query(nil))
	require.Error(t, err)
	tr.Close()
}

func TestHangReleasedByClose(t *testing.T) {
	defer goleak.VerifyNone(t)
	tr := faketracker.New(t, faketracker.Config{})
	tr.Add(hash, faketracker.Expect{Left: 1000}, faketracker.Answer{Reply: faketracker.Hang})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, tr.URL()+"?"+query(nil), nil)
		resp, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	require.Eventually(t, func() bool { return len(tr.Requests()) == 1 }, 5*time.Second, 10*time.Millisecond)
	tr.Close() // must not block on the hanging handler
	require.Error(t, <-errc)
}

func TestSetPeersWhileRunning(t *testing.T) {
	tr := faketracker.New(t, faketracker.Config{})
	swarm := tr.Add(hash, faketracker.Expect{AnyProgress: true}, faketracker.Answer{})
	_, body := get(t, tr.URL()+"?"+query(nil))
	assert.Equal(t, "", decode(t, body)["peers"])
	swarm.SetPeers(faketracker.Peers("127.0.0.1:1")...)
	_, body = get(t, tr.URL()+"?"+query(nil))
	assert.Equal(t, "\x7f\x00\x00\x01\x00\x01", decode(t, body)["peers"])
	assert.Len(t, swarm.Requests(), 2)
}

func TestClosedURLRefuses(t *testing.T) {
	_, err := (&http.Client{Timeout: 5 * time.Second}).Get(faketracker.ClosedURL(t))
	require.Error(t, err)
}

// TestUnknownLeft: a magnet-link client announces the torrent's info hash
// before it knows the length, with a positive placeholder for left.
func TestUnknownLeft(t *testing.T) {
	defer goleak.VerifyNone(t)
	tests := []struct {
		name string
		edit func(q map[string]string)
		want string // "" for an accepted announce
	}{
		{"placeholder 999", func(q map[string]string) { q["left"] = "999" }, ""},
		{"placeholder 1", func(q map[string]string) { q["left"] = "1" }, ""},
		{"the real length", nil, ""},
		{"left 0", func(q map[string]string) { q["left"] = "0" }, "left=0, want a positive placeholder"},
		{"left missing", func(q map[string]string) { delete(q, "left") }, "left is missing"},
		{"uploaded still checked", func(q map[string]string) { q["uploaded"] = "5" }, "uploaded=5, want 0"},
		{"info hash as hex still refused", func(q map[string]string) { q["info_hash"] = strings.Repeat("ab", 20) }, "info_hash is 40 hex digits"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p problems
			tr := faketracker.New(t, faketracker.Config{Report: p.add})
			tr.Add(hash, faketracker.Expect{UnknownLeft: true, Port: 6881},
				faketracker.Answer{Peers: faketracker.Peers("127.0.0.1:6882")})
			_, body := get(t, tr.URL()+"?"+query(tc.edit))
			reason, _ := decode(t, body)["failure reason"].(string)
			if tc.want == "" {
				require.Empty(t, reason)
				require.Empty(t, p.get())
				require.Equal(t, "\x7f\x00\x00\x01\x1a\xe2", decode(t, body)["peers"])
				return
			}
			require.Contains(t, reason, tc.want)
			require.Len(t, p.get(), 1, "problems: %q", p.get())
			tr.Close()
		})
	}
}
