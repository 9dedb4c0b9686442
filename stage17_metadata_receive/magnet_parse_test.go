package main_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/testkit/cli"
)

// courseHash is the info hash of the course's sample magnet link.
const courseHash = "ad42ce8109f54c99613ce38f9b4d87e70f24a165"

// requireMagnetParse runs `magnet_parse link` and checks it prints want:
// exactly, or in grading mode as labelled lines in this order (CONTRACT.md).
func requireMagnetParse(t *testing.T, link, want, hint string) {
	t.Helper()
	res := cli.Run(t, "magnet_parse", link)
	cli.RequireLines(t, res, want, hint)
	if !cli.Grading() {
		require.Equal(t, want, res.Stdout, "%s\n%s", hint, res)
		require.Empty(t, res.Stderr, "%s", res)
	}
}

func TestMagnetParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, link, want, hint string
	}{
		{
			name: "the course's link",
			link: "magnet:?xt=urn:btih:" + courseHash + "&dn=magnet1.gif&tr=http%3A%2F%2Fbittorrent-test-tracker.codecrafters.io%2Fannounce",
			want: "Tracker URL: http://bittorrent-test-tracker.codecrafters.io/announce\nInfo Hash: " + courseHash + "\n",
			hint: "print the tr parameter percent-decoded (%3A is ':', %2F is '/') and the 40 hex digits after xt=urn:btih:",
		},
		{
			name: "parameters in another order",
			link: "magnet:?tr=http%3A%2F%2F127.0.0.1%3A6969%2Fannounce&dn=x&xt=urn:btih:" + courseHash,
			want: "Tracker URL: http://127.0.0.1:6969/announce\nInfo Hash: " + courseHash + "\n",
			hint: "the query's parameters may come in any order: read them by name",
		},
		{
			name: "upper-case hex",
			link: "magnet:?xt=urn:btih:" + strings.ToUpper(courseHash) + "&tr=http%3A%2F%2F127.0.0.1%3A6969%2Fannounce",
			want: "Tracker URL: http://127.0.0.1:6969/announce\nInfo Hash: " + courseHash + "\n",
			hint: "hex digits may come in upper case; print the hash in lower case",
		},
		{
			name: "base32",
			link: "magnet:?xt=urn:btih:VVBM5AIJ6VGJSYJ44OHZWTMH44HSJILF&tr=http%3A%2F%2F127.0.0.1%3A6969%2Fannounce",
			want: "Tracker URL: http://127.0.0.1:6969/announce\nInfo Hash: " + courseHash + "\n",
			hint: "a 32-character info hash is base32 (RFC 4648, BEP 9): decode it to the 20 bytes and print them in hex",
		},
		{
			name: "several trackers",
			link: "magnet:?xt=urn:btih:" + courseHash + "&tr=http%3A%2F%2F127.0.0.1%3A6969%2Fannounce%3Fpasskey%3Dabc&tr=http%3A%2F%2F127.0.0.2%2Fannounce",
			want: "Tracker URL: http://127.0.0.1:6969/announce?passkey=abc\nInfo Hash: " + courseHash + "\n",
			hint: "print the first tr (its own query, percent-decoded, is part of it)",
		},
		{
			name: "no tracker",
			link: "magnet:?xt=urn:btih:" + courseHash + "&x.pe=127.0.0.1:6881",
			want: "Info Hash: " + courseHash + "\n",
			hint: "a link without tr is valid (its peers come from x.pe or DHT): print no Tracker URL line",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			requireMagnetParse(t, tc.link, tc.want, tc.hint)
		})
	}
}

// TestMagnetParseErrors: a link the client cannot use is exit code 1 and one
// error line naming the fault.
func TestMagnetParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, link string
		mention    []string // the line must name one of these (any case)
		hint       string
		exact      string // the reference solution's line
	}{
		{"a URL", "http://127.0.0.1/sample.torrent", []string{"magnet"},
			"a magnet link starts with magnet:?",
			`error: magnet: not a magnet link: want magnet:?xt=urn:btih:<info hash>&tr=<tracker URL>, got "http://127.0.0.1/sample.torrent"`},
		{"no xt", "magnet:?dn=x&tr=http%3A%2F%2F127.0.0.1%2Fannounce", []string{"xt", "info hash"},
			"without xt=urn:btih: the link names no torrent",
			"error: magnet: xt: no info hash: want xt=urn:btih:<40 hex digits or 32 base32 characters>"},
		{"xt not btih", "magnet:?xt=urn:sha1:" + courseHash, []string{"btih", "xt"},
			"BitTorrent v1 links have xt=urn:btih:",
			`error: magnet: xt: "urn:sha1:` + courseHash + `" is not urn:btih:<info hash>`},
		{"v2 only", "magnet:?xt=urn:btmh:1220" + strings.Repeat("ab", 32), []string{"v2", "btmh"},
			"urn:btmh: is a BitTorrent v2 hash (BEP 52): say that v2 is not supported",
			"error: magnet: xt: BitTorrent v2 is not supported: the link has only a v2 hash (urn:btmh:, BEP 52)"},
		{"hash too short", "magnet:?xt=urn:btih:" + courseHash[:39], []string{"40", "hex", "length"},
			"an info hash is 40 hex digits (or 32 base32 characters)",
			`error: magnet: xt: info hash "` + courseHash[:39] + `" is 39 characters, want 40 hex digits or 32 base32 characters`},
		{"hash not hex", "magnet:?xt=urn:btih:" + strings.Repeat("x", 40), []string{"hex"},
			"40 characters that are not hex digits",
			`error: magnet: xt: info hash "` + strings.Repeat("x", 40) + `": encoding/hex: invalid byte: U+0078 'x'`},
		{"hash not base32", "magnet:?xt=urn:btih:" + strings.Repeat("1", 32), []string{"base32"},
			"32 characters that are not base32 (A-Z, 2-7)",
			`error: magnet: xt: info hash "` + strings.Repeat("1", 32) + `": illegal base32 data at input byte 0`},
		{"x.pe without a port", "magnet:?xt=urn:btih:" + courseHash + "&x.pe=127.0.0.1", []string{"x.pe"},
			"x.pe is a peer's ip:port",
			`error: magnet: x.pe "127.0.0.1": want a peer's ip:port, such as 127.0.0.1:6881 or [::1]:6881 (host names are not resolved)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := cli.Run(t, "magnet_parse", tc.link)
			require.Equal(t, 1, res.ExitCode, "want exit code 1: %s\n%s", tc.hint, res)
			require.Empty(t, res.Stdout, "print nothing on stdout when the link is refused\n%s", res)
			require.True(t, strings.HasPrefix(res.Stderr, "error: ") && strings.Count(res.Stderr, "\n") == 1,
				"want one line on stderr starting with \"error: \" (no stack trace)\n%s", res)
			cli.RequireMentionsAny(t, res, res.Stderr, tc.mention, tc.hint)
			if !cli.Grading() {
				require.Equal(t, tc.exact+"\n", res.Stderr)
			}
		})
	}
}

func TestMagnetParseUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"magnet_parse"}, {"magnet_parse", "magnet:?xt=urn:btih:" + courseHash, "extra"}} {
		res := cli.Run(t, args...)
		require.Equal(t, 2, res.ExitCode, "`%s` is a usage mistake: exit code 2\n%s", strings.Join(args, " "), res)
		require.Empty(t, res.Stdout)
		require.True(t, cli.Mentions(res.Stderr, "usage"), "print the usage on stderr\n%s", res)
	}
}
