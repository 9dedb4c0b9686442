// Package realbt starts real BitTorrent programs from Debian (opentracker,
// aria2c, qbittorrent-nox) on 127.0.0.1 for the workbook's real-program
// tests, and stops them when the test ends.
//
// The workbook's client must work with the programs people actually run, not
// only with the fakes of testkit/tracker and testkit/swarm. These tests
// prove that, under two rules:
//
//   - Nothing leaves 127.0.0.0/8. Every program is bound to 127.0.0.1, with
//     DHT, peer exchange, local peer discovery, UPnP/NAT-PMP, proxies and
//     every "phone home" feature off, and every Start function checks
//     (AssertLoopbackOnly, which reads the program's sockets from /proc as
//     `ss -tunap` shows them) that they are all on loopback, once it is
//     ready and again when the test ends.
//   - CI never skips. Require skips a test when a program is not installed,
//     except when the CI environment variable is set: then it fails.
//
// A typical test:
//
//	realbt.Require(t, "opentracker", "aria2c", "qbittorrent-nox")
//	tr := realbt.StartOpentracker(t, infoHash)       // whitelists infoHash
//	// … write a .torrent announcing to tr.AnnounceURL, content in dir …
//	a := realbt.StartAria2Seeder(t, torrentPath, dir) // a.Addr is 127.0.0.1:<port>
//	q := realbt.StartQBittorrentSeeder(t, torrentPath, dir)
//	tr.WaitForPeers(t, infoHash, 30*time.Second, a.Addr, q.Addr)
//	// … run the client against tr.AnnounceURL or a.Addr, q.Addr …
//
// PeerExtensions asks a running seeder for its extension handshake (BEP 10),
// e.g. the ut_metadata id a magnet stage must print (Aria2UTMetadataID,
// QBittorrentUTMetadataID); PeerMetadata fetches its metadata (BEP 9).
//
// Every program is killed (and waited for) in t.Cleanup; its output is kept
// in t.TempDir() and the tail is logged when the test fails.
package realbt
