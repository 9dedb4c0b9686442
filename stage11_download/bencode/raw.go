package bencode

// Raw holds the exact encoded bytes of one bencoded value, such as
// d6:lengthi5ee. A client needs them for the info hash: it is the SHA-1 of
// the info dictionary exactly as it appears in the .torrent file, and
// decoding then re-encoding could change those bytes (unsorted keys, for
// example), and with them the hash.
type Raw []byte

// RawFields decodes a top-level dictionary (such as a whole .torrent file)
// into its keys, each with the raw bytes of its value. Every value is fully
// checked, with the same rules as Decode, and data must hold exactly the
// dictionary.
//
// The Raw values share memory with data (no copy is made); copy them if data
// will change.
func RawFields(data []byte) (map[string]Raw, error) {
	d := newDecoder(data)
	if d.pos >= len(d.data) || d.data[d.pos] != 'd' {
		return nil, d.errorf("expected a dictionary ('d'), got %s", d.found())
	}
	fields, err := dictOf(d, 0, func() (Raw, error) {
		start := d.pos
		if _, err := d.value(1); err != nil {
			return nil, err
		}
		// The three-index slice caps the capacity, so appending to one
		// Raw can never overwrite the bytes after it in data.
		return Raw(d.data[start:d.pos:d.pos]), nil
	})
	if err != nil {
		return nil, err
	}
	if err := d.end(); err != nil {
		return nil, err
	}
	return fields, nil
}
