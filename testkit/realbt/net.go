package realbt

import (
	"net"
	"net/http"
	"net/netip"
	"testing"
	"time"
)

// newLoopbackHTTP returns the HTTP client for a program's HTTP endpoint
// (tracker, qBittorrent's Web UI). It never uses a proxy, whatever the
// environment says, so a request to 127.0.0.1 cannot leave the machine.
// Its idle connections are closed when the test ends.
func newLoopbackHTTP(t testing.TB) *http.Client {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     5 * time.Second,
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Timeout: 10 * time.Second, Transport: tr}
}

// loopbackAddr is 127.0.0.1:port.
func loopbackAddr(port int) netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), uint16(port))
}
