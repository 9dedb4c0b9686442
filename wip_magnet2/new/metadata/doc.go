// Package metadata fetches a torrent's info dictionary from peers, with
// BEP 9's ut_metadata extension, so that a magnet link (which holds only the
// info hash) is enough to start a download.
//
// The info dictionary (the metadata) is cut into 16 KiB pieces, the last one
// shorter. Three messages travel inside BEP 10 extended messages (message id
// 20, then the receiver's extension id for ut_metadata):
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
// info dictionary, whoever sent them. Fetch asks one peer for every piece,
// pipelined, and returns the verified metadata.
//
// https://www.bittorrent.org/beps/bep_0009.html
package metadata
