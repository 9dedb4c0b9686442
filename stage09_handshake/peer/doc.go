// Package peer talks to other BitTorrent peers: it makes this client's
// peer id and opens a connection to a peer with the handshake of BEP 3,
// within a time limit, so a silent peer costs a bounded wait.
//
// https://www.bittorrent.org/beps/bep_0003.html#peer-protocol
package peer
