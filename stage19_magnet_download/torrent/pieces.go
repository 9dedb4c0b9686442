package torrent

import "crypto/sha1"

// A torrent's content is cut into pieces of PieceLength bytes; for a
// multi-file torrent the files are first joined into one stream, in list
// order, so a piece may span several files. The last piece holds whatever is
// left and is usually shorter. Pieces holds one 20-byte SHA-1 per piece, in
// order: after downloading piece i, a client hashes it and compares with
// PieceHash(i) before trusting a single byte of it (BEP 3, info dictionary).

// PieceHash returns the SHA-1 hash piece index must have. Like a slice
// index, index must be in [0, NumPieces()); check untrusted indexes first.
func (i *Info) PieceHash(index int) [20]byte {
	return [20]byte(i.Pieces[index*sha1.Size : (index+1)*sha1.Size])
}

// PieceSize returns the length of piece index: PieceLength, except for the
// last piece, which holds what is left of Length. index must be in
// [0, NumPieces()).
func (i *Info) PieceSize(index int) int64 {
	start := int64(index) * i.PieceLength
	return min(i.PieceLength, i.Length-start)
}

// FileSpan is the part of a piece that goes into one file: Length bytes at
// Offset in Files[File] (File 0 is a single-file torrent's one file).
type FileSpan struct {
	File           int
	Offset, Length int64
}

// PieceFiles returns where piece index's bytes go, in order. A piece ignores
// file ends, so it may cover the end of one file, whole files and the start
// of another; empty files get no span. index must be in [0, NumPieces()).
func (i *Info) PieceFiles(index int) []FileSpan {
	start := int64(index) * i.PieceLength
	end := start + i.PieceSize(index)
	if i.Files == nil {
		return []FileSpan{{File: 0, Offset: start, Length: end - start}}
	}
	var spans []FileSpan
	var fileStart int64 // of file f, in the joined stream
	for f := 0; f < len(i.Files) && fileStart < end; f++ {
		fileEnd := fileStart + i.Files[f].Length
		if lo, hi := max(start, fileStart), min(end, fileEnd); lo < hi {
			spans = append(spans, FileSpan{File: f, Offset: lo - fileStart, Length: hi - lo})
		}
		fileStart = fileEnd
	}
	return spans
}
