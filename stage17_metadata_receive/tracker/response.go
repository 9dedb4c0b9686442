package tracker

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"

	"workbook/stage17_metadata_receive/bencode"
)

// Response is what a tracker answered to an announce (its `interval` before
// the next announce is ignored: this client announces once).
type Response struct {
	Peers   []netip.AddrPort // other peers: IPv4 ones from `peers`, then IPv6 ones from `peers6`
	Warning string           // the `warning message`: the announce worked, but a human should read this
	Skipped []string         // one line per peer of the answer left out, saying why (see parseDictPeers)
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

// ParseResponse decodes a tracker's bencoded answer (BEP 3). A `failure
// reason` gives a *FailureError (with URL empty: Announce fills it in).
// `peers` may be the compact string (BEP 23) or a list of dictionaries;
// `peers6` (BEP 7) adds IPv6 peers. Malformed answers are errors, never
// panics; a wrong key's error is a *bencode.KeyError naming it.
func ParseResponse(body []byte) (*Response, error) {
	v, err := bencode.Decode(body)
	if err != nil {
		return nil, fmt.Errorf("response is not bencode: %w", err)
	}
	d, err := bencode.AsDict("", v)
	if err != nil {
		return nil, fmt.Errorf("response: %w", err)
	}
	if d.Has("failure reason") {
		reason, err := d.String("failure reason")
		if err != nil {
			return nil, err
		}
		return nil, &FailureError{Reason: printable(reason)}
	}
	resp := &Response{}
	if d.Has("warning message") {
		warning, err := d.String("warning message")
		if err != nil {
			return nil, err
		}
		resp.Warning = printable(warning)
	}
	if !d.Has("peers") && !d.Has("peers6") {
		return nil, errors.New("response has neither peers nor peers6")
	}
	if d.Has("peers") {
		if resp.Peers, resp.Skipped, err = parsePeers(d); err != nil {
			return nil, err
		}
	}
	if d.Has("peers6") {
		peers6, err := d.String("peers6")
		if err != nil {
			return nil, err
		}
		peers, err := parseCompact(peers6, 16+2)
		if err != nil {
			return nil, d.Errorf("peers6", "%w", err)
		}
		resp.Peers = append(resp.Peers, peers...)
	}
	return resp, nil
}

// parsePeers reads `peers` in either of its two forms; skipped lists the
// entries left out (see Response.Skipped).
func parsePeers(d bencode.Dict) (peers []netip.AddrPort, skipped []string, err error) {
	switch v := d.Values["peers"].(type) {
	case string:
		if peers, err = parseCompact(v, 4+2); err != nil {
			return nil, nil, d.Errorf("peers", "%w", err)
		}
		return peers, nil, nil
	case []any:
		return parseDictPeers(d.Key("peers"), v)
	default:
		return nil, nil, d.Errorf("peers", "want a string (compact) or a list, got %s", bencode.Kind(v))
	}
}

// parseCompact splits a compact peer string into addresses (BEP 23, BEP 7):
// each entry is the address bytes (size-2: 4 or 16) then the port, 2 bytes
// big-endian.
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

// parseDictPeers reads the original form of `peers` (BEP 3), at key:
// a list of dictionaries with `ip` (text) and `port`; `peer id` is ignored.
//
// BEP 3 allows a DNS name as `ip`. Such an entry is skipped, with a line in
// skipped, instead of failing the whole answer: resolving it would let a
// tracker make the client look up and connect to any name (and send traffic
// a test cannot contain), and real trackers send addresses anyway.
func parseDictPeers(key string, list []any) (peers []netip.AddrPort, skipped []string, err error) {
	peers = make([]netip.AddrPort, 0, len(list))
	for i, item := range list {
		p, err := bencode.AsDict(fmt.Sprintf("%s[%d]", key, i), item)
		if err != nil {
			return nil, nil, err
		}
		ip, err := p.String("ip")
		if err != nil {
			return nil, nil, err
		}
		port, err := p.Int("port")
		if err != nil {
			return nil, nil, err
		}
		if port < 1 || port > math.MaxUint16 {
			return nil, nil, p.Errorf("port", "want 1-65535, got %d", port)
		}
		addr, err := netip.ParseAddr(ip)
		switch {
		case err == nil:
			peers = append(peers, netip.AddrPortFrom(addr.Unmap(), uint16(port)))
		case isHostName(ip):
			skipped = append(skipped, fmt.Sprintf("peer %d (%s:%d) skipped: ip is a host name, and this client does not resolve names a tracker sends", i, ip, port))
		default:
			return nil, nil, p.Errorf("ip", "%q is neither an IP address nor a host name", ip)
		}
	}
	return peers, skipped, nil
}

// isHostName reports whether s is shaped like a DNS name: letters, digits,
// '-' and '.', at most 253 bytes (RFC 1123). Only such names are printed
// back, so a tracker cannot smuggle terminal escapes into a warning.
func isHostName(s string) bool {
	return s != "" && len(s) <= 253 && !strings.ContainsFunc(s, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '.')
	})
}

// printable makes a tracker's text safe to print on a terminal: a hostile
// tracker could otherwise send escape sequences that rewrite the screen.
// Control characters and invalid UTF-8 become Go escapes (\n, \x1b);
// quotes and backslashes stay as they are.
func printable(s string) string {
	q := strconv.Quote(s)
	return strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(q[1 : len(q)-1])
}
