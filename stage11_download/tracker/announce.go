// Package tracker asks an HTTP tracker for peers (BEP 3): the client sends
// an announce, a GET request whose query names the torrent (info_hash), the
// client (peer_id, port) and its progress (uploaded, downloaded, left); the
// tracker answers with a bencoded dictionary listing other peers.
//
// https://www.bittorrent.org/beps/bep_0003.html#trackers
package tracker

import (
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

// Request is what an announce tells the tracker.
type Request struct {
	InfoHash [20]byte // SHA-1 of the torrent's info dictionary
	PeerID   [20]byte // this client's id (see peer.NewID)
	Port     uint16   // the TCP port this client accepts peers on
	// Progress in bytes: uploaded and downloaded so far, and left to
	// download (the total length for a client that has nothing yet).
	Uploaded, Downloaded, Left int64
}

// Defaults used by the zero Client.
const (
	// DefaultTimeout bounds a whole announce: connect, send, wait for the
	// answer, read it. Trackers answer in well under a second when they
	// work; one that takes longer is down for our purposes.
	DefaultTimeout = 15 * time.Second
	// ConnectTimeout bounds the TCP connect inside that.
	ConnectTimeout = 5 * time.Second
	// DefaultMaxBodySize caps the answer read. 2 MiB holds over 300 000
	// compact peers; a bigger answer is a broken or hostile tracker.
	DefaultMaxBodySize = 2 << 20
)

// ErrTimeout is wrapped by the error of an announce that got no answer in
// time.
var ErrTimeout = errors.New("timed out")

// Client announces to HTTP trackers. The zero value is ready to use.
type Client struct {
	// HTTP, when set, replaces the client's own http.Client (and then its
	// Timeout is the one that counts).
	HTTP *http.Client
	// MaxBodySize caps the bytes read of an answer (0: DefaultMaxBodySize).
	MaxBodySize int64
	// Timeout bounds each announce when HTTP is nil (0: DefaultTimeout).
	Timeout time.Duration
}

// Announce sends one announce to announceURL and returns the tracker's
// answer. A tracker's refusal is a *FailureError; a tracker that does not
// answer within the timeout gives an error wrapping ErrTimeout.
func (c *Client) Announce(ctx context.Context, announceURL string, req Request) (*Response, error) {
	resp, err := c.announce(ctx, announceURL, req)
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

func (c *Client) announce(ctx context.Context, announceURL string, req Request) (*Response, error) {
	u, err := requestURL(announceURL, req)
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
		return nil, fmt.Errorf("HTTP %d %s: %q", status, http.StatusText(status), snippet(body))
	}
	return resp, err
}

// requestURL adds the announce parameters to the announce URL, after any
// query it already has (a private tracker's ?passkey= must be kept).
func requestURL(announceURL string, req Request) (string, error) {
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
	case req.Uploaded < 0 || req.Downloaded < 0 || req.Left < 0:
		return "", fmt.Errorf("negative progress: uploaded %d, downloaded %d, left %d", req.Uploaded, req.Downloaded, req.Left)
	}
	params := []string{
		"info_hash=" + escapeBytes(req.InfoHash[:]),
		"peer_id=" + escapeBytes(req.PeerID[:]),
		"port=" + strconv.Itoa(int(req.Port)),
		"uploaded=" + strconv.FormatInt(req.Uploaded, 10),
		"downloaded=" + strconv.FormatInt(req.Downloaded, 10),
		"left=" + strconv.FormatInt(req.Left, 10),
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
	const hexDigits = "0123456789ABCDEF"
	var s strings.Builder
	for _, c := range b {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			s.WriteByte(c)
			continue
		}
		s.WriteByte('%')
		s.WriteByte(hexDigits[c>>4])
		s.WriteByte(hexDigits[c&15])
	}
	return s.String()
}

// get fetches u and reads at most the body cap.
func (c *Client) get(ctx context.Context, u string) (status int, body []byte, err error) {
	client, timeout := c.httpClient()
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := client.Do(httpReq)
	if err != nil {
		return 0, nil, describe(ctx, err, timeout)
	}
	defer resp.Body.Close()
	limit := c.MaxBodySize
	if limit <= 0 {
		limit = DefaultMaxBodySize
	}
	if resp.ContentLength > limit {
		return 0, nil, fmt.Errorf("answer is %d bytes, more than the %d this client reads", resp.ContentLength, limit)
	}
	// Read one byte past the cap: a body that fills it is too big, even
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

// httpClient returns the http.Client to use and its timeout. The default one
// opens a fresh connection per announce (announces are minutes apart) so no
// idle connection or goroutine outlives the call.
func (c *Client) httpClient() (*http.Client, time.Duration) {
	if c.HTTP != nil {
		return c.HTTP, c.HTTP.Timeout
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	transport := &http.Transport{
		DialContext:            (&net.Dialer{Timeout: min(ConnectTimeout, timeout)}).DialContext,
		ResponseHeaderTimeout:  timeout,
		DisableKeepAlives:      true,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &http.Client{Timeout: timeout, Transport: transport}, timeout
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
		if timeout > 0 {
			return fmt.Errorf("no answer within %v: %w", timeout, ErrTimeout)
		}
		return fmt.Errorf("no answer in time: %w", ErrTimeout)
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

// snippet is the start of a body, for an error message.
func snippet(body []byte) string {
	const n = 60
	if len(body) > n {
		return string(body[:n]) + "..."
	}
	return string(body)
}
