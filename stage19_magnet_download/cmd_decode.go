package main

import (
	"encoding/json"
	"io"

	"workbook/stage19_magnet_download/bencode"
)

// runDecode implements `decode <bencoded>`: it prints the decoded value as
// one line of JSON, the way the course expects (no spaces, object keys
// sorted).
func runDecode(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		return usageError(stderr, "decode takes one argument: the bencoded value")
	}
	v, err := bencode.Decode([]byte(args[0]))
	if err != nil {
		return fail(stderr, err)
	}
	// A bencoded string holds bytes; JSON strings hold Unicode text. Bytes
	// that are not valid UTF-8 print as \ufffd (the replacement character):
	// JSON cannot carry them as they are. Maps print with sorted keys, and
	// SetEscapeHTML(false) keeps <, > and & as they are instead of \u003c.
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fail(stderr, err)
	}
	return 0
}
