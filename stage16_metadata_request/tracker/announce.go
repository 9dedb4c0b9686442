package tracker

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Params are what an announce tells the tracker in its query (BEP 3). This
// client has nothing yet when it announces: uploaded=0 and downloaded=0.
type Params struct {
	InfoHash [20]byte // SHA-1 of the torrent's info dictionary
	PeerID   [20]byte // this client's id (see peer.NewID)
	Port     uint16   // the TCP port this client accepts peers on
	Left     int64    // bytes left to download: the total length, to start with
}

// Limits of the zero Client. Trackers that work answer in well under a
// second; a dead one of a tier costs connectTimeout before the next is tried.
// 2 MiB holds over 300 000 compact peers: a bigger answer is hostile.
const (
	defaultTimeout     = 15 * time.Second // a whole announce: connect, send, wait, read
	connectTimeout     = 5 * time.Second  // the TCP connect inside that
	defaultMaxBodySize = 2 << 20
)

// ErrTimeout is wrapped by the error of an announce that got no answer in
// time.
var ErrTimeout = errors.New("timed out")

// Client announces to HTTP trackers. The zero value is ready to use.
type Client struct {
	MaxBodySize int64         // caps the bytes read of an answer (0: 2 MiB)
	Timeout     time.Duration // bounds each announce (0: 15 s)
}

// Announce sends one announce to announceURL and returns the tracker's
// answer. A tracker's refusal is a *FailureError; a tracker that does not
// answer within the timeout gives an error wrapping ErrTimeout.
func (c *Client) Announce(ctx context.Context, announceURL string, p Params) (*Response, error) {
	resp, err := c.announce(ctx, announceURL, p)
	var failure *FailureError
	if errors.As(err, &failure) {
		failure.URL = announceURL
		return nil, failure
	}
	if err != nil {
		return nil, fmt.Errorf("announce to %s: %w", redact(announceURL), err)
	}
	return resp, nil
}

func (c *Client) announce(ctx context.Context, announceURL string, p Params) (*Response, error) {
	u, err := requestURL(announceURL, p)
	if err != nil {
		return nil, err
	}
	status, body, err := c.get(ctx, u)
	if err != nil {
		return nil, err
	}
	resp, err := ParseResponse(body)
	if status != http.StatusOK {
		// Some trackers explain a refusal in a bencoded body of an error
		// status; show that rather than the bare status.
		var failure *FailureError
		if errors.As(err, &failure) {
			return nil, failure
		}
		return nil, fmt.Errorf("HTTP %d %s: %.60q", status, http.StatusText(status), body) // the body's start
	}
	return resp, err
}

// requestURL adds the announce parameters to the announce URL, after any
// query it already has (a private tracker's ?passkey= must be kept).
func requestURL(announceURL string, p Params) (string, error) {
	u, err := url.Parse(announceURL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // *url.Error repeats the whole URL
		}
		return "", fmt.Errorf("bad announce URL: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("scheme %q not supported: this client speaks HTTP trackers (BEP 3); udp:// trackers are BEP 15", u.Scheme)
	case u.Host == "":
		return "", errors.New("bad announce URL: no host")
	}
	params := []string{
		"info_hash=" + escapeBytes(p.InfoHash[:]),
		"peer_id=" + escapeBytes(p.PeerID[:]),
		"port=" + strconv.Itoa(int(p.Port)),
		"uploaded=0",
		"downloaded=0",
		"left=" + strconv.FormatInt(p.Left, 10),
		"compact=1", // BEP 23: peers as 6 bytes each instead of dictionaries
	}
	query := strings.Join(params, "&")
	if kept := strings.TrimRight(u.RawQuery, "&"); kept != "" {
		query = kept + "&" + query
	}
	u.RawQuery, u.Fragment = query, ""
	return u.String(), nil
}

// escapeBytes percent-encodes binary data for a query: every byte except
// the unreserved characters of RFC 3986 (letters, digits, - . _ ~) becomes
// %XX. The info hash is 20 raw bytes, not 40 hex digits, so 0x12 0x34 is
// sent as %124 ('4' is unreserved).
func escapeBytes(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			s.WriteByte(c)
		} else {
			fmt.Fprintf(&s, "%%%02X", c)
		}
	}
	return s.String()
}

// get fetches u and reads at most the body cap. Each announce opens a fresh
// connection (announces are minutes apart), so no idle connection or
// goroutine outlives the call.
func (c *Client) get(ctx context.Context, u string) (status int, body []byte, err error) {
	timeout := cmp.Or(c.Timeout, defaultTimeout)
	client := &http.Client{Timeout: timeout, Transport: &http.Transport{
		DialContext:            (&net.Dialer{Timeout: min(connectTimeout, timeout)}).DialContext,
		DisableKeepAlives:      true,
		MaxResponseHeaderBytes: 64 << 10,
	}}
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := client.Do(httpReq)
	if err != nil {
		return 0, nil, describe(ctx, err, timeout)
	}
	defer resp.Body.Close()
	limit := cmp.Or(c.MaxBodySize, defaultMaxBodySize)
	// Read one byte past the cap: a body that fills it is too big, with or
	// without a Content-Length to say so.
	body, err = io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return 0, nil, describe(ctx, err, timeout)
	}
	if int64(len(body)) > limit {
		return 0, nil, fmt.Errorf("answer is more than the %d bytes this client reads", limit)
	}
	return resp.StatusCode, body, nil
}

// describe turns a transport error into a short one: *url.Error repeats the
// whole request URL (percent-encoded info hash included), and a timeout
// deserves to be called one.
func describe(ctx context.Context, err error, timeout time.Duration) error {
	if ctx.Err() != nil {
		return ctx.Err() // the caller cancelled (Ctrl-C) or its deadline passed
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("no answer within %v: %w", timeout, ErrTimeout)
	}
	return err
}

// redact shortens an announce URL for messages: the query goes, because a
// private tracker's passkey is a password and error messages end up in
// screenshots and streams.
func redact(announceURL string) string {
	s, _, _ := strings.Cut(announceURL, "?")
	s, _, _ = strings.Cut(s, "#")
	return printable(s)
}
