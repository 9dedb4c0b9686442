package realbt

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// qbittorrentReadyTimeout bounds qbittorrent-nox's start (Web UI and peer
// listener up); it takes about half a second.
const qbittorrentReadyTimeout = 30 * time.Second

// qbittorrentSeedTimeout bounds the wait for an added torrent to be checked
// and seeding. Hash checking reads the whole content, so this allows for
// files of a few GiB on a slow disk.
const qbittorrentSeedTimeout = 120 * time.Second

// QBittorrentPeerIDPrefix starts the peer id qBittorrent sends in its
// handshake ("-qB4520-" for 4.5.2, Azureus style, then random bytes).
const QBittorrentPeerIDPrefix = "-qB"

// QBittorrent is a running qbittorrent-nox (libtorrent-rasterbar inside) with
// its own temporary profile, peer listener and Web UI on 127.0.0.1.
type QBittorrent struct {
	Addr    netip.AddrPort // where it accepts peer connections: 127.0.0.1:<port>
	WebUI   string         // Web UI base URL: http://127.0.0.1:<port>
	Profile string         // the --profile directory (config, data, logs)
	Process *Process

	http *http.Client
	mu   sync.Mutex // serialises AddTorrent
}

// QBittorrentConfig is the qBittorrent.conf a started qbittorrent-nox reads
// (<profile>/qBittorrent/config/qBittorrent.conf, Qt INI format, keys of
// qBittorrent 4.5). peerPort is the BitTorrent listen port, webUIPort the
// Web UI's. What each setting is for:
//
//   - [LegalNotice] Accepted: otherwise qbittorrent-nox waits for someone to
//     type "y" on its terminal (4.5 has no --confirm-legal-notice flag).
//   - Session\Interface=lo, InterfaceName=lo, InterfaceAddress=127.0.0.1:
//     libtorrent listens (TCP, and UDP for uTP) on 127.0.0.1 only.
//   - Session\BTProtocol=TCP: no outgoing uTP.
//   - DHTEnabled, PeXEnabled, LSDEnabled=false: no DHT bootstrap, no peer
//     exchange, no local peer discovery multicast.
//   - [Network] PortForwardingEnabled=false and WebUI\UseUPnP=false: no UPnP
//     or NAT-PMP.
//   - Session\Encryption=0: encryption allowed, not required, so a plain
//     BitTorrent handshake (the workbook's) is accepted.
//   - Session\AnonymousModeEnabled=false: normal peer id ("-qB4520-").
//   - Session\MultiConnectionsPerIp=true: libtorrent's
//     allow_multiple_connections_per_ip. Every peer here is 127.0.0.1; without
//     it qBittorrent drops the second connection from that address.
//   - Session\QueueingSystemEnabled=false, GlobalMaxRatio=-1: every torrent
//     active, seeding forever.
//   - Session\RefreshInterval=100: torrent states refresh every 100 ms
//     instead of 1.5 s, so AddTorrent sees "seeding" sooner.
//   - Connection\ResolvePeerCountries=false: no GeoIP database download.
//   - RSS processing off (it is off by default; written down to be sure).
//   - WebUI on 127.0.0.1:<webUIPort>, LocalHostAuth=false (no login from
//     127.0.0.1), CSRF and Host header checks off (plain scripted requests).
//
// qbittorrent-nox has no update checker (that is the desktop GUI's), and
// the search engine only runs when asked through the Web UI.
func QBittorrentConfig(peerPort, webUIPort int) string {
	return fmt.Sprintf(`[LegalNotice]
Accepted=true

[BitTorrent]
Session\Port=%d
Session\Interface=lo
Session\InterfaceName=lo
Session\InterfaceAddress=127.0.0.1
Session\BTProtocol=TCP
Session\DHTEnabled=false
Session\PeXEnabled=false
Session\LSDEnabled=false
Session\Encryption=0
Session\AnonymousModeEnabled=false
Session\MultiConnectionsPerIp=true
Session\QueueingSystemEnabled=false
Session\GlobalMaxRatio=-1
Session\AddTorrentPaused=false
Session\TempPathEnabled=false
Session\AddTrackersEnabled=false
Session\RefreshInterval=100

[Network]
PortForwardingEnabled=false

[Preferences]
Connection\ResolvePeerCountries=false
General\Locale=en
WebUI\Enabled=true
WebUI\Address=127.0.0.1
WebUI\Port=%d
WebUI\UseUPnP=false
WebUI\LocalHostAuth=false
WebUI\CSRFProtection=false
WebUI\HostHeaderValidation=false
WebUI\ClickjackingProtection=false

[RSS]
Session\EnableProcessing=false
AutoDownloader\EnableProcessing=false
`, peerPort, webUIPort)
}

