package download

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"workbook/stage17_metadata_receive/torrent"
)

// storage puts verified pieces in a temporary directory beside the output
// path (same file system: the final rename is atomic); commit moves them into
// place only once every piece is verified.
type storage struct {
	info  *torrent.Info
	out   string   // the output path the user asked for
	temp  string   // the temporary directory beside it
	done  string   // what commit renames to out: temp, or the one file in it
	paths []string // every file inside temp, in torrent order
}

// newStorage creates the temporary directory beside out, every file in it at
// full (sparse) length: an unwritable output fails before any traffic.
func newStorage(info *torrent.Info, out string) (*storage, error) {
	out = filepath.Clean(out) // "dir/" names dir, not a file inside it
	if err := checkOutput(out, info.Files != nil); err != nil {
		return nil, err
	}
	temp, err := os.MkdirTemp(filepath.Dir(out), "."+filepath.Base(out)+".*.part")
	if err != nil {
		return nil, fmt.Errorf("output %s is not writable: %w", out, err)
	}
	s := &storage{info: info, out: out, temp: temp, done: temp}
	files := info.Files
	if files == nil { // a single-file torrent: its one file is what goes to out
		files = []torrent.File{{Path: []string{filepath.Base(out)}, Length: info.Length}}
		s.done = filepath.Join(temp, filepath.Base(out))
	}
	for _, file := range files {
		path, err := s.create(file)
		if err != nil {
			s.abort()
			return nil, fmt.Errorf("output %s: %w", out, err)
		}
		s.paths = append(s.paths, path)
	}
	return s, nil
}

// checkOutput fails before any download when the final rename could not
// succeed: a directory where a file goes, or one with files in it.
func checkOutput(out string, dir bool) error {
	st, err := os.Stat(out)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("output %s is not writable: %w", out, err)
	case !dir && st.IsDir():
		return fmt.Errorf("output %s is a directory; give the path of the file to write", out)
	case dir && !st.IsDir():
		return fmt.Errorf("output %s is a file; a multi-file torrent needs a directory path", out)
	case dir:
		// An unreadable directory fails at MkdirTemp or the rename.
		if entries, _ := os.ReadDir(out); len(entries) > 0 {
			return fmt.Errorf("output directory %s is not empty", out)
		}
	}
	return nil
}

// create makes one file inside the temporary directory. torrent.Parse
// rejects "..", absolute paths and separators in names; the check here holds
// if it ever let one through. O_EXCL keeps two files of one path apart.
func (s *storage) create(file torrent.File) (string, error) {
	rel := filepath.Join(file.Path...)
	if len(file.Path) == 0 || !filepath.IsLocal(rel) || strings.Join(file.Path, "/") != filepath.ToSlash(rel) {
		return "", fmt.Errorf("file path %q would be written outside the output directory", strings.Join(file.Path, "/"))
	}
	path := filepath.Join(s.temp, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", err
	}
	return path, errors.Join(f.Truncate(file.Length), f.Close())
}

// writePiece writes a verified piece into the files it spans.
func (s *storage) writePiece(index int, data []byte) error {
	for _, span := range s.info.PieceFiles(index) {
		if err := writeAt(s.paths[span.File], data[:span.Length], span.Offset); err != nil {
			return fmt.Errorf("write piece %d: %w", index, err)
		}
		data = data[span.Length:]
	}
	return nil
}

// writeAt opens the file for each write: a torrent can hold more files than
// a process may open at once, and an open costs little next to a piece.
func writeAt(path string, data []byte, off int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteAt(data, off)
	return errors.Join(err, f.Close())
}

// commit flushes every file to disk (fsync) and renames the download to the
// output path. rename(2) is atomic, replaces an empty directory but not a
// full one, and is durable once the directory holding it is flushed.
func (s *storage) commit() error {
	for _, path := range s.paths {
		if err := syncPath(path); err != nil {
			return fmt.Errorf("flush %s: %w", path, err)
		}
	}
	// MkdirTemp made the directory private; the download is an ordinary one.
	if err := os.Chmod(s.temp, 0o755); err != nil {
		return fmt.Errorf("move download into place: %w", err)
	}
	if err := os.Rename(s.done, s.out); err != nil {
		return fmt.Errorf("move download into place: %w", err)
	}
	if err := syncPath(filepath.Dir(s.out)); err != nil {
		return fmt.Errorf("flush %s: %w", filepath.Dir(s.out), err)
	}
	return nil
}

func (s *storage) abort() {
	os.RemoveAll(s.temp)
}

func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	// Some file systems cannot fsync a directory; the data itself is safe.
	if err = f.Sync(); errors.Is(err, os.ErrInvalid) {
		err = nil
	}
	return errors.Join(err, f.Close())
}
