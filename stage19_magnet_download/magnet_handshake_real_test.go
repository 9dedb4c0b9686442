package main_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/testkit/cli"
	"workbook/testkit/torrentfile"
)

// TestMagnetHandshakeReal runs `magnet_handshake` with nothing but a magnet
// link to a real opentracker, behind which a real aria2c or qBittorrent
// (libtorrent) seeds, all on 127.0.0.1 with DHT, PEX and local discovery
// off (testkit/realbt). opentracker takes the placeholder left; the
// seeder takes our handshake with the extension bit set, and answers with
// its own peer id: aria2's starts with "A2-", qBittorrent's with "-qB".
// Then each sends its extension handshake with the ut_metadata id it
// always uses: aria2 (1.36) 9, libtorrent 2 (its ut_metadata plugin's
// extension index); aria2's own debug log shows both ("ut_metadata=9" in
// the extended handshake it sends, "ut_metadata=2" in libtorrent's).
func TestMagnetHandshakeReal(t *testing.T) {
	t.Parallel()
	for i, tc := range []struct {
		program string
		idHex   string // the peer id's first bytes
		extID   int    // the ut_metadata id it advertises
	}{
		{"aria2c", "41322d", 9},          // A2-
		{"qbittorrent-nox", "2d7142", 2}, // -qB
	} {
		t.Run(tc.program, func(t *testing.T) {
			t.Parallel()
			tor, _, seeder := startRealSeeder(t, tc.program, torrentfile.Options{Seed: uint64(130 + i), Name: "real.bin", Length: 300000, PieceLength: 32768})

			res := cli.Run(t, "magnet_handshake", tor.MagnetLink())
			t.Logf("%s at %s answered: %s", tc.program, seeder, res.Stdout)

			require.Equal(t, 0, res.ExitCode, "a real %s seeder should complete the handshake\n%s", tc.program, res)
			require.Regexp(t, fmt.Sprintf(`^Peer ID: %s[0-9a-f]{%d}\n`, tc.idHex, 40-len(tc.idHex)), res.Stdout, "%s", res)
			cli.RequireLines(t, res, fmt.Sprintf("Peer Metadata Extension ID: %d\n", tc.extID),
				fmt.Sprintf("%s gives ut_metadata the id %d in its extension handshake", tc.program, tc.extID))
		})
	}
}
