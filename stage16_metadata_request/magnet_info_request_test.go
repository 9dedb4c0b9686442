package main_test

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/testkit/cli"
	"workbook/testkit/swarm"
	"workbook/testkit/torrentfile"
	faketracker "workbook/testkit/tracker"
)

// metadataSwarm starts a fake tracker listing one seeder per option, in
// order, for the torrent o describes (its metadata served by each
// seeder), and returns the torrent and its magnet link.
func metadataSwarm(t *testing.T, o torrentfile.Options, opts ...swarm.Options) (*torrentfile.Torrent, string, swarm.Swarm) {
	t.Helper()
	fake := faketracker.New(t, faketracker.Config{})
	o.Announce = fake.URL()
	tor := torrentfile.MustBuild(t, o)
	sw := swarm.StartSwarm(t, swarm.FromTorrent(tor), opts...)
	fake.Add(tor.InfoHash, faketracker.Expect{AnyProgress: true, Port: 6881},
		faketracker.Answer{Peers: faketracker.Peers(sw.Addrs()...)})
	return tor, tor.MagnetLink(), sw
}

// TestMagnetInfoSendsMetadataRequest (stage 16): after both handshakes,
// magnet_info asks the peer for metadata piece 0 with a BEP 9 request,
// {"msg_type": 0, "piece": 0}, in an extended message carrying the
// PEER's ut_metadata id (3, 42 and 255 here; ours is 1). The seeder
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
			t.Logf("the seeder (ut_metadata id %d) received requests for metadata pieces %v", id, sw[0].MetadataRequests())
		})
	}
}
