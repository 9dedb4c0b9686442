package swarm

import "bytes"

// The metadata exchange (BEP 9) as the fake seeders speak it: extended
// messages with the ut_metadata id whose payload is a bencoded dictionary
// (msg_type, piece, and for data total_size), followed, in a data message,
// by the raw bytes of that 16 KiB piece of the info dictionary.
//
// Specification: https://www.bittorrent.org/beps/bep_0009.html

const (
	// MetadataPieceSize is the size of every metadata piece but the last
	// (BEP 9: 16 KiB).
	MetadataPieceSize = 16 * 1024

	metadataRequest = 0
	metadataData    = 1
	metadataReject  = 2
)

// MetadataPieces is how many pieces metadata of size bytes takes.
func MetadataPieces(size int) int {
	return (size + MetadataPieceSize - 1) / MetadataPieceSize
}

// metadataMessage handles a ut_metadata message from the client; false
// ends the connection.
func (p *peerConn) metadataMessage(body []byte) bool {
	s := p.s
	v, rest, err := decodePrefix(body)
	dict, ok := v.(map[string]any)
	if err != nil || !ok {
		s.violation("ut_metadata message: %q is not a bencoded dictionary", truncate(body))
		return false
	}
	msgType, ok1 := dict["msg_type"].(int64)
	piece, ok2 := dict["piece"].(int64)
	switch {
	case !ok1 || !ok2:
		s.violation("ut_metadata message %q: msg_type and piece must be integers", truncate(body))
		return false
	case msgType != metadataRequest:
		s.violation("ut_metadata msg_type %d sent to a seeder: a client sends requests (msg_type 0)", msgType)
		return true
	case len(rest) > 0:
		s.violation("ut_metadata request with %d bytes after the dictionary", len(rest))
	}
	s.record(func() { s.metadataRequests = append(s.metadataRequests, int(piece)) })
	return p.answerMetadata(piece) == nil
}

// answerMetadata answers a request for metadata piece as the fault says.
func (p *peerConn) answerMetadata(piece int64) error {
	s := p.s
	info := s.content.Info
	n := int64(MetadataPieces(len(info)))
	switch {
	case p.clientMetadataID == 0:
		s.violation("metadata request from a client whose extension handshake gave no ut_metadata id: there is no id to answer with")
		return nil
	case p.opts.Fault == MetadataNoAnswer:
		return nil
	case info == nil || p.opts.Fault == MetadataReject:
		return p.sendMetadata(metadataReject, piece, 0, nil)
	case piece < 0 || piece >= n:
		s.violation("metadata request for piece %d, the metadata has %d (0-%d)", piece, n, n-1)
		return p.sendMetadata(metadataReject, piece, 0, nil)
	}
	data := metadataPiece(info, int(piece))
	total := int64(len(info))
	switch p.opts.Fault {
	case MetadataWrongBytes:
		data = garbage(data)
	case MetadataWrongTotalSize:
		total++
	case MetadataHugeTotalSize:
		total = HugeMetadata
	case MetadataPieceOutOfRange:
		piece = n
	}
	return p.sendMetadata(metadataData, piece, total, data)
}

// sendUnrequestedPiece sends a data message of garbage for metadata piece 0
// (MetadataUnrequestedPiece).
func (p *peerConn) sendUnrequestedPiece() error {
	if p.clientMetadataID == 0 {
		return nil // no id to send it with
	}
	info := p.s.content.Info
	return p.sendMetadata(metadataData, 0, int64(len(info)), garbage(metadataPiece(info, 0)))
}

// metadataPiece is piece i of info (the last one may be shorter).
func metadataPiece(info []byte, i int) []byte {
	start := i * MetadataPieceSize
	return info[start:min(start+MetadataPieceSize, len(info))]
}

// sendMetadata sends a ut_metadata message with the id the client chose
// (BEP 10: each side receives on its own ids): the dictionary, then data.
func (p *peerConn) sendMetadata(msgType, piece, totalSize int64, data []byte) error {
	d := map[string]any{"msg_type": msgType, "piece": piece}
	if msgType == metadataData {
		d["total_size"] = totalSize
	}
	var b bytes.Buffer
	b.WriteByte(p.clientMetadataID)
	b.Write(marshal(d))
	b.Write(data)
	return p.send(&message{id: msgExtended, payload: b.Bytes()})
}
