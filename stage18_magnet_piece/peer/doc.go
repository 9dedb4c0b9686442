// Package peer speaks the peer wire protocol of BEP 3: it makes this
// client's peer id, shakes hands with a peer, and reads and writes the
// messages that follow (choke, unchoke, interested, have, bitfield,
// request, piece, cancel), each with a time limit and a length cap, so a
// silent or hostile peer costs a bounded wait and no memory.
//
// https://www.bittorrent.org/beps/bep_0003.html#peer-protocol
package peer
