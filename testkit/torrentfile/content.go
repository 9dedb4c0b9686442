package torrentfile

import (
	"encoding/binary"
	"errors"
	"io"
)

// Content is deterministic pseudo-random data of Size bytes: the same Seed
// always gives the same bytes, and any range can be produced on demand with
// ReadAt. Tests use it as the payload of a torrent (the concatenation of all
// its files, in order) without ever holding a big file in memory: a fake
// seeder serves pieces straight from ReadAt, a download check compares the
// written file against it chunk by chunk.
type Content struct {
	Seed uint64
	Size int64
}

// ReadAt implements io.ReaderAt. Aligned 8-byte word i is output i of a
// SplitMix64 generator seeded with Seed, so any offset is computed on its own.
func (c Content) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("torrentfile: negative offset")
	}
	if off >= c.Size {
		return 0, io.EOF
	}
	n := len(p)
	if rest := c.Size - off; int64(n) > rest {
		n = int(rest)
	}
	var word [8]byte
	for i := 0; i < n; {
		pos := off + int64(i)
		binary.LittleEndian.PutUint64(word[:], splitmix64(c.Seed+uint64(pos/8)*0x9E3779B97F4A7C15))
		i += copy(p[i:n], word[pos%8:])
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Reader returns a reader over the whole content.
func (c Content) Reader() io.Reader { return io.NewSectionReader(c, 0, c.Size) }

// Range returns bytes [off, off+n) of the content, cut at its end.
func (c Content) Range(off, n int64) []byte {
	if off < 0 || off >= c.Size || n <= 0 {
		return nil
	}
	n = min(n, c.Size-off)
	buf := make([]byte, n)
	_, _ = c.ReadAt(buf, off) // cannot fail inside [0, Size)
	return buf
}

// Bytes returns the whole content. Only for small torrents: it allocates Size bytes.
func (c Content) Bytes() []byte { return c.Range(0, c.Size) }

// splitmix64 is the finaliser of the SplitMix64 generator: a cheap, well-mixed
// hash of one 64-bit word.
func splitmix64(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}
