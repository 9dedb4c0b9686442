package bencode

// Raw holds the exact encoded bytes of one bencoded value, such as
// d6:lengthi5ee. A client needs them for the info hash: it is the SHA-1 of
// the info dictionary exactly as it appears in the .torrent file, and
// decoding then re-encoding could change those bytes (unsorted keys, for
// example), and with them the hash.
type Raw []byte

// RawFields decodes a top-level dictionary (such as a whole .torrent file)
// in one pass: values holds each key's value as Decode returns it, and raw
// the exact bytes it was decoded from. Every value is fully checked, with
// the same rules as Decode, and data must hold exactly the dictionary.
//
// The Raw values share memory with data (no copy is made); copy them if data
// will change.
func RawFields(data []byte) (values map[string]any, raw map[string]Raw, err error) {
	d := newDecoder(data)
	if d.pos >= len(d.data) || d.data[d.pos] != 'd' {
		return nil, nil, d.errorf("expected a dictionary ('d'), got %s", d.found())
	}
	values = map[string]any{}
	raw, err = dictOf(d, 0, func(key string) (Raw, error) {
		start := d.pos
		v, err := d.value(1)
		if err != nil {
			return nil, err
		}
		values[key] = v
		// The three-index slice caps the capacity, so appending to one
		// Raw can never overwrite the bytes after it in data.
		return Raw(d.data[start:d.pos:d.pos]), nil
	})
	if err == nil {
		err = d.end()
	}
	if err != nil {
		return nil, nil, err
	}
	return values, raw, nil
}
