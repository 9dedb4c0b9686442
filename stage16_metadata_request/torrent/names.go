package torrent

import (
	"errors"
	"fmt"
	"strings"
)

// ErrUnsafeName is what errors.Is finds in the error for a name or path
// element that would place a file outside the torrent's own directory
// (empty, ".", "..", a separator or a NUL byte).
var ErrUnsafeName = errors.New("unsafe file name")

// nameError is checkName's error: its own message, and errors.Is(err,
// ErrUnsafeName) is true.
type nameError string

func (e nameError) Error() string        { return string(e) }
func (e nameError) Is(target error) bool { return target == ErrUnsafeName }

// checkName rejects a file name or path element that would make the client
// create a file somewhere other than inside the torrent's own directory.
// The torrent decides names; the user decides where they land.
func checkName(s string) error {
	switch {
	case s == "":
		return nameError("empty name")
	case s == ".":
		return nameError(`"." names the directory itself, not a file`)
	case s == "..":
		return nameError(`".." would climb out of the torrent's directory`)
	case strings.ContainsAny(s, `/\`):
		return nameError(fmt.Sprintf("%q contains a path separator", s))
	case strings.ContainsRune(s, 0):
		return nameError(fmt.Sprintf("%q contains a NUL byte", s))
	}
	return nil
}
