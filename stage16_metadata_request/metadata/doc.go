// Package metadata is BEP 9's metadata exchange (ut_metadata): the way a
// client that has only a magnet link (an info hash) gets the torrent's info
// dictionary, the metadata, from its peers.
//
// The metadata is cut into 16 KiB pieces (PieceSize), the last one
// shorter, numbered from 0. A client asks for a piece with a request, a
// bencoded dictionary carried in a BEP 10 extended message: message id 20,
// then the PEER's extended id for ut_metadata (from the peer's extension
// handshake), then
//
//	d8:msg_typei0e5:piecei0ee     {"msg_type": 0, "piece": 0}: send me piece 0
//
// Request builds that dictionary; Peer.RequestPieces sends requests for a
// run of pieces to a peer, in one write.
//
// https://www.bittorrent.org/beps/bep_0009.html
package metadata
