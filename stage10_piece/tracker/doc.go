// Package tracker asks an HTTP tracker for peers (BEP 3): an announce is a
// GET request whose query names the torrent (info_hash), the client
// (peer_id, port) and what it still needs (left); the answer is a bencoded
// dictionary listing other peers. Client.Announce asks one tracker,
// Client.AnnounceTiers a torrent's tiers of trackers (BEP 12).
//
// https://www.bittorrent.org/beps/bep_0003.html#trackers
package tracker
