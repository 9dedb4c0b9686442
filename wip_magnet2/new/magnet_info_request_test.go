package main_test

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/testkit/cli"
	"workbook/testkit/swarm"
	"workbook/testkit/torrentfile"
)

// TestMagnetInfoSendsMetadataRequest (stage 16): after both handshakes,
// magnet_info asks the peer for metadata piece 0 with a BEP 9 request,
// {"msg_type": 0, "piece": 0}, in an extended message carrying the
// PEER's ut_metadata id (here 42, unlike any client's own). The seeder
// records what arrived; stdout is not checked at this stage.
func TestMagnetInfoSendsMetadataRequest(t *testing.T) {
	t.Parallel()
	for _, id := range []int{3, 42, 255} {
		t.Run("ut_metadata "+strconv.Itoa(id), func(t *testing.T) {
			t.Parallel()
			o := torrentfile.Options{Seed: 160, Name: "magnet1.gif", Length: 92063, PieceLength: 32768}
			_, link, sw := metadataSwarm(t, o, swarm.Options{UTMetadataID: id})
			res := cli.Run(t, "magnet_info", link)
			require.Equal(t, 0, res.ExitCode, "magnet_info should succeed\n%s", res)
			require.NoError(t, sw.Close())
			require.Empty(t, sw[0].Violations(), "the seeder saw protocol mistakes: send the extension handshake first, "+
				"then the request as extended message <the peer's ut_metadata id> with the bencoded dictionary "+
				"d8:msg_typei0e5:piecei0ee and nothing after it\n%s", res)
			require.Contains(t, sw[0].MetadataRequests(), 0,
				"the seeder received no request for metadata piece 0 sent with its ut_metadata id %d\n%s", id, res)
		})
	}
}
