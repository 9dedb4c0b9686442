package realbt

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackpal/bencode-go"
)

// opentrackerReadyTimeout bounds opentracker's start; it is ready in a few
// milliseconds.
const opentrackerReadyTimeout = 10 * time.Second

// whitelistFile is the whitelist's name inside the tracker's root directory.
// It is relative on purpose: as root, opentracker chroots into
// tracker.rootdir before opening it; as another user it only chdirs there.
// A relative name works in both cases, an absolute one only in the second.
const whitelistFile = "whitelist.txt"

// Opentracker is a running opentracker: a real HTTP tracker (BEP 3) on
// 127.0.0.1.
//
// Debian's opentracker is built in "private" mode (WANT_ACCESSLIST_WHITE):
// it only answers announces for info hashes in its whitelist file (hex, one
// per line) and says "Requested download is not authorized for use with
// this tracker." for any other. Start it with the info hashes of the
// torrents a test uses, or add them later with Allow, before the seeders
// announce.
type Opentracker struct {
	AnnounceURL string         // http://127.0.0.1:<port>/announce
	Addr        netip.AddrPort // 127.0.0.1:<port>
	Process     *Process

	root string       // tracker.rootdir, holds the whitelist
	http *http.Client // for announces and the readiness check

	mu      sync.Mutex // guards allowed and the whitelist file
	allowed []string   // hex info hashes, in whitelist order
}

// StartOpentracker starts opentracker on 127.0.0.1 (TCP only: the UDP
// tracker protocol is not started) on a free port, serving the given info
// hashes. It returns once the tracker answers HTTP. The tracker is killed
// when the test ends.
func StartOpentracker(t testing.TB, infoHashes ...[20]byte) *Opentracker {
	t.Helper()
	Require(t, "opentracker")
	base := t.TempDir()
	tr := startWithRetry(t, "opentracker", func(port int) (*Opentracker, error) {
		return startOpentracker(t, base, port, infoHashes)
	})
	assertLoopbackNowAndAtEnd(t, tr.Process)
	return tr
}

func startOpentracker(t testing.TB, base string, port int, infoHashes [][20]byte) (*Opentracker, error) {
	t.Helper()
	dir, err := os.MkdirTemp(base, "opentracker-")
	if err != nil {
		return nil, err
	}
	tr := &Opentracker{
		AnnounceURL: fmt.Sprintf("http://127.0.0.1:%d/announce", port),
		Addr:        loopbackAddr(port),
		root:        filepath.Join(dir, "root"),
		http:        newLoopbackHTTP(t),
	}
	// As root, opentracker chroots into root and drops to user "nobody"
	// before reading the whitelist, so root must be world-readable (the
	// directories above it do not matter after the chroot).
	if err := os.Mkdir(tr.root, 0o755); err != nil {
		return nil, err
	}
	if err := os.Chmod(tr.root, 0o755); err != nil { // whatever the umask
		return nil, err
	}
	for _, h := range infoHashes {
		tr.allowed = append(tr.allowed, hex.EncodeToString(h[:]))
	}
	if err := tr.writeWhitelist(); err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "opentracker.conf")
	if err := os.WriteFile(conf, []byte(opentrackerConfig(port, tr.root)), 0o644); err != nil {
		return nil, err
	}
	p, err := startProcess(t, dir, tr.root, "opentracker", "-f", conf)
	if err != nil {
		return nil, err
	}
	tr.Process = p
	if err := p.waitReady(opentrackerReadyTimeout, "answering HTTP", tr.ping); err != nil {
		return nil, p.killAfterFailedStart(err)
	}
	return tr, nil
}

// opentrackerConfig is the whole config: listen on loopback TCP only
// (listen.tcp, not listen.tcp_udp, so no UDP socket at all), read the
// whitelist from the root directory. tracker.user is left at its default
// ("nobody"), which opentracker only switches to when started as root.
func opentrackerConfig(port int, root string) string {
	return fmt.Sprintf(`# written by workbook/testkit/realbt
listen.tcp 127.0.0.1:%d
access.whitelist %s
tracker.rootdir %s
`, port, whitelistFile, root)
}

// writeWhitelist writes the allowed hashes; the caller holds mu or owns tr.
func (tr *Opentracker) writeWhitelist() error {
	data := strings.Join(tr.allowed, "\n") + "\n"
	// Write a new file and rename it over the old one, so a reload never
	// sees half a file.
	tmp := filepath.Join(tr.root, whitelistFile+".tmp")
	if err := os.WriteFile(tmp, []byte(data), 0o644); err != nil {
		return fmt.Errorf("write opentracker whitelist: %w", err)
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(tr.root, whitelistFile))
}

// ping checks that the tracker answers an HTTP request (any status).
func (tr *Opentracker) ping() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+tr.Addr.String()+"/stats", nil)
	if err != nil {
		return err
	}
	resp, err := tr.http.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

