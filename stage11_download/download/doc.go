// Package download fetches a torrent's pieces from peers over the peer wire
// protocol (BEP 3).
//
// One connection is a session: it tells the peer it is interested, waits
// to be unchoked, requests pieces block by block with PipelineDepth
// requests in flight, keeps only the blocks it asked for, and checks each
// piece's SHA-1 before anyone gets to see it. Piece and PieceFromPeers
// fetch one piece that way. Download runs a session per peer, up to
// Options.MaxPeers at once, over one shared queue of pieces: a piece a
// peer fails to deliver goes to another, the last pieces go to several
// peers at once (the endgame), verified pieces go to disk at their offsets,
// and only a complete, verified download appears at the output path.
//
// https://www.bittorrent.org/beps/bep_0003.html#peer-messages
package download
