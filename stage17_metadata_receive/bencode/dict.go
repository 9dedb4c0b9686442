package bencode

import (
	"errors"
	"fmt"
)

// KeyError reports a dictionary key that is missing, holds the wrong type of
// value, or holds a value the caller must refuse.
type KeyError struct {
	Key string // full path, e.g. "info.piece length" or "info.files[1].path"; "" for a whole document
	Msg string // what is wrong
	Err error  // the underlying error, if any (for errors.Is and errors.As)
}

// Error returns "<key>: <msg>", e.g. "info.piece length: must be positive,
// got -1", or just the message when the whole document is at fault.
func (e *KeyError) Error() string {
	if e.Key == "" {
		return e.Msg
	}
	return e.Key + ": " + e.Msg
}

// Unwrap returns the underlying error, or nil.
func (e *KeyError) Unwrap() error { return e.Err }

// Dict reads a decoded dictionary key by key: each getter checks the type of
// the value, and every error is a *KeyError naming the full key, so that a
// complaint from deep inside a file still says where it is.
type Dict struct {
	Path   string         // where the dictionary sits: "" at the top, "info", "info.files[2]"
	Values map[string]any // its keys and values, as Decode returns them
}

// AsDict returns v, the decoded value at path, as a Dict; a *KeyError naming
// path when v is not a dictionary.
func AsDict(path string, v any) (Dict, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return Dict{}, &KeyError{Key: path, Msg: "want a dictionary, got " + Kind(v)}
	}
	return Dict{Path: path, Values: m}, nil
}

// Key is the full path of the dictionary's key name, for messages.
func (d Dict) Key(name string) string {
	if d.Path == "" {
		return name
	}
	return d.Path + "." + name
}

// Has reports whether the dictionary holds key name.
func (d Dict) Has(name string) bool {
	_, ok := d.Values[name]
	return ok
}

// Errorf returns a *KeyError for key name. A %w verb in format keeps the
// wrapped error for errors.Is and errors.As (the message reads the same as
// with %v).
func (d Dict) Errorf(name, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &KeyError{Key: d.Key(name), Msg: err.Error(), Err: errors.Unwrap(err)}
}

// value returns the value of the required key name, of any type.
func (d Dict) value(name string) (any, error) {
	v, ok := d.Values[name]
	if !ok {
		return nil, d.Errorf(name, "missing")
	}
	return v, nil
}

// String returns the required key name, which must hold a string.
func (d Dict) String(name string) (string, error) { return get[string](d, name) }

// Int returns the required key name, which must hold an integer.
func (d Dict) Int(name string) (int64, error) { return get[int64](d, name) }

// List returns the required key name, which must hold a list.
func (d Dict) List(name string) ([]any, error) { return get[[]any](d, name) }

// Dict returns the required key name, which must hold a dictionary.
func (d Dict) Dict(name string) (Dict, error) {
	v, err := d.value(name)
	if err != nil {
		return Dict{}, err
	}
	return AsDict(d.Key(name), v)
}

// get returns the required key name if its value has type T.
func get[T any](d Dict, name string) (T, error) {
	var t T
	v, err := d.value(name)
	if err != nil {
		return t, err
	}
	t, ok := v.(T)
	if !ok {
		return t, d.Errorf(name, "want %s, got %s", Kind(t), Kind(v))
	}
	return t, nil
}

// Kind names the type of a decoded value for messages: "a string", "an
// integer", "a list" or "a dictionary".
func Kind(v any) string {
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
