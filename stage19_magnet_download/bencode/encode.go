package bencode

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// Encode returns the bencoding of v, which may be a string, []byte, int,
// int64, []any, map[string]any or Raw, nested in any combination.
// Dictionary keys are written in sorted byte order, as BEP 3 requires, so
// the encoding is canonical: Encode(Decode(b)) gives back b for canonical b.
// Raw is written verbatim: the caller vouches that it is valid bencode.
//
// Any other type, such as bool, float64, nil or []string, is an error, as is
// nesting deeper than MaxDepth (which also stops a list that contains
// itself).
func Encode(v any) ([]byte, error) {
	buf, err := appendValue(nil, v, 0)
	if err != nil {
		return nil, fmt.Errorf("bencode: %w", err)
	}
	return buf, nil
}

// appendValue appends the encoding of v to buf. depth counts the lists and
// dictionaries around v.
func appendValue(buf []byte, v any, depth int) ([]byte, error) {
	switch v := v.(type) {
	case string:
		return appendString(buf, v), nil
	case []byte:
		buf = appendLength(buf, len(v))
		return append(buf, v...), nil
	case int:
		return appendInt(buf, int64(v)), nil
	case int64:
		return appendInt(buf, v), nil
	case Raw:
		return append(buf, v...), nil
	case []any:
		return appendList(buf, v, depth)
	case map[string]any:
		return appendDict(buf, v, depth)
	default:
		return nil, fmt.Errorf("cannot encode a value of type %T", v)
	}
}

// appendString appends <length>:<bytes>; the length counts bytes.
func appendString(buf []byte, s string) []byte {
	buf = appendLength(buf, len(s))
	return append(buf, s...)
}

// appendLength appends the <length>: that starts a string.
func appendLength(buf []byte, n int) []byte {
	buf = strconv.AppendInt(buf, int64(n), 10)
	return append(buf, ':')
}

// appendInt appends i<decimal>e; strconv never writes a leading zero or -0.
func appendInt(buf []byte, n int64) []byte {
	buf = append(buf, 'i')
	buf = strconv.AppendInt(buf, n, 10)
	return append(buf, 'e')
}

// appendList appends l<values>e.
func appendList(buf []byte, list []any, depth int) ([]byte, error) {
	if depth >= MaxDepth {
		return nil, fmt.Errorf("cannot encode lists and dictionaries nested deeper than %d levels", MaxDepth)
	}
	buf = append(buf, 'l')
	for _, item := range list {
		var err error
		if buf, err = appendValue(buf, item, depth+1); err != nil {
			return nil, err
		}
	}
	return append(buf, 'e'), nil
}

// appendDict appends d<key><value>...e with the keys sorted, so that equal
// dictionaries always encode to equal bytes (and hash alike).
func appendDict(buf []byte, dict map[string]any, depth int) ([]byte, error) {
	if depth >= MaxDepth {
		return nil, fmt.Errorf("cannot encode lists and dictionaries nested deeper than %d levels", MaxDepth)
	}
	buf = append(buf, 'd')
	for _, key := range slices.Sorted(maps.Keys(dict)) {
		buf = appendString(buf, key)
		var err error
		if buf, err = appendValue(buf, dict[key], depth+1); err != nil {
			return nil, err
		}
	}
	return append(buf, 'e'), nil
}
