// Package download fetches pieces from peers over the peer wire protocol
// (BEP 3). One connection is a session: it says interested, waits to be
// unchoked, requests a piece block by block with as many requests in flight
// as the peer's rate and round trip call for (PipelineDepth to start), keeps
// only the blocks it asked for, and checks the piece's SHA-1 before anyone
// sees it. Piece fetches one piece over one connection;
// PieceFromPeers tries peers in turn until one delivers it.
//
// Download fetches a whole torrent: a session per peer, up to
// Options.MaxPeers at once, fed from one shared queue of pieces; the last
// pieces go to several peers (the endgame), and only a complete, verified
// download appears at the output path.
//
// https://www.bittorrent.org/beps/bep_0003.html#peer-messages
package download
