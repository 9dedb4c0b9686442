package magnet

import (
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// Errors Parse can fail with; callers branch on them with errors.Is.
var (
	// ErrNotMagnet: the text is not a magnet URI (another scheme, or no
	// query after "magnet:?").
	ErrNotMagnet = errors.New("not a magnet link")
	// ErrNoInfoHash: no xt parameter names a BitTorrent v1 info hash.
	ErrNoInfoHash = errors.New("no info hash")
	// ErrV2Only: the link names only a BitTorrent v2 hash (urn:btmh:, BEP
	// 52), which this client does not speak.
	ErrV2Only = errors.New("BitTorrent v2 is not supported")
)

// Link is a parsed magnet link.
type Link struct {
	InfoHash [20]byte         // xt=urn:btih:..., as 20 raw bytes
	Name     string           // dn: a name to show until the metadata comes ("" if none)
	Trackers []string         // every tr, in the link's order
	Peers    []netip.AddrPort // every x.pe: peers to try besides the trackers'
}

// The prefixes of xt's value: v1 (SHA-1, BEP 9) and v2 (multihash, BEP 52).
const (
	btihPrefix = "urn:btih:"
	btmhPrefix = "urn:btmh:"
)

// Parse parses a magnet link. It needs one v1 info hash (xt=urn:btih:, hex
// or base32); tr, dn and x.pe are optional, other parameters are ignored.
// An x.pe must be ip:port: host names are never resolved.
func Parse(s string) (*Link, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "magnet" || u.Opaque != "" || u.RawQuery == "" {
		return nil, fmt.Errorf("magnet: %w: want magnet:?xt=urn:btih:<info hash>&tr=<tracker URL>, got %.40q", ErrNotMagnet, s)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("magnet: query: %w", err)
	}
	l := &Link{Trackers: nonEmpty(q["tr"])}
	if l.InfoHash, err = infoHash(q["xt"]); err != nil {
		return nil, fmt.Errorf("magnet: xt: %w", err)
	}
	if dn := q["dn"]; len(dn) > 0 {
		l.Name = dn[0]
	}
	for _, pe := range q["x.pe"] {
		addr, err := netip.ParseAddrPort(pe)
		if err != nil || addr.Port() == 0 {
			return nil, fmt.Errorf("magnet: x.pe %q: want a peer's ip:port, such as 127.0.0.1:6881 or [::1]:6881 (host names are not resolved)", pe)
		}
		l.Peers = append(l.Peers, addr)
	}
	return l, nil
}

// infoHash finds the v1 info hash among the xt values. A hybrid link (BEP
// 52) carries a urn:btmh: too, which is skipped; two different v1 hashes
// are refused, since a link names one torrent.
func infoHash(xts []string) ([20]byte, error) {
	var hash [20]byte
	found, v2 := false, false
	for _, xt := range xts {
		switch {
		case hasPrefixFold(xt, btihPrefix):
			h, err := decodeHash(xt[len(btihPrefix):])
			if err != nil {
				return hash, err
			}
			if found && h != hash {
				return hash, fmt.Errorf("two different info hashes, %x and %x", hash, h)
			}
			hash, found = h, true
		case hasPrefixFold(xt, btmhPrefix):
			v2 = true
		default:
			return hash, fmt.Errorf("%q is not urn:btih:<info hash>", xt)
		}
	}
	switch {
	case found:
		return hash, nil
	case v2:
		return hash, fmt.Errorf("%w: the link has only a v2 hash (urn:btmh:, BEP 52)", ErrV2Only)
	}
	return hash, fmt.Errorf("%w: want xt=urn:btih:<40 hex digits or 32 base32 characters>", ErrNoInfoHash)
}

// decodeHash decodes an info hash written as 40 hex digits (either case) or
// as 32 base32 characters (RFC 4648, the older form some links still use).
func decodeHash(s string) ([20]byte, error) {
	var hash [20]byte
	var b []byte
	var err error
	switch len(s) {
	case 40:
		b, err = hex.DecodeString(s)
	case 32:
		b, err = base32.StdEncoding.DecodeString(strings.ToUpper(s))
	default:
		return hash, fmt.Errorf("info hash %.50q is %d characters, want 40 hex digits or 32 base32 characters", s, len(s))
	}
	if err != nil {
		return hash, fmt.Errorf("info hash %q: %w", s, err)
	}
	copy(hash[:], b)
	return hash, nil
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// TrackerURL returns the link's first tracker, "" when it has none.
func (l *Link) TrackerURL() string {
	if len(l.Trackers) == 0 {
		return ""
	}
	return l.Trackers[0]
}

// Tiers returns the trackers as announce tiers (BEP 12), one tracker a
// tier in the link's order, as libtorrent reads them: each is tried in
// turn until one answers.
func (l *Link) Tiers() [][]string {
	tiers := make([][]string, len(l.Trackers))
	for i, tr := range l.Trackers {
		tiers[i] = []string{tr}
	}
	return tiers
}
