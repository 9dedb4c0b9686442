package bencode

import "fmt"

// MaxDepth is how deeply lists and dictionaries may nest. Real torrents nest
// a few levels; the bound stops hostile input such as a million 'l' bytes
// from exhausting the stack.
const MaxDepth = 512

// SyntaxError reports malformed bencode and the byte offset where decoding
// stopped.
type SyntaxError struct {
	Offset int    // byte offset into the input (0-based)
	Msg    string // what was expected and what was found
}

// Error returns the message in the form "bencode: at byte 7: expected 'e', got 'x'".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("bencode: at byte %d: %s", e.Offset, e.Msg)
}

// Decode decodes exactly one bencoded value that must span all of data:
// bytes left over after the value are an error, so "i1ei2e" is rejected.
//
// Strings decode to string, integers to int64, lists to []any and
// dictionaries to map[string]any. Dictionary keys must be strings and must
// not repeat; keys out of sorted order are accepted (BEP 3 asks encoders to
// sort them, but files with unsorted keys exist, and a client hashes the
// info dictionary's raw bytes anyway, see RawFields).
//
// Errors are *SyntaxError.
func Decode(data []byte) (any, error) {
	d := newDecoder(data)
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	if err := d.end(); err != nil {
		return nil, err
	}
	return v, nil
}

// DecodePrefix decodes the one bencoded value at the start of data and
// returns it with the number of bytes it took; what follows is the
// caller's. BEP 9's data message is such a case: a bencoded dictionary, then
// raw bytes of metadata. The same rules and errors as Decode apply to the
// value itself.
func DecodePrefix(data []byte) (v any, n int, err error) {
	d := newDecoder(data)
	if v, err = d.value(0); err != nil {
		return nil, 0, err
	}
	return v, d.pos, nil
}

// decoder walks data with an offset instead of an io.Reader: the whole value
// is in memory anyway (a .torrent file, a tracker response), and slicing is
// both faster and lets every error name its exact byte.
type decoder struct {
	data []byte
	text string // a copy of data: decoded strings are substrings of it
	pos  int    // offset of the next unread byte
}

// newDecoder returns a decoder positioned at the start of data.
func newDecoder(data []byte) *decoder {
	return &decoder{data: data, text: string(data)}
}

// value decodes the value starting at d.pos. depth counts the lists and
// dictionaries around it.
func (d *decoder) value(depth int) (any, error) {
	if d.pos >= len(d.data) {
		return nil, d.errorf("expected a value, got %s", d.found())
	}
	switch c := d.data[d.pos]; {
	case c >= '0' && c <= '9':
		return d.string()
	case c == 'i':
		return d.integer()
	case c == 'l':
		return d.list(depth)
	case c == 'd':
		return d.dict(depth)
	default:
		return nil, d.errorf("expected a value (a digit, 'i', 'l' or 'd'), got %s", d.found())
	}
}

// string decodes <length>:<bytes>. The length is checked against the bytes
// left in the input before anything is allocated, so "99999999999:x" fails
// at once instead of asking for 100 GB.
func (d *decoder) string() (string, error) {
	start := d.pos
	n, err := d.length()
	if err != nil {
		return "", err
	}
	if n > len(d.data)-d.pos {
		return "", d.errorAt(start, "string length %d runs past the end of the input (%d bytes left)", n, len(d.data)-d.pos)
	}
	// Slicing d.text costs no copy and no allocation: all strings of one
	// Decode share a single copy of the input (see decoder.text).
	s := d.text[d.pos : d.pos+n]
	d.pos += n
	return s, nil
}

// length decodes the decimal length of a string and the ':' after it.
func (d *decoder) length() (int, error) {
	start := d.pos
	n := 0
	for d.pos < len(d.data) && isDigit(d.data[d.pos]) {
		if n > len(d.data) {
			// Longer than the whole input: stop before n can overflow.
			return 0, d.errorAt(start, "string length runs past the end of the input (%d bytes)", len(d.data))
		}
		n = n*10 + int(d.data[d.pos]-'0')
		d.pos++
	}
	if d.pos-start > 1 && d.data[start] == '0' {
		return 0, d.errorAt(start, "string length has a leading zero")
	}
	if err := d.expect(':'); err != nil {
		return 0, err
	}
	return n, nil
}

