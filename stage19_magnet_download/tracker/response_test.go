package tracker_test

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/stage19_magnet_download/tracker"
)

func TestParseResponse(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    *tracker.Response
		wantErr string
	}{
		{
			name: "compact",
			body: "d8:intervali900e5:peers12:\x7f\x00\x00\x01\x1a\xe1\x0a\x00\x00\x02\xc8\xd5e",
			want: &tracker.Response{Peers: []netip.AddrPort{
				netip.MustParseAddrPort("127.0.0.1:6881"), netip.MustParseAddrPort("10.0.0.2:51413"),
			}},
		},
		{
			name: "peers6 only",
			body: "d6:peers618:\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x1a\xe1e",
			want: &tracker.Response{Peers: []netip.AddrPort{netip.MustParseAddrPort("[2001:db8::1]:6881")}},
		},
		{
			name: "dictionary form, IPv4-mapped address unmapped",
			body: "d5:peersld2:ip16:::ffff:127.0.0.17:peer id20:-TR4060-0123456789ab4:porti51413eed2:ip3:::14:porti1eeee",
			want: &tracker.Response{Peers: []netip.AddrPort{
				netip.MustParseAddrPort("127.0.0.1:51413"), netip.MustParseAddrPort("[::1]:1"),
			}},
		},
		{
			name: "unsorted keys and unknown keys are fine",
			body: "d5:peers0:8:completei5e10:tracker id3:abc8:intervali60ee",
			want: &tracker.Response{Peers: []netip.AddrPort{}},
		},
		{
			name:    "failure reason wins over everything else",
			body:    "d14:failure reason9:forbidden5:peers0:e",
			wantErr: "tracker said: forbidden",
		},
		{
			name: "warning with quotes, a backslash, a line feed and a bad byte",
			body: "d15:warning message13:say \"hi\" \\o\n\xff5:peers0:e",
			want: &tracker.Response{Peers: []netip.AddrPort{}, Warning: `say "hi" \o\n\xff`},
		},
		{
			name:    "failure reason with a terminal escape",
			body:    "d14:failure reason8:bad\x1b[31me",
			wantErr: `tracker said: bad\x1b[31m`,
		},
		{name: "empty body", body: "", wantErr: "response is not bencode: bencode: at byte 0: "},
		{name: "trailing garbage", body: "d5:peers0:ejunk", wantErr: "response is not bencode: bencode: at byte 11: "},
		{name: "a list, not a dict", body: "le", wantErr: "response: want a dictionary, got a list"},
		{name: "failure reason not a string", body: "d14:failure reasoni1ee", wantErr: "failure reason: want a string, got an integer"},
		{name: "warning not a string", body: "d15:warning messagelee", wantErr: "warning message: want a string, got a list"},
		{name: "no peers", body: "d8:intervali60ee", wantErr: "response has neither peers nor peers6"},
		// This client announces once: interval, the wait before the next
		// announce, is not read, so not even a nonsense one stops it.
		{name: "negative interval", body: "d8:intervali-1e5:peers0:e", want: &tracker.Response{Peers: []netip.AddrPort{}}},
		{name: "huge interval", body: "d8:intervali9223372036854775807e5:peers0:e", want: &tracker.Response{Peers: []netip.AddrPort{}}},
		{name: "peers an integer", body: "d5:peersi1ee", wantErr: "peers: want a string (compact) or a list, got an integer"},
		{name: "compact length 7", body: "d5:peers7:\x7f\x00\x00\x01\x1a\xe1\x00e", wantErr: "peers: length 7 is not a multiple of 6 (6 bytes a peer)"},
		{name: "compact port 0", body: "d5:peers6:\x7f\x00\x00\x01\x00\x00e", wantErr: "peers: peer 0 (127.0.0.1): port 0"},
		{name: "peers6 length 17", body: "d6:peers617:" + strings.Repeat("\x01", 17) + "e", wantErr: "peers6: length 17 is not a multiple of 18 (18 bytes a peer)"},
		{name: "peers6 a list", body: "d6:peers6lee", wantErr: "peers6: want a string, got a list"},
		{name: "dict peer not a dict", body: "d5:peersli1eee", wantErr: "peers[0]: want a dictionary, got an integer"},
		{name: "dict peer without ip", body: "d5:peersld4:porti1eeee", wantErr: "peers[0].ip: missing"},
		{
			// BEP 3 allows a DNS name as ip; we never resolve one, so that
			// entry is left out with a note, and the other peers still count.
			name: "dict peer with a host name",
			body: "d5:peersld2:ip11:example.com4:porti1eed2:ip9:127.0.0.14:porti6881eeee",
			want: &tracker.Response{Peers: []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:6881")}, Skipped: []string{
				"peer 0 (example.com:1) skipped: ip is a host name, and this client does not resolve names a tracker sends",
			}},
		},
		{name: "dict peer ip neither address nor name", body: "d5:peersld2:ip6:a\x1b[2Jb4:porti1eeee", wantErr: `peers[0].ip: "a\x1b[2Jb" is neither an IP address nor a host name`},
		{name: "dict peer host name with a bad port", body: "d5:peersld2:ip11:example.com4:porti0eeee", wantErr: "peers[0].port: want 1-65535, got 0"},
		{name: "dict peer port too big", body: "d5:peersld2:ip9:127.0.0.14:porti65536eeee", wantErr: "peers[0].port: want 1-65535, got 65536"},
		{name: "dict peer port missing", body: "d5:peersld2:ip9:127.0.0.1eee", wantErr: "peers[0].port: missing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tracker.ParseResponse([]byte(tc.body))
			if tc.wantErr != "" {
				require.Error(t, err)
				require.Nil(t, got)
				if strings.HasSuffix(tc.wantErr, " ") {
					require.True(t, strings.HasPrefix(err.Error(), tc.wantErr), "error %q, want it to start with %q", err, tc.wantErr)
				} else {
					require.Equal(t, tc.wantErr, err.Error())
				}
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

// FuzzParseResponse feeds the parser arbitrary bodies: it must never panic,
// and whatever it accepts must be usable peers.
func FuzzParseResponse(f *testing.F) {
	f.Add([]byte("d8:intervali1800e5:peers6:\x7f\x00\x00\x01\x1a\xe1e"))
	f.Add([]byte("d5:peersld2:ip9:127.0.0.14:porti6881eee6:peers618:\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x1a\xe1e"))
	f.Add([]byte("d14:failure reason4:nopee"))
	f.Add([]byte("d15:warning message2:hi5:peers0:e"))
	f.Fuzz(func(t *testing.T, body []byte) {
		resp, err := tracker.ParseResponse(body)
		if err != nil {
			require.Nil(t, resp)
			return
		}
		for _, p := range resp.Peers {
			require.True(t, p.IsValid(), "peer %v", p)
			require.NotZero(t, p.Port(), "peer %v", p)
		}
	})
}

func ExampleParseResponse() {
	// A compact answer (BEP 23): `peers` is 6 bytes a peer, four for the
	// IPv4 address and two for the port, big-endian.
	//   7f 00 00 01 | 1a e1  ->  127.0.0.1 : 0x1ae1 = 6881
	//   c0 a8 00 07 | c8 d5  ->  192.168.0.7 : 0xc8d5 = 51413
	body := "d8:intervali1800e5:peers12:\x7f\x00\x00\x01\x1a\xe1\xc0\xa8\x00\x07\xc8\xd5e"
	resp, err := tracker.ParseResponse([]byte(body))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range resp.Peers {
		fmt.Println(p)
	}
	// Output:
	// 127.0.0.1:6881
	// 192.168.0.7:51413
}

func ExampleParseResponse_peers6() {
	// peers6 (BEP 7) is the same idea with 16-byte addresses: 18 bytes a peer.
	body := "d5:peers0:6:peers618:\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x1a\xe1e"
	resp, err := tracker.ParseResponse([]byte(body))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Peers)
	// Output: [[::1]:6881]
}

func ExampleParseResponse_failure() {
	_, err := tracker.ParseResponse([]byte("d14:failure reason20:unregistered torrente"))
	fmt.Println(err)
	// Output: tracker said: unregistered torrent
}