// StartQBittorrent starts qbittorrent-nox with a fresh profile (see
// QBittorrentConfig) on free ports of 127.0.0.1, and returns once its Web UI
// answers and its peer listener accepts connections. It checks that every
// socket it has is on loopback; it is killed when the test ends. Add
// torrents with AddTorrent.
func StartQBittorrent(t testing.TB) *QBittorrent {
	t.Helper()
	Require(t, "qbittorrent-nox")
	base := t.TempDir()
	q := startWithRetry(t, "qbittorrent-nox", func(peerPort int) (*QBittorrent, error) {
		webUIPort, err := freePort()
		if err != nil {
			return nil, err
		}
		return startQBittorrent(t, base, peerPort, webUIPort)
	})
	assertLoopbackNowAndAtEnd(t, q.Process)
	return q
}

func startQBittorrent(t testing.TB, base string, peerPort, webUIPort int) (*QBittorrent, error) {
	t.Helper()
	profile, err := os.MkdirTemp(base, "profile-")
	if err != nil {
		return nil, err
	}
	confDir := filepath.Join(profile, "qBittorrent", "config")
	if err := os.MkdirAll(confDir, 0o755); err != nil {
		return nil, err
	}
	conf := QBittorrentConfig(peerPort, webUIPort)
	if err := os.WriteFile(filepath.Join(confDir, "qBittorrent.conf"), []byte(conf), 0o644); err != nil {
		return nil, err
	}
	p, err := startProcess(t, profile, profile, "qbittorrent-nox", "--profile="+profile)
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(profile, "qBittorrent", "data", "logs", "qbittorrent.log")
	p.Logs = append(p.Logs, logPath)
	q := &QBittorrent{
		Addr:    loopbackAddr(peerPort),
		WebUI:   fmt.Sprintf("http://127.0.0.1:%d", webUIPort),
		Profile: profile,
		Process: p,
		http:    newLoopbackHTTP(t),
	}
	err = p.waitReady(qbittorrentReadyTimeout, "ready (Web UI and peer port)", func() error {
		// The log first: a request to a port qBittorrent failed to bind
		// would go to whatever holds it.
		if err := logSays(logPath, fmt.Sprintf("Web UI: Now listening on IP: 127.0.0.1, port: %d", webUIPort),
			fmt.Sprintf("Web UI: Unable to bind to IP: 127.0.0.1, port: %d", webUIPort)); err != nil {
			return err
		}
		if _, err := q.get(context.Background(), "/api/v2/app/version", nil); err != nil {
			return err
		}
		// libtorrent's lines in qBittorrent's log.
		return listening(logPath, q.Addr,
			fmt.Sprintf(`Successfully listening on IP. IP: "127.0.0.1". Port: "TCP/%d"`, peerPort),
			fmt.Sprintf(`Failed to listen on IP. IP: "127.0.0.1". Port: "TCP/%d"`, peerPort))
	})
	if err != nil {
		return nil, p.killAfterFailedStart(err)
	}
	if err := q.checkPreferences(peerPort); err != nil {
		return nil, p.killAfterFailedStart(err)
	}
	return q, nil
}

