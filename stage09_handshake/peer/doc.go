// Package peer opens connections to other BitTorrent peers (BEP 3): it
// makes this client's peer id, shakes hands with a peer, and frames the
// messages that follow the handshake (a length prefix, an id, a payload),
// each read and write with a time limit and each length capped before
// anything is allocated, so a silent or hostile peer costs a bounded wait
// and no memory.
//
// https://www.bittorrent.org/beps/bep_0003.html#peer-protocol
package peer
