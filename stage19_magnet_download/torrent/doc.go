// Package torrent reads metainfo (.torrent) files: the tracker URL, the file
// name(s) and lengths, and the piece hashes that let a client check every
// downloaded piece (BEP 3, https://www.bittorrent.org/beps/bep_0003.html;
// announce-list tiers: BEP 12, https://www.bittorrent.org/beps/bep_0012.html).
//
// A .torrent file is one bencoded dictionary:
//
//	d
//	  8:announce  35:http://127.0.0.1:6969/announce
//	  4:info d
//	    6:length       i92063e      (or 5:files, a list of {length, path})
//	    4:name         10:sample.txt
//	    12:piece length i16384e
//	    6:pieces       120:<6 SHA-1 hashes, 20 bytes each>
//	  e
//	e
//
// Parse checks everything a client relies on later and rejects the rest with
// a *bencode.KeyError naming the key, so a hostile file never reaches the
// code that allocates buffers or creates files.
//
// Metainfo.InfoHash, the SHA-1 of the info dictionary's bytes exactly as
// they are in the file, names the torrent to trackers and peers.
// Info.PieceHash and Info.PieceSize give each piece's hash and length,
// Info.PieceFiles where its bytes fall in the torrent's files.
// Metainfo.Tiers lists the trackers to announce to (BEP 12).
package torrent
