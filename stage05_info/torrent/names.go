package torrent

import (
	"errors"
	"fmt"
	"strings"
)

// KeyError reports a metainfo key that is missing, has the wrong type, or
// holds a value a client must refuse.
type KeyError struct {
	Key string // dotted path, e.g. "info.piece length" or "info.files[1].path"
	Msg string // what is wrong
	Err error  // the underlying error, if any (for errors.Is and errors.As)
}

// Error returns "torrent: <key>: <msg>", e.g.
// "torrent: info.piece length: must be positive, got -1".
func (e *KeyError) Error() string { return "torrent: " + e.Key + ": " + e.Msg }

// Unwrap returns the underlying error, or nil.
func (e *KeyError) Unwrap() error { return e.Err }

// keyErrorf makes a *KeyError. A %w verb in format keeps the wrapped error
// for errors.Is and errors.As (the message reads the same as with %v).
func keyErrorf(key, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &KeyError{Key: key, Msg: err.Error(), Err: errors.Unwrap(err)}
}

// dict is a decoded bencode dictionary that knows where it sits in the file
// (its path, e.g. "info" or "info.files[2]"), so every error names the full key.
type dict struct {
	path   string
	values map[string]any
}

// key is the full name of one of the dictionary's keys.
func (d dict) key(name string) string {
	if d.path == "" {
		return name
	}
	return d.path + "." + name
}

func (d dict) has(name string) bool {
	_, ok := d.values[name]
	return ok
}

// get returns the value of a required key.
func (d dict) get(name string) (any, error) {
	v, ok := d.values[name]
	if !ok {
		return nil, keyErrorf(d.key(name), "missing")
	}
	return v, nil
}

func (d dict) string(name string) (string, error) {
	v, err := d.get(name)
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", keyErrorf(d.key(name), "want a string, got %s", kind(v))
	}
	return s, nil
}

func (d dict) int(name string) (int64, error) {
	v, err := d.get(name)
	if err != nil {
		return 0, err
	}
	n, ok := v.(int64)
	if !ok {
		return 0, keyErrorf(d.key(name), "want an integer, got %s", kind(v))
	}
	return n, nil
}

func (d dict) list(name string) ([]any, error) {
	v, err := d.get(name)
	if err != nil {
		return nil, err
	}
	l, ok := v.([]any)
	if !ok {
		return nil, keyErrorf(d.key(name), "want a list, got %s", kind(v))
	}
	return l, nil
}

func (d dict) dict(name string) (dict, error) {
	v, err := d.get(name)
	if err != nil {
		return dict{}, err
	}
	return asDict(d.key(name), v)
}

func asDict(path string, v any) (dict, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return dict{}, keyErrorf(path, "want a dictionary, got %s", kind(v))
	}
	return dict{path: path, values: m}, nil
}

// announceList reads BEP 12 tiers: a list of lists of URLs. Absent is fine.
func (d dict) announceList(name string) ([][]string, error) {
	if !d.has(name) {
		return nil, nil
	}
	tiers, err := d.list(name)
	if err != nil {
		return nil, err
	}
	out := make([][]string, len(tiers))
	for i, tier := range tiers {
		urls, ok := tier.([]any)
		if !ok {
			return nil, keyErrorf(d.key(name), "tier %d: want a list of URLs, got %s", i, kind(tier))
		}
		for j, u := range urls {
			s, ok := u.(string)
			if !ok {
				return nil, keyErrorf(d.key(name), "tier %d, URL %d: want a string, got %s", i, j, kind(u))
			}
			out[i] = append(out[i], s)
		}
	}
	return out, nil
}

// kind names a decoded value's bencode type for error messages.
func kind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case []any:
		return "a list"
	case map[string]any:
		return "a dictionary"
	}
	return fmt.Sprintf("%T", v)
}

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