// checkPreferences reads the settings back through the Web UI
// (/api/v2/app/preferences) and compares the ones that keep traffic on
// loopback and let the tests connect. A qBittorrent that ignored a key of
// qBittorrent.conf (a renamed key in another version) fails here, instead
// of quietly running with DHT or UPnP on.
func (q *QBittorrent) checkPreferences(peerPort int) error {
	body, err := q.get(context.Background(), "/api/v2/app/preferences", nil)
	if err != nil {
		return err
	}
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		return fmt.Errorf("decode preferences: %w", err)
	}
	want := map[string]any{
		"dht":                                   false,
		"pex":                                   false,
		"lsd":                                   false,
		"upnp":                                  false,
		"web_ui_upnp":                           false,
		"encryption":                            float64(0),
		"anonymous_mode":                        false,
		"enable_multi_connections_from_same_ip": true,
		"resolve_peer_countries":                false,
		"bypass_local_auth":                     true,
		"listen_port":                           float64(peerPort),
		"current_interface_address":             "127.0.0.1",
		"web_ui_address":                        "127.0.0.1",
		"queueing_enabled":                      false,
		"rss_processing_enabled":                false,
		"rss_auto_downloading_enabled":          false,
	}
	var wrong []string
	for k, v := range want {
		if got[k] != v {
			wrong = append(wrong, fmt.Sprintf("%s = %v, want %v", k, got[k], v))
		}
	}
	if len(wrong) > 0 {
		slices.Sort(wrong)
		return fmt.Errorf("qBittorrent did not take its settings from qBittorrent.conf: %s", strings.Join(wrong, "; "))
	}
	return nil
}

// StartQBittorrentSeeder starts qbittorrent-nox (StartQBittorrent) and adds
// the torrent at torrentPath seeding from dir (AddTorrent).
func StartQBittorrentSeeder(t testing.TB, torrentPath, dir string) *QBittorrent {
	t.Helper()
	q := StartQBittorrent(t)
	q.AddTorrent(t, torrentPath, dir)
	return q
}

// TorrentInfo is the part of the Web UI's /api/v2/torrents/info entry the
// tests use.
type TorrentInfo struct {
	Hash      string  `json:"hash"`
	Name      string  `json:"name"`
	State     string  `json:"state"`    // e.g. checkingUP, stalledUP, uploading
	Progress  float64 `json:"progress"` // 0..1
	SavePath  string  `json:"save_path"`
	NumLeechs int     `json:"num_leechs"`
	Uploaded  int64   `json:"uploaded"`
}

// Seeding reports whether the state is one where the whole content is
// present and offered to peers.
func (i TorrentInfo) Seeding() bool {
	switch i.State {
	case "uploading", "stalledUP", "forcedUP":
		return true
	}
	return false
}

// Downloading reports whether qBittorrent is fetching (or about to fetch)
// content: after a hash check, that means the content on disk is incomplete.
func (i TorrentInfo) Downloading() bool {
	switch i.State {
	case "downloading", "stalledDL", "pausedDL", "queuedDL", "forcedDL", "metaDL":
		return true
	}
	return false
}

