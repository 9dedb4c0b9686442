package torrentfile

import (
	"encoding/base32"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"
)

// Magnet is a magnet link (BEP 9): the info hash, and what helps find the
// metadata and the peers without a .torrent file.
type Magnet struct {
	InfoHash [20]byte
	Name     string   // dn, the display name; left out when empty
	Trackers []string // tr, in order
	Peers    []string // x.pe, "host:port" of peers to ask directly
	// Base32 writes the info hash as 32 base32 characters instead of 40
	// hex digits (BEP 9 allows both).
	Base32 bool
}

// String is the link: magnet:?xt=urn:btih:<hash>&dn=…&tr=…&x.pe=…, xt
// first as clients write it, every value percent-encoded by net/url
// (url.QueryEscape: a space becomes "+").
func (m Magnet) String() string {
	hash := hex.EncodeToString(m.InfoHash[:])
	if m.Base32 {
		hash = base32.StdEncoding.EncodeToString(m.InfoHash[:])
	}
	var b strings.Builder
	b.WriteString("magnet:?xt=urn:btih:" + hash)
	add := func(key, value string) { b.WriteString("&" + key + "=" + url.QueryEscape(value)) }
	if m.Name != "" {
		add("dn", m.Name)
	}
	for _, tr := range m.Trackers {
		add("tr", tr)
	}
	for _, p := range m.Peers {
		add("x.pe", p)
	}
	return b.String()
}

// Magnet returns the magnet link of t: its info hash, its name as dn, its
// trackers as tr (TrackerURL first, then the other URLs of AnnounceList,
// each once) and peers as x.pe.
func (t *Torrent) Magnet(peers ...string) Magnet {
	m := Magnet{InfoHash: t.InfoHash, Name: t.Name, Peers: peers}
	seen := map[string]bool{"": true}
	for _, u := range append([]string{t.TrackerURL()}, flatten(t.AnnounceList)...) {
		if !seen[u] {
			seen[u] = true
			m.Trackers = append(m.Trackers, u)
		}
	}
	return m
}

// MagnetLink is t.Magnet(peers...).String().
func (t *Torrent) MagnetLink(peers ...string) string { return t.Magnet(peers...).String() }

func flatten(tiers [][]string) []string {
	var all []string
	for _, tier := range tiers {
		all = append(all, tier...)
	}
	return all
}

// LargeOptions describe a torrent whose info dictionary spans several 16 KiB
// metadata pieces (BEP 9): 4100 pieces of 16 KiB, the last one short
// (67169 KiB of content), so 82000 bytes of piece hashes and 6 metadata
// pieces, the last one short.
var LargeOptions = Options{Seed: 21, Name: "large.bin", Length: 4100*16384 - 5000, PieceLength: 16384}

// Large builds the torrent of LargeOptions. Its content is generated on
// demand, but hashing it takes a moment: build it once per test.
func Large(tb testing.TB) *Torrent {
	tb.Helper()
	return MustBuild(tb, LargeOptions)
}
