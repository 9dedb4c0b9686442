// Package bencode reads bencode, the encoding BitTorrent uses for .torrent
// files and tracker responses (BEP 3,
// https://www.bittorrent.org/beps/bep_0003.html).
//
// Bencode has four kinds of value, each announced by its first byte:
//
//	5:hello        string: decimal length, ':', that many bytes
//	i52e           integer: 'i', decimal, 'e'
//	l5:helloi52ee  list: 'l', values, 'e'
//	d3:fooi1ee     dictionary: 'd', string key and value pairs, 'e'
//
// Decode reads all four, as Go values string (holding bytes, which need not
// be UTF-8), int64, []any and map[string]any. RawFields reads a top-level
// dictionary and also keeps the exact bytes of each value (Raw): the info
// hash is the SHA-1 of the info dictionary's bytes as they are in the file.
//
// Dict reads a decoded dictionary key by key, checking the type of each
// value; its errors are *KeyError, naming the full key ("info.piece
// length"), which is what a user needs to hear about a broken file.
//
// Encode writes a value back as bencode, with dictionary keys sorted as BEP 3
// requires, and Raw values as they are.
package bencode
