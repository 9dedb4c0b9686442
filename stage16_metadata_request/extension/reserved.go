package extension

// The extension protocol's bit in the reserved bytes of a handshake (BEP
// 10): the 64 bits numbered from 0 at the right end of byte 7, bit 20 is
// 0x10 in byte 5.
const (
	reservedByte = 5
	reservedBit  = 0x10
)

// Reserved returns the reserved bytes of a handshake that announces the
// extension protocol and nothing else, 00 00 00 00 00 10 00 00: a bit
// promises a protocol, so we set none we do not speak (not DHT's, not the
// Fast extension's).
func Reserved() [8]byte {
	var r [8]byte
	r[reservedByte] = reservedBit
	return r
}

// Supported reports whether a peer's reserved bytes announce the extension
// protocol. The other bits are ignored: they belong to extensions this
// client does not speak, and new ones appear as clients grow.
func Supported(reserved [8]byte) bool {
	return reserved[reservedByte]&reservedBit != 0
}