// Allow adds info hashes to the running tracker's whitelist: it rewrites the
// file, sends SIGHUP (opentracker reloads the whitelist on it, in the
// background) and waits until an announce for each hash is accepted.
func (tr *Opentracker) Allow(t testing.TB, infoHashes ...[20]byte) {
	t.Helper()
	tr.mu.Lock()
	for _, h := range infoHashes {
		tr.allowed = append(tr.allowed, hex.EncodeToString(h[:]))
	}
	err := tr.writeWhitelist()
	tr.mu.Unlock()
	if err != nil {
		t.Fatalf("realbt: %v", err)
	}
	if err := tr.Process.signal(syscall.SIGHUP); err != nil {
		t.Fatalf("realbt: reload opentracker whitelist: %v", err)
	}
	for _, h := range infoHashes {
		err := tr.Process.waitReady(opentrackerReadyTimeout, "serving "+hex.EncodeToString(h[:]), func() error {
			_, err := tr.Peers(context.Background(), h)
			return err
		})
		if err != nil {
			t.Fatalf("realbt: %v", err)
		}
	}
}

// probePort is the port the probe peer of Peers announces. Nothing listens
// on it, and Peers leaves it out of its answer.
const probePort = 1

// probePeerID identifies the probe peer to the tracker.
var probePeerID = [20]byte([]byte("-RB0001-realbtprobe0"))

// Peers asks the tracker which peers it knows for infoHash, the way a client
// does: an HTTP GET announce with the raw info hash percent-encoded and
// compact=1 (BEP 3, BEP 23). opentracker has no read-only query, so the
// question is asked by a probe peer (127.0.0.1, port 1, left=1) that is
// removed again with event=stopped; the probe never appears in the result.
// A whitelist refusal comes back as an error holding the tracker's reason.
func (tr *Opentracker) Peers(ctx context.Context, infoHash [20]byte) ([]netip.AddrPort, error) {
	resp, err := tr.announce(ctx, infoHash, "")
	if err != nil {
		return nil, err
	}
	if _, err := tr.announce(ctx, infoHash, "stopped"); err != nil {
		return nil, fmt.Errorf("remove probe peer: %w", err)
	}
	peers, err := compactPeers(resp)
	if err != nil {
		return nil, err
	}
	probe := netip.AddrPortFrom(tr.Addr.Addr(), probePort)
	var out []netip.AddrPort
	for _, p := range peers {
		if p != probe {
			out = append(out, p)
		}
	}
	return out, nil
}

// WaitForPeers waits until the tracker lists every peer in want for
// infoHash (seeders announce on their own shortly after they start) and
// returns the full list it last saw. It fails the test after timeout.
func (tr *Opentracker) WaitForPeers(t testing.TB, infoHash [20]byte, timeout time.Duration, want ...netip.AddrPort) []netip.AddrPort {
	t.Helper()
	var got []netip.AddrPort
	err := tr.Process.waitReady(timeout, "listing the seeders", func() error {
		var err error
		got, err = tr.Peers(context.Background(), infoHash)
		if err != nil {
			return err
		}
		for _, w := range want {
			if !containsAddr(got, w) {
				return fmt.Errorf("want %v among %v", want, got)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("realbt: %v", err)
	}
	return got
}

func containsAddr(list []netip.AddrPort, a netip.AddrPort) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

// announce sends one announce of the probe peer and returns the decoded
// response dict, or the tracker's failure reason as an error.
func (tr *Opentracker) announce(ctx context.Context, infoHash [20]byte, event string) (map[string]any, error) {
	q := url.Values{}
	q.Set("info_hash", string(infoHash[:])) // raw bytes; Encode percent-encodes them
	q.Set("peer_id", string(probePeerID[:]))
	q.Set("port", fmt.Sprint(probePort))
	q.Set("uploaded", "0")
	q.Set("downloaded", "0")
	q.Set("left", "1")
	q.Set("compact", "1")
	if event != "" {
		q.Set("event", event)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	// url.Values writes a 0x20 byte as "+" (HTML form style); trackers read
	// the query as BEP 3 percent-encoding, where "+" is a plus sign, so a
	// space must go as %20. A literal "+" is already %2B, so this swap is exact.
	query := strings.ReplaceAll(q.Encode(), "+", "%20")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, tr.AnnounceURL+"?"+query, nil)
	if err != nil {
		return nil, err
	}
	resp, err := tr.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("announce to opentracker: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("read opentracker response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("opentracker answered %s: %q", resp.Status, body)
	}
	v, err := bencode.Decode(strings.NewReader(string(body)))
	if err != nil {
		return nil, fmt.Errorf("decode opentracker response %q: %w", body, err)
	}
	dict, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("opentracker response is not a dict: %q", body)
	}
	if reason, ok := dict["failure reason"].(string); ok {
		return nil, fmt.Errorf("opentracker refused %x: %s", infoHash, reason)
	}
	return dict, nil
}

// compactPeers decodes the compact "peers" string (BEP 23: 4 bytes IPv4
// address, 2 bytes port, big endian).
func compactPeers(resp map[string]any) ([]netip.AddrPort, error) {
	raw, ok := resp["peers"].(string)
	if !ok {
		return nil, errors.New("opentracker response has no compact peers string")
	}
	if len(raw)%6 != 0 {
		return nil, fmt.Errorf("compact peers: length %d is not a multiple of 6", len(raw))
	}
	var peers []netip.AddrPort
	for i := 0; i < len(raw); i += 6 {
		ip := netip.AddrFrom4([4]byte([]byte(raw[i : i+4])))
		port := uint16(raw[i+4])<<8 | uint16(raw[i+5])
		peers = append(peers, netip.AddrPortFrom(ip, port))
	}
	return peers, nil
}
