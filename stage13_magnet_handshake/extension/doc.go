// Package extension is BitTorrent's extension protocol (BEP 10): the way
// two peers agree on protocol extensions, such as fetching the info
// dictionary from each other (BEP 9's ut_metadata), on top of the peer wire
// protocol of package peer.
//
// A peer announces that it speaks the extension protocol with one bit of
// its handshake's 8 reserved bytes: bit 20 counted from the right, byte 5
// & 0x10. Reserved gives the bytes for our handshake, Supported reads a
// peer's. Both sides must set it before either may send extension messages.
//
// https://www.bittorrent.org/beps/bep_0010.html
package extension
