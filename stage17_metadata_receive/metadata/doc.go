// Package metadata is BEP 9's metadata exchange (ut_metadata): the way a
// client that has only a magnet link (an info hash) gets the torrent's info
// dictionary, the metadata, from its peers.
//
// The metadata is cut into 16 KiB pieces (PieceSize), the last one
// shorter, numbered from 0. Three messages travel inside BEP 10 extended
// messages (message id 20, then the receiver's extended id for
// ut_metadata):
//
//	request  d8:msg_typei0e5:piecei0ee                          send me piece 0
//	data     d8:msg_typei1e5:piecei0e10:total_sizei34256ee<bytes> here it is
//	reject   d8:msg_typei2e5:piecei0ee                          I will not
//
// A data message is the only one with bytes after its dictionary: the piece
// itself, raw. ParseMessage splits the two.
//
// Assembler puts the pieces together by index and checks the SHA-1 of the
// whole against the info hash: bytes that hash right are the torrent's
// info dictionary, whoever sent them. Fetch asks one Peer for every piece,
// pipelined (Peer.RequestPieces), and returns the verified metadata.
//
// https://www.bittorrent.org/beps/bep_0009.html
package metadata
