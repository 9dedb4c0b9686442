package tracker

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"workbook/stage10_piece/bencode"
)

// Response is what a tracker answered to an announce.
type Response struct {
	// Interval is how long the tracker asks the client to wait before
	// announcing again (0 when the tracker did not say).
	Interval time.Duration
	// Peers are the addresses of other peers in the swarm: IPv4 ones from
	// `peers`, then IPv6 ones from `peers6`.
	Peers []netip.AddrPort
	// Warning is the tracker's `warning message`, if any: the announce
	// worked, but the tracker wants a human to read something.
	Warning string
	// Skipped says, one line per entry, which peers of the answer were left
	// out and why: a dictionary-form peer whose `ip` is a host name. BEP 3
	// allows names there, but this client never resolves them: a tracker
	// must not be able to make it look up, or connect to, any name it likes.
	Skipped []string
}

// FailureError is a tracker's refusal: its answer held a `failure reason`
// (BEP 3), and nothing else of the answer counts.
type FailureError struct {
	URL    string // the announce URL (Error leaves its query out)
	Reason string // the tracker's own words, control characters escaped
}

// Error reads "tracker http://host/announce said: <reason>".
func (e *FailureError) Error() string {
	if e.URL == "" {
		return "tracker said: " + e.Reason
	}
	return fmt.Sprintf("tracker %s said: %s", redact(e.URL), e.Reason)
}

// compactPeerSize and compactPeer6Size are the sizes of one peer in the
// compact lists: 4 address bytes (16 for IPv6) and 2 port bytes, big-endian
// (BEP 23, BEP 7).
const (
	compactPeerSize  = 4 + 2
	compactPeer6Size = 16 + 2
)

// maxInterval bounds `interval` so the conversion to time.Duration cannot
// overflow: a tracker asking for more than a year is broken anyway.
const maxInterval = 365 * 24 * 60 * 60

// ParseResponse decodes a tracker's bencoded answer (BEP 3). A `failure
// reason` gives a *FailureError (with URL empty: Announce fills it in).
// `peers` may be the compact string (BEP 23) or a list of dictionaries;
// `peers6` (BEP 7) adds IPv6 peers. Malformed answers are errors, never
// panics.
func ParseResponse(body []byte) (*Response, error) {
	v, err := bencode.Decode(body)
	if err != nil {
		return nil, fmt.Errorf("response is not bencode: %w", err)
	}
	dict, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("response is a bencoded %s, want a dictionary", kind(v))
	}
	if reason, ok := dict["failure reason"]; ok {
		s, ok := reason.(string)
		if !ok {
			return nil, fmt.Errorf("failure reason: is a %s, want a string", kind(reason))
		}
		return nil, &FailureError{Reason: printable(s)}
	}
	resp := &Response{}
	if w, ok := dict["warning message"]; ok {
		s, ok := w.(string)
		if !ok {
			return nil, fmt.Errorf("warning message: is a %s, want a string", kind(w))
		}
		resp.Warning = printable(s)
	}
	if iv, ok := dict["interval"]; ok {
		n, ok := iv.(int64)
		if !ok || n < 0 || n > maxInterval {
			return nil, fmt.Errorf("interval: want seconds between 0 and %d, got %v", maxInterval, iv)
		}
		resp.Interval = time.Duration(n) * time.Second
	}
	peers, has4 := dict["peers"]
	peers6, has6 := dict["peers6"]
	if !has4 && !has6 {
		return nil, errors.New("response has neither peers nor peers6")
	}
	if has4 {
		if resp.Peers, resp.Skipped, err = parsePeers(peers); err != nil {
			return nil, fmt.Errorf("peers: %w", err)
		}
	}
	if has6 {
		s, ok := peers6.(string)
		if !ok {
			return nil, fmt.Errorf("peers6: is a %s, want a string of 18 bytes a peer", kind(peers6))
		}
		list, err := parseCompact(s, compactPeer6Size)
		if err != nil {
			return nil, fmt.Errorf("peers6: %w", err)
		}
		resp.Peers = append(resp.Peers, list...)
	}
	return resp, nil
}

