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
// Decode reads strings, integers and lists, as Go values string (holding
// bytes, which need not be UTF-8), int64 and []any. Dictionaries are a
// *SyntaxError.
package bencode
