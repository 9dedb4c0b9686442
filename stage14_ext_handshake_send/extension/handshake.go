package extension

import (
	"fmt"

	"workbook/stage14_ext_handshake_send/bencode"
	"workbook/stage14_ext_handshake_send/peer"
)

// MessageID is the peer message id of every extension message (BEP 10):
// its payload starts with an extended message id, then that message's
// body.
const MessageID peer.MessageID = 20

// HandshakeID is the extended message id of the extension handshake. Every
// other extended id is chosen by the receiver, in its own handshake's m.
const HandshakeID = 0

// UTMetadata is the name BEP 9's metadata exchange goes by in m.
const UTMetadata = "ut_metadata"

// Handshake is the dictionary of an extension handshake (BEP 10).
type Handshake struct {
	// M maps each extension the sender speaks to the extended message id
	// it wants to receive that extension's messages under (1-255): ids
	// are chosen by the receiver, per connection.
	M map[string]int
	// V is the sender's name and version, such as "aria2/1.36.0"; "" when
	// not sent.
	V string
}

// Message returns h as an extension handshake on the wire: message id 20,
// extended id 0, then h's bencoded dictionary
//
//	d 1:m d 11:ut_metadata i1e e 1:v 14:workbook/0.0.1 e
func (h Handshake) Message() (*peer.Message, error) {
	m := make(map[string]any, len(h.M))
	for name, id := range h.M {
		m[name] = id
	}
	dict := map[string]any{"m": m}
	if h.V != "" {
		dict["v"] = h.V
	}
	b, err := bencode.Encode(dict)
	if err != nil {
		return nil, fmt.Errorf("extension handshake: %w", err)
	}
	return &peer.Message{ID: MessageID, Payload: append([]byte{HandshakeID}, b...)}, nil
}
