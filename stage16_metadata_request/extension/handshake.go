package extension

import (
	"errors"
	"fmt"

	"workbook/stage16_metadata_request/bencode"
	"workbook/stage16_metadata_request/peer"
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

// MaxMetadataSize caps the metadata_size a peer may announce (BEP 9): 8
// MiB, an info dictionary of over 400 000 piece hashes, far beyond any
// torrent people share (a 100 GiB torrent in 1 MiB pieces has 2 MiB of
// hashes). A stranger's number is never trusted beyond it: stages to come
// allocate the metadata by it.
const MaxMetadataSize = 8 << 20

// Errors of a peer's extension handshake; callers branch on them with
// errors.Is.
var (
	// ErrNotSupported: the peer does not offer the extension we need.
	ErrNotSupported = errors.New("extension not supported")
	// ErrMetadataTooLarge: metadata_size is over MaxMetadataSize.
	ErrMetadataTooLarge = errors.New("metadata too large")
)

// Handshake is the dictionary of an extension handshake (BEP 10).
type Handshake struct {
	// M maps each extension the sender speaks to the extended message id
	// it wants to receive that extension's messages under (1-255): ids
	// are chosen by the receiver, per connection. A peer's M holds every
	// integer it gave, even out of range: ExtendedID judges them.
	M map[string]int
	// V is the sender's name and version, such as "aria2/1.36.0"; "" when
	// not sent.
	V string
	// MetadataSize is the size of the info dictionary in bytes (BEP 9),
	// 0 when not sent (a peer that has no metadata yet).
	MetadataSize int64
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
	if h.MetadataSize > 0 {
		dict["metadata_size"] = h.MetadataSize
	}
	b, err := bencode.Encode(dict)
	if err != nil {
		return nil, fmt.Errorf("extension handshake: %w", err)
	}
	return &peer.Message{ID: MessageID, Payload: append([]byte{HandshakeID}, b...)}, nil
}

// ParseHandshake parses the dictionary of a peer's extension handshake (the
// payload after the extended id). Keys of the wrong type are ignored, as
// BEP 10 asks of unknown ones; a payload that is not a bencoded dictionary,
// and a metadata_size that is negative or over MaxMetadataSize
// (ErrMetadataTooLarge), are errors.
func ParseHandshake(payload []byte) (Handshake, error) {
	v, err := bencode.Decode(payload)
	if err != nil {
		return Handshake{}, fmt.Errorf("extension handshake: %w", err)
	}
	dict, ok := v.(map[string]any)
	if !ok {
		return Handshake{}, fmt.Errorf("extension handshake: %s, want a dictionary", bencode.Kind(v))
	}
	var h Handshake
	if m, ok := dict["m"].(map[string]any); ok {
		h.M = make(map[string]int, len(m))
		for name, id := range m {
			if id, ok := id.(int64); ok {
				h.M[name] = int(id)
			}
		}
	}
	h.V, _ = dict["v"].(string)
	h.MetadataSize, _ = dict["metadata_size"].(int64)
	switch {
	case h.MetadataSize < 0:
		return Handshake{}, fmt.Errorf("extension handshake: metadata_size %d is negative", h.MetadataSize)
	case h.MetadataSize > MaxMetadataSize:
		return Handshake{}, fmt.Errorf("extension handshake: %w: metadata_size %d is over the %d bytes this client accepts",
			ErrMetadataTooLarge, h.MetadataSize, MaxMetadataSize)
	}
	return h, nil
}

// ExtendedID returns the id the peer wants the messages of extension name
// sent to it under. A name it does not list, lists as 0 (disabled, BEP
// 10) or gives an id no byte can carry (over 255) is an error wrapping
// ErrNotSupported.
func (h Handshake) ExtendedID(name string) (uint8, error) {
	id, ok := h.M[name]
	switch {
	case !ok:
		return 0, fmt.Errorf("%w: the peer's m does not list %s", ErrNotSupported, name)
	case id == 0:
		return 0, fmt.Errorf("%w: the peer's m gives %s id 0 (disabled)", ErrNotSupported, name)
	case id < 0 || id > 255:
		return 0, fmt.Errorf("%w: the peer's m gives %s id %d, want 1-255 (one byte)", ErrNotSupported, name, id)
	}
	return uint8(id), nil
}