// integer decodes i<decimal>e. Only the canonical form is accepted (BEP 3:
// "i-0e is invalid. All encodings with a leading zero, such as i03e, are
// invalid"), so every integer has exactly one encoding. It must fit in int64.
func (d *decoder) integer() (int64, error) {
	d.pos++ // 'i'
	start := d.pos
	negative := d.pos < len(d.data) && d.data[d.pos] == '-'
	if negative {
		d.pos++
	}
	digits := d.pos
	// Accumulate as a negative number: int64 holds one more negative value
	// than positive ones (-9223372036854775808), so this covers both signs.
	var n int64
	for d.pos < len(d.data) && isDigit(d.data[d.pos]) {
		digit := int64(d.data[d.pos] - '0')
		// Stop before n*10 - digit would fall below minInt64: two
		// comparisons, where n < (minInt64+digit)/10 would cost a division
		// for every digit.
		if n < minInt64/10 || n*10 < minInt64+digit {
			return 0, d.errorAt(start, "integer does not fit in 64 bits")
		}
		n = n*10 - digit
		d.pos++
	}
	switch {
	case d.pos == digits:
		return 0, d.errorf("expected a digit, got %s", d.found())
	case d.data[digits] == '0' && d.pos-digits > 1:
		return 0, d.errorAt(digits, "integer has a leading zero")
	case negative && n == 0:
		return 0, d.errorAt(start, "negative zero is not a valid integer")
	}
	if err := d.expect('e'); err != nil {
		return 0, err
	}
	if negative {
		return n, nil
	}
	if n == minInt64 {
		return 0, d.errorAt(start, "integer does not fit in 64 bits")
	}
	return -n, nil
}

const minInt64 = -1 << 63

// list decodes l<values>e.
func (d *decoder) list(depth int) ([]any, error) {
	if depth >= MaxDepth {
		return nil, d.errorf("lists and dictionaries nest deeper than %d levels", MaxDepth)
	}
	d.pos++ // 'l'
	// Not nil: an empty list must print as [] in JSON, not null.
	list := []any{}
	for !d.consume('e') {
		if d.pos >= len(d.data) {
			return nil, d.errorf("expected a value or 'e' to end the list, got end of input")
		}
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
	}
	return list, nil
}

// dict decodes d<key><value>...e into a map.
func (d *decoder) dict(depth int) (map[string]any, error) {
	return dictOf(d, depth, func(string) (any, error) { return d.value(depth + 1) })
}

// dictOf decodes the dictionary at d.pos, calling value to decode the value
// of each key: Decode wants the decoded value, RawFields also its raw
// bytes. Keys must be strings and may appear only once; their order is not
// checked (see Decode).
func dictOf[V any](d *decoder, depth int, value func(key string) (V, error)) (map[string]V, error) {
	if depth >= MaxDepth {
		return nil, d.errorf("lists and dictionaries nest deeper than %d levels", MaxDepth)
	}
	d.pos++ // 'd'
	m := map[string]V{}
	for !d.consume('e') {
		keyPos := d.pos
		if d.pos >= len(d.data) || !isDigit(d.data[d.pos]) {
			return nil, d.errorf("expected a string key or 'e' to end the dictionary, got %s", d.found())
		}
		key, err := d.string()
		if err != nil {
			return nil, err
		}
		if _, dup := m[key]; dup {
			return nil, d.errorAt(keyPos, "duplicate dictionary key %q", key)
		}
		v, err := value(key)
		if err != nil {
			return nil, err
		}
		m[key] = v
	}
	return m, nil
}

// consume reports whether the next byte is c and steps over it if so.
func (d *decoder) consume(c byte) bool {
	if d.pos < len(d.data) && d.data[d.pos] == c {
		d.pos++
		return true
	}
	return false
}

// expect steps over c or reports what was there instead.
func (d *decoder) expect(c byte) error {
	if !d.consume(c) {
		return d.errorf("expected %q, got %s", c, d.found())
	}
	return nil
}

// end checks that the whole input was used.
func (d *decoder) end() error {
	if d.pos != len(d.data) {
		return d.errorf("expected end of input after the value, got %s", d.found())
	}
	return nil
}

// found describes the byte at d.pos for an error message.
func (d *decoder) found() string {
	if d.pos >= len(d.data) {
		return "end of input"
	}
	c := d.data[d.pos]
	if c >= ' ' && c <= '~' {
		return fmt.Sprintf("%q", c)
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

func (d *decoder) errorf(format string, args ...any) error {
	return d.errorAt(d.pos, format, args...)
}

func (d *decoder) errorAt(offset int, format string, args ...any) error {
	return &SyntaxError{Offset: offset, Msg: fmt.Sprintf(format, args...)}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
