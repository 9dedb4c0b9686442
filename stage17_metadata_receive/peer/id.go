package peer

import (
	"crypto/rand"
	"fmt"
)

// IDPrefix starts every peer id this client makes, in the Azureus style
// most clients use: '-', two letters for the client ("WB": workbook), four
// digits of version, '-'. A tracker or peer can then tell which program it
// meets: "-qB4650-" is qBittorrent 4.6.5, "-TR4060-" Transmission 4.0.6.
const IDPrefix = "-WB0001-"

// NewID returns a fresh 20-byte peer id: IDPrefix and 12 random bytes, so
// two runs of the client (or two clients on one machine) never share one.
func NewID() ([20]byte, error) {
	var id [20]byte
	n := copy(id[:], IDPrefix)
	if _, err := rand.Read(id[n:]); err != nil {
		return id, fmt.Errorf("random peer id: %w", err)
	}
	return id, nil
}
