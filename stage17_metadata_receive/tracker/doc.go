// Package tracker asks an HTTP tracker for peers (BEP 3,
// https://www.bittorrent.org/beps/bep_0003.html#trackers): an announce is a
// GET request naming the torrent (info_hash), the client (peer_id, port) and
// what it still needs (left); the answer is a bencoded dictionary listing
// other peers. Client.AnnounceTiers walks a torrent's tiers (BEP 12).
package tracker