// AddTorrent adds the torrent at torrentPath through the Web UI API v2
// (POST /api/v2/torrents/add) with dir as its save path (dir holds the
// torrent's top entry: the file, or the directory of a multi-file torrent),
// lets qBittorrent hash-check the content, and waits until the torrent is
// seeding (GET /api/v2/torrents/info). It fails the test if the content does
// not match (the torrent starts downloading instead). It returns the info
// hash as qBittorrent computed it. Calls on one QBittorrent are serialised
// (the new torrent is found as the one that was not listed before).
func (q *QBittorrent) AddTorrent(t testing.TB, torrentPath, dir string) [20]byte {
	t.Helper()
	q.mu.Lock()
	defer q.mu.Unlock()
	data, err := os.ReadFile(torrentPath)
	if err != nil {
		t.Fatalf("realbt: %v", err)
	}
	before, err := q.Torrents(context.Background())
	if err != nil {
		t.Fatalf("realbt: qBittorrent: %v", err)
	}
	if err := q.add(filepath.Base(torrentPath), data, dir); err != nil {
		t.Fatalf("realbt: qBittorrent: add %s: %v", torrentPath, err)
	}
	// A torrent whose content does not match goes from checking to
	// downloading. Allow a moment in a downloading state (the check may not
	// have been scheduled yet), then give up instead of waiting for the
	// whole timeout.
	var added TorrentInfo
	var downloadingSince time.Time
	err = q.Process.waitReady(qbittorrentSeedTimeout, "seeding "+filepath.Base(torrentPath), func() error {
		info, err := q.newTorrent(before)
		if err != nil {
			return err
		}
		added = info
		if info.Seeding() {
			return nil
		}
		err = fmt.Errorf("torrent %s: state %s, progress %.3f", info.Hash, info.State, info.Progress)
		if info.State == "error" || info.State == "missingFiles" {
			return stopWaiting(err)
		}
		if !info.Downloading() {
			downloadingSince = time.Time{}
			return err
		}
		if downloadingSince.IsZero() {
			downloadingSince = time.Now()
		}
		if time.Since(downloadingSince) > 3*time.Second {
			return stopWaiting(fmt.Errorf("content in %s does not match the torrent: %w", dir, err))
		}
		return err
	})
	if err != nil {
		t.Fatalf("realbt: qBittorrent: %v", err)
	}
	var hash [20]byte
	if n, err := hex.Decode(hash[:], []byte(added.Hash)); err != nil || n != len(hash) {
		t.Fatalf("realbt: qBittorrent: info hash %q is not 40 hex digits", added.Hash)
	}
	return hash
}

// newTorrent returns the one torrent listed now that is not in before.
func (q *QBittorrent) newTorrent(before []TorrentInfo) (TorrentInfo, error) {
	now, err := q.Torrents(context.Background())
	if err != nil {
		return TorrentInfo{}, err
	}
	old := make(map[string]bool, len(before))
	for _, i := range before {
		old[i.Hash] = true
	}
	for _, i := range now {
		if !old[i.Hash] {
			return i, nil
		}
	}
	return TorrentInfo{}, errors.New("added torrent not listed yet")
}

// add posts one .torrent to /api/v2/torrents/add.
func (q *QBittorrent) add(name string, torrent []byte, savePath string) error {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormFile("torrents", name)
	if err != nil {
		return err
	}
	if _, err := part.Write(torrent); err != nil {
		return err
	}
	for k, v := range map[string]string{
		"savepath":      savePath,
		"paused":        "false",
		"skip_checking": "false", // verify: a seeder with wrong content would mislead the tests
		"autoTMM":       "false",
	} {
		if err := w.WriteField(k, v); err != nil {
			return err
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, q.WebUI+"/api/v2/torrents/add", &body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := q.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(reply)) != "Ok." {
		return fmt.Errorf("web UI answered %s: %q", resp.Status, reply)
	}
	return nil
}

// Torrents lists every torrent qBittorrent has (GET /api/v2/torrents/info).
func (q *QBittorrent) Torrents(ctx context.Context) ([]TorrentInfo, error) {
	body, err := q.get(ctx, "/api/v2/torrents/info", nil)
	if err != nil {
		return nil, err
	}
	var list []TorrentInfo
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, fmt.Errorf("decode torrents/info %q: %w", body, err)
	}
	return list, nil
}

// get performs a GET on the Web UI and returns the body of a 200 answer.
func (q *QBittorrent) get(ctx context.Context, path string, query url.Values) ([]byte, error) {
	u := q.WebUI + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := q.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %q", path, resp.Status, body)
	}
	return body, nil
}

// QBittorrentUTMetadataID is the ut_metadata id qBittorrent 4.5
// (libtorrent 2.0) advertises in its extension handshake (BEP 10), as
// PeerExtensions reads it. Its m also holds upload_only 3, ut_holepunch 4,
// lt_donthave 7 and share_mode 8 (no ut_pex: PEX is off). Its v is
// "qBittorrent/4.5.2", its reserved bytes 0000000000100005: extensions,
// Fast (BEP 6), and the DHT bit, which libtorrent sets even with DHT off
// (checkPreferences and the loopback check show it is off).
const QBittorrentUTMetadataID = 2
