// Package download fetches pieces from peers over the peer wire protocol
// (BEP 3).
//
// One connection is a session: it tells the peer it is interested, waits
// to be unchoked, requests a piece block by block with PipelineDepth
// requests in flight, keeps only the blocks it asked for, and checks the
// piece's SHA-1 before anyone gets to see it. Piece fetches one piece over
// one connection; PieceFromPeers tries peers one after another until one
// delivers it.
//
// https://www.bittorrent.org/beps/bep_0003.html#peer-messages
package download
