package faketracker

import (
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// Request is one announce as the tracker received it.
type Request struct {
	// RawQuery is the query exactly as sent (percent-encoding included).
	RawQuery string
	// Remote is the client's address (ip:port of the TCP connection).
	Remote string
	// The parameters, decoded. A parameter that was missing or malformed
	// keeps its zero value and is explained in Problems.
	InfoHash   [20]byte
	PeerID     [20]byte
	Port       uint16
	Uploaded   int64
	Downloaded int64
	Left       int64
	Compact    string
	Event      string
	// Problems lists what was wrong with the announce, as teaching text;
	// empty for a correct one.
	Problems []string
}

// Expect is what every announce for one torrent must carry. The zero value
// fits a client that starts from nothing on a torrent of 0 bytes; set Left
// to the torrent's total length.
type Expect struct {
	Left       int64 // `left`: bytes still to download (the total length at first)
	Uploaded   int64 // `uploaded`
	Downloaded int64 // `downloaded`
	// Port, when not 0, is the `port` the client must send.
	Port uint16
	// AnyProgress accepts any non-negative uploaded, downloaded and left: a
	// client that re-announces during a download, or a seeder.
	AnyProgress bool
	// UnknownLeft accepts any positive left instead of Left: a magnet-link
	// client (BEP 9) announces before it has the metadata, so it cannot
	// know the torrent's length. BEP 3 has no way to say "unknown", and
	// trackers such as the course's refuse left=0 (a seeder) or no left at
	// all, so such a client sends a positive placeholder (the course uses
	// 999). left=0 and a missing left are still problems, and uploaded,
	// downloaded and port are checked as usual.
	UnknownLeft bool
}

// check compares a well-formed request with the expectation.
func (e Expect) check(r Request) []string {
	var problems []string
	if e.Port != 0 && r.Port != e.Port {
		problems = append(problems, fmt.Sprintf("port=%d, want %d", r.Port, e.Port))
	}
	if e.AnyProgress {
		return problems
	}
	checks := []struct {
		name      string
		got, want int64
		why       string
	}{
		{"uploaded", r.Uploaded, e.Uploaded, "bytes sent to peers so far"},
		{"downloaded", r.Downloaded, e.Downloaded, "bytes received so far"},
		{"left", r.Left, e.Left, "bytes still missing: the torrent's total length when nothing is downloaded yet"},
	}
	if e.UnknownLeft {
		checks = checks[:2]
		if r.Left <= 0 {
			problems = append(problems, fmt.Sprintf("left=%d, want a positive placeholder: the length is unknown before the metadata arrives, and left=0 says the client is a seeder", r.Left))
		}
	}
	for _, c := range checks {
		if c.got != c.want {
			problems = append(problems, fmt.Sprintf("%s=%d, want %d (%s)", c.name, c.got, c.want, c.why))
		}
	}
	return problems
}

// parseRequest decodes and checks the form of an announce's parameters
// (BEP 3): what each must look like, whatever torrent it is for.
func parseRequest(r *http.Request) Request {
	req := Request{RawQuery: r.URL.RawQuery, Remote: r.RemoteAddr}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		req.Problems = append(req.Problems, fmt.Sprintf("query %q does not parse: %v (percent-encode every byte that is not a letter, digit or -._~ as %%XX)", r.URL.RawQuery, err))
		return req
	}
	one := func(key string) (string, bool) {
		values, ok := q[key]
		switch {
		case !ok:
			req.Problems = append(req.Problems, fmt.Sprintf("%s is missing", key))
			return "", false
		case len(values) > 1:
			req.Problems = append(req.Problems, fmt.Sprintf("%s is sent %d times, want once", key, len(values)))
			return "", false
		}
		return values[0], true
	}
	bytes20 := func(key string, dst *[20]byte) {
		v, ok := one(key)
		switch {
		case !ok:
		case key == "info_hash" && looksHex(v):
			raw, _ := hex.DecodeString(v)
			req.Problems = append(req.Problems, fmt.Sprintf("info_hash is 40 hex digits (%s): send the 20 raw bytes of the SHA-1, each percent-encoded (%%%02X%%%02X...), not its hex text", v, raw[0], raw[1]))
		case len(v) != 20:
			req.Problems = append(req.Problems, fmt.Sprintf("%s is %d bytes after percent-decoding, want exactly 20 raw bytes", key, len(v)))
		default:
			copy(dst[:], v)
		}
	}
	number := func(key string, dst *int64) {
		v, ok := one(key)
		if !ok {
			return
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || v != strconv.FormatInt(n, 10) {
			req.Problems = append(req.Problems, fmt.Sprintf("%s=%q, want a non-negative decimal integer", key, v))
			return
		}
		*dst = n
	}
	bytes20("info_hash", &req.InfoHash)
	bytes20("peer_id", &req.PeerID)
	var port int64
	number("port", &port)
	if port > 65535 || (port == 0 && q.Has("port")) {
		req.Problems = append(req.Problems, fmt.Sprintf("port=%d, want a TCP port 1-65535", port))
	}
	req.Port = uint16(port)
	number("uploaded", &req.Uploaded)
	number("downloaded", &req.Downloaded)
	number("left", &req.Left)
	if v, ok := one("compact"); ok {
		req.Compact = v
		if v != "1" {
			req.Problems = append(req.Problems, fmt.Sprintf("compact=%q, want compact=1 (BEP 23: ask for the 6-bytes-a-peer list)", v))
		}
	}
	if values, ok := q["event"]; ok {
		req.Event = values[0]
		switch req.Event {
		case "", "started", "completed", "stopped":
		default:
			req.Problems = append(req.Problems, fmt.Sprintf("event=%q, want started, completed, stopped or no event", req.Event))
		}
	}
	return req
}
