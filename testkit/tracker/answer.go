package faketracker

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// Reply is the kind of answer the tracker gives to a correct announce.
type Reply int

// The replies. Compact and Dict are what working trackers send; the others
// are the faults a client must survive with a clear error.
const (
	// Compact answers `peers` as a string of 6 bytes a peer (BEP 23: 4
	// bytes IPv4 address, 2 bytes port, big-endian) and puts IPv6 peers in
	// `peers6`, 18 bytes a peer (BEP 7).
	Compact Reply = iota
	// Dict answers `peers` as a list of dictionaries with `ip`, `port` and
	// `peer id` (BEP 3), IPv6 peers included.
	Dict
	// Failure answers only `failure reason` (Answer.Failure).
	Failure
	// HTTPError answers HTTP 500 with a text body.
	HTTPError
	// NotBencode answers HTTP 200 with an HTML page.
	NotBencode
	// Hang never answers: the handler waits until the client hangs up (or
	// the tracker closes), so only a client with a timeout gets out.
	Hang
	// Oversized answers a valid bencoded dictionary padded beyond
	// Answer.OversizeBytes, larger than a client should read.
	Oversized
	// BadCompactLength answers a compact `peers` string one byte longer than
	// a multiple of 6.
	BadCompactLength
)

var replyNames = []string{"Compact", "Dict", "Failure", "HTTPError", "NotBencode", "Hang", "Oversized", "BadCompactLength"}

// String names the reply (for test names).
func (r Reply) String() string {
	if r < 0 || int(r) >= len(replyNames) {
		return fmt.Sprintf("Reply(%d)", int(r))
	}
	return replyNames[r]
}

// DefaultOversize is the body size of an Oversized reply when
// Answer.OversizeBytes is 0: above the 2 MiB a client should read.
const DefaultOversize = 3 << 20

// DefaultInterval is the `interval` when Answer.Interval is 0.
const DefaultInterval = 30 * time.Minute

// DefaultFailure is the `failure reason` when Answer.Failure is empty.
const DefaultFailure = "torrent not registered with this tracker"

// Answer is how the tracker answers announces for one torrent.
type Answer struct {
	Reply Reply
	// Peers returned by Compact and Dict (and, padded, BadCompactLength).
	Peers []Peer
	// Warning, when set, adds a `warning message` to a Compact or Dict reply.
	Warning string
	// Failure is the `failure reason` of a Failure reply.
	Failure string
	// Interval is the `interval` of Compact and Dict replies.
	Interval time.Duration
	// OversizeBytes is the size of the padding of an Oversized reply (the
	// body is a few bytes more); 0 means DefaultOversize.
	OversizeBytes int
}

// Peer is one peer in an answer.
type Peer struct {
	Addr netip.AddrPort
	// ID is the `peer id` a Dict reply gives; the zero ID becomes
	// "-FT0001-" followed by the peer's position, zero-padded.
	ID [20]byte
	// Host, when set, is what a Dict reply sends as `ip` instead of Addr's
	// address: BEP 3 allows a DNS name there. Only the port of Addr counts.
	// Compact replies have no room for a name and leave such a peer out.
	Host string
}

// HostPeer is a peer that a Dict reply lists by host name (see Peer.Host).
func HostPeer(host string, port uint16) Peer {
	return Peer{Addr: netip.AddrPortFrom(netip.Addr{}, port), Host: host}
}

// Peers makes a peer list from addresses such as "127.0.0.1:6881" or
// "[::1]:6881". It panics on a malformed address: it is for literals in
// tests.
func Peers(addrs ...string) []Peer {
	peers := make([]Peer, len(addrs))
	for i, a := range addrs {
		peers[i].Addr = netip.MustParseAddrPort(a)
	}
	return peers
}

// CompactPeers encodes IPv4 peers as BEP 23 does: 4 address bytes and 2
// port bytes (big-endian) each. IPv6 peers are left out.
func CompactPeers(peers []Peer) string {
	var b strings.Builder
	for _, p := range peers {
		addr := p.Addr.Addr().Unmap()
		if !addr.Is4() {
			continue
		}
		a := addr.As4()
		b.Write(a[:])
		b.Write([]byte{byte(p.Addr.Port() >> 8), byte(p.Addr.Port())})
	}
	return b.String()
}

// CompactPeers6 encodes IPv6 peers as BEP 7 does: 16 address bytes and 2
// port bytes each. IPv4 peers are left out.
func CompactPeers6(peers []Peer) string {
	var b strings.Builder
	for _, p := range peers {
		addr := p.Addr.Addr().Unmap()
		if !addr.Is6() {
			continue
		}
		a := addr.As16()
		b.Write(a[:])
		b.Write([]byte{byte(p.Addr.Port() >> 8), byte(p.Addr.Port())})
	}
	return b.String()
}

// answer writes the reply to a correct announce.
func (tr *Tracker) answer(w http.ResponseWriter, r *http.Request, a Answer) {
	interval := a.Interval
	if interval == 0 {
		interval = DefaultInterval
	}
	body := map[string]any{
		"interval":   int64(interval / time.Second),
		"complete":   int64(len(a.Peers)),
		"incomplete": int64(0),
	}
	if a.Warning != "" {
		body["warning message"] = a.Warning
	}
	switch a.Reply {
	case Compact:
		body["peers"] = CompactPeers(a.Peers)
		if v6 := CompactPeers6(a.Peers); v6 != "" {
			body["peers6"] = v6
		}
	case Dict:
		list := make([]any, len(a.Peers))
		for i, p := range a.Peers {
			id := p.ID
			if id == ([20]byte{}) {
				copy(id[:], fmt.Sprintf("-FT0001-%012d", i))
			}
			ip := p.Addr.Addr().Unmap().String()
			if p.Host != "" {
				ip = p.Host
			}
			list[i] = map[string]any{
				"ip":      ip,
				"port":    int64(p.Addr.Port()),
				"peer id": string(id[:]),
			}
		}
		body["peers"] = list
	case Failure:
		reason := a.Failure
		if reason == "" {
			reason = DefaultFailure
		}
		body = map[string]any{"failure reason": reason}
	case HTTPError:
		http.Error(w, "fake tracker: internal server error", http.StatusInternalServerError)
		return
	case NotBencode:
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html><body><h1>502 Bad Gateway</h1></body></html>\n"))
		return
	case Hang:
		select {
		case <-r.Context().Done(): // the client gave up
		case <-tr.closing:
			// The test is over: drop the connection without an answer.
			// ErrAbortHandler is net/http's documented way to do that.
			panic(http.ErrAbortHandler)
		}
		return
	case Oversized:
		size := a.OversizeBytes
		if size == 0 {
			size = DefaultOversize
		}
		// A valid dictionary whose `padding` string alone is size bytes:
		// only the size is wrong, so only a size cap catches it.
		body["peers"] = ""
		body["padding"] = strings.Repeat("x", size)
	case BadCompactLength:
		body["peers"] = CompactPeers(a.Peers) + "\x01"
	default:
		http.Error(w, fmt.Sprintf("fake tracker: unknown reply %v", a.Reply), http.StatusInternalServerError)
		return
	}
	writeBencode(w, body)
}
