package swarm

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackpal/bencode-go"
)

// The extension protocol (BEP 10) as the fake seeders speak it: a bit in
// the handshake's reserved bytes, then message 20 whose first payload byte
// is an extended message id: 0 for the extension handshake, otherwise an id
// the receiver chose in its own handshake's m dictionary.
//
// Specification: https://www.bittorrent.org/beps/bep_0010.html

const (
	// extensionBit in reserved[5] says "I speak BEP 10" (bit 20 counted
	// from the right of the 8 bytes).
	extensionBit = 0x10
	// extHandshakeID is the extended id of the extension handshake.
	extHandshakeID = 0
	// DefaultUTMetadataID is the ut_metadata id a seeder advertises unless
	// Options.UTMetadataID says otherwise: a real client's kind of choice,
	// and one a client's own id (often 1 or 2) is unlikely to share, so a
	// client that mixes up the two directions is caught.
	DefaultUTMetadataID = 3
	// DonthaveID is the id of lt_donthave, a second extension every seeder
	// advertises next to ut_metadata (and whose messages it ignores), as
	// real clients advertise many: a client must skip names it does not
	// know.
	DonthaveID = 7
	// HugeMetadata is the metadata size HugeMetadataSize and
	// MetadataHugeTotalSize claim: 4 GiB.
	HugeMetadata = 4 << 30
	// OversizedExtensionHandshake is the length of the padding string in
	// the extension handshake of ExtensionHandshakeOversized: 1 MiB, far
	// above the few hundred bytes real handshakes take.
	OversizedExtensionHandshake = 1 << 20
	// maxExtendedIn caps an extended message from a client: its extension
	// handshake and metadata requests are tens of bytes.
	maxExtendedIn = 64 << 10
	// seederVersion is the "v" of the seeders' extension handshake.
	seederVersion = "workbook fake seeder"
)

// ExtensionHandshake is a BEP 10 extension handshake a seeder received.
type ExtensionHandshake struct {
	// Payload is the bencoded dictionary exactly as received (after
	// message id 20 and extended id 0).
	Payload []byte
	// M is the "m" dictionary, extension name to id; entries that are not
	// integers are left out. nil when Payload is not a dictionary with an
	// "m" dictionary (a violation is recorded).
	M map[string]int64
	// V is the client's "v" (name and version); "" when absent.
	V string
}

// reserved is the seeder's handshake's reserved bytes: the extension bit,
// unless the fault says it does not speak BEP 10.
func (p *peerConn) reserved() [8]byte {
	var r [8]byte
	if p.opts.Fault != NoExtensionBit {
		r[5] |= extensionBit
	}
	return r
}

// sendsExtensionHandshake reports whether the seeder sends its extension
// handshake as it greets: only to a client that set the extension bit (BEP
// 10), and not when the fault withholds or delays it.
func (p *peerConn) sendsExtensionHandshake() bool {
	switch p.opts.Fault {
	case NoExtensionBit, NoExtensionHandshake, MetadataUnrequestedPiece:
		return false
	}
	return p.clientExt
}

// utMetadataID is the ut_metadata id the seeder advertises (0: none, or
// one no byte can carry), so the id of the client's metadata requests.
func (p *peerConn) utMetadataID() int64 {
	switch p.opts.Fault {
	case NoUTMetadata, UTMetadataZero:
		return 0
	case UTMetadata300:
		return 300
	}
	return int64(cmp.Or(p.opts.UTMetadataID, DefaultUTMetadataID))
}

// extensionHandshake is the payload of the seeder's extension handshake,
// extended id included, as the fault says.
func (p *peerConn) extensionHandshake() []byte {
	if p.opts.Fault == ExtensionHandshakeGarbage {
		return append([]byte{extHandshakeID}, "\xffthis is not bencode\x00"...)
	}
	m := map[string]any{"ut_metadata": p.utMetadataID(), "lt_donthave": int64(DonthaveID)}
	if p.opts.Fault == NoUTMetadata {
		delete(m, "ut_metadata")
	}
	d := map[string]any{"m": m, "v": seederVersion, "reqq": int64(250)}
	size := p.opts.MetadataSize
	if size == 0 {
		size = int64(len(p.s.content.Info))
	}
	switch p.opts.Fault {
	case HugeMetadataSize:
		size = HugeMetadata
	case ExtensionHandshakeOversized:
		d["padding"] = strings.Repeat("x", OversizedExtensionHandshake)
	}
	if size > 0 {
		d["metadata_size"] = size
	}
	return append([]byte{extHandshakeID}, marshal(d)...)
}

