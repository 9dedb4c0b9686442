package realbt

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// aria2ReadyTimeout bounds aria2c's start; it listens within ~100 ms.
const aria2ReadyTimeout = 15 * time.Second

// Aria2PeerIDPrefix starts the peer id aria2 sends in its handshake
// ("A2-1-36-0-" for aria2 1.36.0, then random bytes).
const Aria2PeerIDPrefix = "A2-"

// Aria2 is a running aria2c seeding one torrent on 127.0.0.1.
type Aria2 struct {
	Addr    netip.AddrPort // where aria2 accepts peer connections: 127.0.0.1:<port>
	Process *Process
}

// Aria2Flags are the flags every aria2c started by the workbook gets, seeder
// or downloader. They keep all of aria2's traffic on 127.0.0.1:
//
//	--no-conf=true                 ignore ~/.aria2/aria2.conf (it could turn DHT back on)
//	--enable-dht=false             no DHT, so no bootstrap to router.bittorrent.com …
//	--enable-dht6=false            … nor over IPv6
//	--enable-peer-exchange=false   no PEX (BEP 11)
//	--bt-enable-lpd=false          no local peer discovery multicast (BEP 14)
//	--interface=127.0.0.1          bind every socket (listener, tracker and peer
//	                               connections) to 127.0.0.1
//	--disable-ipv6=true            no IPv6 sockets at all
//	--bt-external-ip=127.0.0.1     the address aria2 reports to trackers
//	--enable-rpc=false             no JSON-RPC listener
//	--follow-torrent=false         never fetch a .torrent it comes across
//
// aria2 has no UPnP or NAT-PMP support at all, and does no update checks.
// It talks to the trackers of the torrent it is given, so those must be on
// 127.0.0.1 too (the torrents the tests build announce to a local
// opentracker).
func Aria2Flags() []string {
	return []string{
		"--no-conf=true",
		"--enable-dht=false",
		"--enable-dht6=false",
		"--enable-peer-exchange=false",
		"--bt-enable-lpd=false",
		"--interface=127.0.0.1",
		"--disable-ipv6=true",
		"--bt-external-ip=127.0.0.1",
		"--enable-rpc=false",
		"--follow-torrent=false",
		"--summary-interval=0",
		"--console-log-level=notice",
		"--file-allocation=none",
	}
}

// Aria2SeedArgs is the whole aria2c command line (after "aria2c") of a
// seeder: the content is trusted as complete without hashing it
// (--bt-seed-unverified=true: the tests generated it, and hashing a large
// file would only delay the start) and seeded forever (--seed-ratio=0.0).
// dir holds the torrent's top entry (info.name: the file, or the directory
// of a multi-file torrent).
func Aria2SeedArgs(torrentPath, dir string, port int, logPath string) []string {
	return append(Aria2Flags(),
		fmt.Sprintf("--listen-port=%d", port),
		"--dir="+dir,
		"--seed-ratio=0.0",
		"--bt-seed-unverified=true",
		"--check-integrity=false",
		"--bt-max-peers=0", // no limit
		"--log="+logPath,
		"--log-level=info",
		torrentPath,
	)
}

// Aria2DownloadArgs is the whole aria2c command line (after "aria2c") that
// downloads torrentPath into dir and exits once the download is complete
// and verified (--seed-time=0: no seeding afterwards), as the speed
// comparison uses it. port is aria2's own listen port (pick a free one).
// Run it as `aria2c <args...>`; it exits 0 on success.
func Aria2DownloadArgs(torrentPath, dir string, port int) []string {
	return append(Aria2Flags(),
		fmt.Sprintf("--listen-port=%d", port),
		"--dir="+dir,
		"--seed-time=0",
		"--allow-overwrite=true",
		"--auto-file-renaming=false",
		"--bt-max-peers=0",
		"--bt-stop-timeout=60", // give up when nothing arrives for a minute
		torrentPath,
	)
}

// StartAria2Seeder starts aria2c seeding the torrent at torrentPath from
// dir (the directory holding the torrent's top entry, see Aria2SeedArgs) on
// a free port of 127.0.0.1. It returns once aria2 accepts connections there,
// and checks that every socket it has is on loopback; aria2 is killed when
// the test ends. aria2 announces to the torrent's tracker right away, so
// whitelist the info hash in the tracker first.
func StartAria2Seeder(t testing.TB, torrentPath, dir string) *Aria2 {
	t.Helper()
	Require(t, "aria2c")
	for _, p := range []string{torrentPath, dir} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("realbt: aria2 seeder: %v", err)
		}
	}
	base := t.TempDir()
	a := startWithRetry(t, "aria2c", func(port int) (*Aria2, error) {
		logPath := filepath.Join(base, fmt.Sprintf("aria2c-%d.debug.log", port))
		p, err := startProcess(t, base, base, "aria2c", Aria2SeedArgs(torrentPath, dir, port, logPath)...)
		if err != nil {
			return nil, err
		}
		p.Logs = append(p.Logs, logPath)
		a := &Aria2{Addr: loopbackAddr(port), Process: p}
		if err := p.waitReady(aria2ReadyTimeout, "listening on "+a.Addr.String(), func() error {
			return aria2Listening(logPath, a.Addr)
		}); err != nil {
			return nil, p.killAfterFailedStart(err)
		}
		return a, nil
	})
	assertLoopbackNowAndAtEnd(t, a.Process)
	return a
}

// aria2Listening reports whether aria2 itself listens at addr (see
// listening): it logs "IPv4 BitTorrent: listening on TCP port N", or
// "failed to bind TCP port N" and carries on, seeding nothing.
func aria2Listening(logPath string, addr netip.AddrPort) error {
	return listening(logPath, addr,
		fmt.Sprintf("listening on TCP port %d", addr.Port()), fmt.Sprintf("failed to bind TCP port %d", addr.Port()))
}

// Aria2UTMetadataID is the ut_metadata id aria2 (1.36) advertises in its
// extension handshake (BEP 10), as PeerExtensions reads it. With PEX off,
// as Aria2Flags has it, its m holds nothing else ({"ut_metadata": 9}; with
// PEX on it adds ut_pex 8). Its v is "aria2/1.36.0", its reserved bytes
// 0000000000100004 (extensions and the Fast extension, BEP 6).
const Aria2UTMetadataID = 9
