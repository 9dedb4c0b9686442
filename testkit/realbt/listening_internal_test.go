package realbt

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestListening: a port that accepts connections is not enough, for
// another program may hold it; aria2's log must say it listens there, and
// a failed bind stops the wait at once (startWithRetry then takes another
// port).
func TestListening(t *testing.T) {
	other, err := net.Listen("tcp", "127.0.0.1:0") // another program on the port
	require.NoError(t, err)
	defer other.Close()
	addr := other.Addr().(*net.TCPAddr).AddrPort()
	log := filepath.Join(t.TempDir(), "aria2.log")

	require.ErrorContains(t, aria2Listening(log, addr), "does not say", "no log yet, though the port answers")
	write := func(line string) { require.NoError(t, os.WriteFile(log, []byte(line+"\n"), 0o644)) }
	write(fmt.Sprintf("[ERROR] [PeerListenCommand.cc:83] IPv4 BitTorrent: failed to bind TCP port %d", addr.Port()))
	err = aria2Listening(log, addr)
	require.True(t, errors.As(err, new(errStopWaiting)), "a failed bind stops the wait: %v", err)
	write(fmt.Sprintf("[NOTICE] [PeerListenCommand.cc:78] IPv4 BitTorrent: listening on TCP port %d", addr.Port()))
	require.NoError(t, aria2Listening(log, addr))
}

// TestFreePortBelowEphemeral: the programs' ports lie below the range the
// kernel hands out for port 0 and outgoing connections, so the tests' own
// listeners cannot take them first.
func TestFreePortBelowEphemeral(t *testing.T) {
	for range 20 {
		port, err := freePort()
		require.NoError(t, err)
		require.GreaterOrEqual(t, port, 10000)
		require.Less(t, port, ephemeralLow())
	}
}
