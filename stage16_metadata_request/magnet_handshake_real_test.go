package main_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/testkit/cli"
	"workbook/testkit/realbt"
	"workbook/testkit/torrentfile"
)

// TestMagnetHandshakeReal runs `magnet_handshake` with nothing but a magnet
// link to a real opentracker, behind which a real aria2c or qBittorrent
// (libtorrent) seeds, all on 127.0.0.1 with DHT, PEX and local discovery
// off (testkit/realbt). opentracker takes the placeholder left; the
// seeder takes our handshake with the extension bit set, and answers with
// its own peer id: aria2's starts with "A2-", qBittorrent's with "-qB".
// Then each sends its extension handshake with the ut_metadata id it
// uses, which testkit/realbt asks it for on a connection of its own
// (realbt.PeerExtensions): aria2 1.36 says 9, qBittorrent 4.5 (libtorrent)
// 2, as aria2's own debug log shows too.
func TestMagnetHandshakeReal(t *testing.T) {
	t.Parallel()
	for i, tc := range []struct {
		program string
		idHex   string // the peer id's first bytes
	}{
		{"aria2c", "41322d"},          // A2-
		{"qbittorrent-nox", "2d7142"}, // -qB
	} {
		t.Run(tc.program, func(t *testing.T) {
			t.Parallel()
			tor, _, seeder := startRealSeeder(t, tc.program, torrentfile.Options{Seed: uint64(130 + i), Name: "real.bin", Length: 300000, PieceLength: 32768})

			res := cli.Run(t, "magnet_handshake", tor.MagnetLink())
			t.Logf("%s at %s answered: %s", tc.program, seeder, res.Stdout)

			require.Equal(t, 0, res.ExitCode, "a real %s seeder should complete the handshake\n%s", tc.program, res)
			require.Regexp(t, fmt.Sprintf(`^Peer ID: %s[0-9a-f]{%d}\n`, tc.idHex, 40-len(tc.idHex)), res.Stdout, "%s", res)
			ext, err := realbt.PeerExtensions(seeder.String(), tor.InfoHash)
			require.NoError(t, err)
			require.NotZero(t, ext.UTMetadata(), "%s speaks ut_metadata", tc.program)
			cli.RequireLines(t, res, fmt.Sprintf("Peer Metadata Extension ID: %d\n", ext.UTMetadata()),
				fmt.Sprintf("%s (%s) gives ut_metadata the id %d in its extension handshake", tc.program, ext.V, ext.UTMetadata()))
		})
	}
}