// parsePeers reads `peers` in either of its two forms; skipped lists the
// entries left out (see Response.Skipped).
func parsePeers(v any) (peers []netip.AddrPort, skipped []string, err error) {
	switch list := v.(type) {
	case string:
		peers, err = parseCompact(list, compactPeerSize)
		return peers, nil, err
	case []any:
		return parseDictPeers(list)
	default:
		return nil, nil, fmt.Errorf("is a %s, want a string (compact) or a list", kind(v))
	}
}

// parseCompact splits a compact peer string into addresses: each entry is
// the address bytes (4 or 16) then the port, 2 bytes big-endian.
//
//	7f 00 00 01 1a e1   ->  127.0.0.1:6881
func parseCompact(s string, size int) ([]netip.AddrPort, error) {
	if len(s)%size != 0 {
		return nil, fmt.Errorf("length %d is not a multiple of %d (%d bytes a peer)", len(s), size, size)
	}
	peers := make([]netip.AddrPort, 0, len(s)/size)
	for i := 0; i < len(s); i += size {
		entry := []byte(s[i : i+size])
		addr, _ := netip.AddrFromSlice(entry[:size-2]) // 4 or 16 bytes: cannot fail
		port := binary.BigEndian.Uint16(entry[size-2:])
		if port == 0 {
			return nil, fmt.Errorf("peer %d (%s): port 0", i/size, addr)
		}
		peers = append(peers, netip.AddrPortFrom(addr, port))
	}
	return peers, nil
}

// parseDictPeers reads the original form of `peers` (BEP 3): a list of
// dictionaries with `ip` (text) and `port`; `peer id` is ignored.
//
// BEP 3 allows a DNS name as `ip`. Such an entry is skipped, with a line in
// skipped, instead of failing the whole answer: resolving it would let a
// tracker make the client look up and connect to any name (and send traffic
// a test cannot contain), and real trackers send addresses anyway.
func parseDictPeers(list []any) (peers []netip.AddrPort, skipped []string, err error) {
	peers = make([]netip.AddrPort, 0, len(list))
	for i, item := range list {
		d, ok := item.(map[string]any)
		if !ok {
			return nil, nil, fmt.Errorf("peer %d: is a %s, want a dictionary", i, kind(item))
		}
		ip, ok := d["ip"].(string)
		if !ok {
			return nil, nil, fmt.Errorf("peer %d: ip: missing or not a string", i)
		}
		port, ok := d["port"].(int64)
		if !ok || port < 1 || port > math.MaxUint16 {
			return nil, nil, fmt.Errorf("peer %d: port: want an integer 1-65535, got %v", i, d["port"])
		}
		addr, err := netip.ParseAddr(ip)
		switch {
		case err == nil:
			peers = append(peers, netip.AddrPortFrom(addr.Unmap(), uint16(port)))
		case isHostName(ip):
			skipped = append(skipped, fmt.Sprintf("peer %d (%s:%d) skipped: ip is a host name, and this client does not resolve names a tracker sends", i, ip, port))
		default:
			return nil, nil, fmt.Errorf("peer %d: ip %q is neither an IP address nor a host name", i, printable(ip))
		}
	}
	return peers, skipped, nil
}

// isHostName reports whether s is shaped like a DNS name (RFC 1123): dot-
// separated labels of letters, digits and inner hyphens, at most 253 bytes.
// Only such names are printed back, so a tracker cannot smuggle terminal
// escapes into a warning.
func isHostName(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range []byte(label) {
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// kind names a decoded bencode value's type for error messages.
func kind(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case int64:
		return "integer"
	case []any:
		return "list"
	case map[string]any:
		return "dictionary"
	}
	return fmt.Sprintf("%T", v)
}

// printable makes a tracker's text safe to print on a terminal: a hostile
// tracker could otherwise send escape sequences that rewrite the screen.
// Control characters and invalid UTF-8 become Go escapes (\n, \x1b).
func printable(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsPrint(r):
			b.WriteRune(r)
		default:
			q := strconv.QuoteRuneToASCII(r) // '\n', '\x1b', '\u2028'
			b.WriteString(q[1 : len(q)-1])
		}
		i += size
	}
	return b.String()
}
