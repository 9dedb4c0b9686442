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
// Extension messages are peer message 20 (MessageID); the first byte of the
// payload is an extended message id. Id 0 (HandshakeID) is the extension
// handshake, which each side sends once, right after the BitTorrent
// handshake: a bencoded dictionary whose m maps the names of the
// extensions the sender speaks to the ids it wants to receive them under
// (Handshake.Message builds one). ReadHandshake waits for the peer's,
// skipping what may come first, and ParseHandshake reads it as a stranger's
// bencode: its length is capped before it is read (the connection's
// message cap), keys of the wrong type are ignored, metadata_size is
// capped (MaxMetadataSize), and Handshake.ExtendedID accepts only an id a
// byte can carry.
//
// https://www.bittorrent.org/beps/bep_0010.html
package extension