func (p *peerConn) sendExtensionHandshake() error {
	p.extSent = true
	return p.send(&message{id: msgExtended, payload: p.extensionHandshake()})
}

// extended handles an extended message (BEP 10) from the client; false
// ends the connection.
func (p *peerConn) extended(payload []byte) bool {
	s := p.s
	switch {
	case len(payload) == 0:
		s.violation("extended message without an extended id")
		return false
	case len(payload) > maxExtendedIn:
		s.violation("extended message of %d bytes, over %d", len(payload), maxExtendedIn)
		return false
	case !p.clientExt:
		s.violation("extended message from a client that did not set the extension bit (reserved[5] & 0x10) in its handshake")
	case p.opts.Fault == NoExtensionBit:
		s.violation("extended message to a seeder that did not set the extension bit in its handshake")
		return true
	}
	id, body := payload[0], payload[1:]
	switch {
	case id == extHandshakeID:
		return p.clientHandshake(body)
	case !p.extSent:
		s.violation("extended message id %d before the seeder's extension handshake: the ids are the seeder's to choose", id)
	case int64(id) == p.utMetadataID():
		return p.metadataMessage(body)
	case id == DonthaveID:
	default:
		s.violation("extended message id %d, which the seeder's m never gave (a peer sends each extension with the id the receiver chose: the seeder's ut_metadata is %d)",
			id, p.utMetadataID())
	}
	return true
}

// clientHandshake records the client's extension handshake and learns its
// ut_metadata id; false ends the connection.
func (p *peerConn) clientHandshake(body []byte) bool {
	s := p.s
	h := ExtensionHandshake{Payload: bytes.Clone(body)}
	defer s.record(func() { s.extHandshakes = append(s.extHandshakes, h) })
	v, rest, err := decodePrefix(body)
	dict, ok := v.(map[string]any)
	switch {
	case err != nil || !ok:
		s.violation("extension handshake: %q is not a bencoded dictionary", truncate(body))
		return true
	case len(rest) > 0:
		s.violation("extension handshake: %d bytes after the dictionary", len(rest))
	}
	h.V, _ = dict["v"].(string)
	m, ok := dict["m"].(map[string]any)
	if !ok {
		s.violation("extension handshake: no m dictionary (BEP 10: the extensions the client supports, name -> id)")
		return true
	}
	h.M = map[string]int64{}
	for name, id := range m {
		if n, ok := id.(int64); ok {
			h.M[name] = n
		}
	}
	if id, ok := h.M["ut_metadata"]; ok {
		p.clientMetadataID = 0
		if id < 0 || id > 255 {
			s.violation("extension handshake: m.ut_metadata = %d, want 1-255 (or 0: disabled)", id)
		} else {
			p.clientMetadataID = byte(id)
		}
	}
	if p.opts.Fault == MetadataUnrequestedPiece && !p.extSent && p.clientExt {
		if p.sendUnrequestedPiece() != nil || p.sendExtensionHandshake() != nil {
			return false
		}
	}
	return true
}

// decodePrefix decodes the bencoded value at the start of b with
// bencode-go and returns it and the bytes after it. bencode-go allocates a
// string's announced length before reading it, so a length longer than b
// itself is refused first.
func decodePrefix(b []byte) (any, []byte, error) {
	if err := checkStringLengths(b); err != nil {
		return nil, nil, err
	}
	br := bytes.NewReader(b)
	r := bufio.NewReader(br)
	v, err := bencode.Decode(r)
	if err != nil {
		return nil, nil, err
	}
	used := len(b) - br.Len() - r.Buffered()
	return v, b[used:], nil
}

// checkStringLengths refuses b when a run of digits followed by ':' (the
// shape of a string's length) announces more bytes than b holds.
func checkStringLengths(b []byte) error {
	for i := 0; i < len(b); i++ {
		j := i
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j > i && j < len(b) && b[j] == ':' {
			if n, err := strconv.Atoi(string(b[i:j])); err != nil || n > len(b) {
				return fmt.Errorf("string length %s over the %d bytes of the message", b[i:j], len(b))
			}
		}
		i = j
	}
	return nil
}

// marshal encodes v with bencode-go (maps of strings, integers and maps:
// cannot fail).
func marshal(v any) []byte {
	var b bytes.Buffer
	if err := bencode.Marshal(&b, v); err != nil {
		panic(fmt.Sprintf("swarm: encode %v: %v", v, err))
	}
	return b.Bytes()
}

// truncate shortens b for a violation message.
func truncate(b []byte) []byte {
	if len(b) > 40 {
		return b[:40]
	}
	return b
}
