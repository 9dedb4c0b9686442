// Package magnet parses magnet links, the way most torrents are shared
// today: a URI naming a torrent by its info hash alone, with optional
// trackers, a display name and peer addresses (BEP 9):
//
//	magnet:?xt=urn:btih:<info hash>&dn=<name>&tr=<tracker URL>&x.pe=<ip:port>
//
// The info hash is 40 hex digits or 32 base32 characters; the query is
// percent-decoded by net/url. A link gives no length, no piece hashes and no
// file names: those are in the info dictionary, which peers send on request
// (BEP 9's ut_metadata, over BEP 10's extension protocol).
//
// https://www.bittorrent.org/beps/bep_0009.html#magnet-uri-format
package magnet
