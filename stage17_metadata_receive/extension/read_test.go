package extension_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"workbook/stage17_metadata_receive/extension"
	"workbook/stage17_metadata_receive/peer"
	"workbook/testkit/swarm"
	"workbook/testkit/torrentfile"
)

// dialExtended starts a seeder of tor with opts, shakes hands with it,
// extension bit set, and sends our extension handshake, as a magnet client
// does; limit bounds the handshakes (0: the defaults).
func dialExtended(t *testing.T, tor *torrentfile.Torrent, opts swarm.Options, limit time.Duration) *peer.Conn {
	t.Helper()
	seeder := swarm.Start(t, swarm.FromTorrent(tor), opts)
	var peerID [20]byte
	copy(peerID[:], "-WB0001-extensiontst")
	ours := peer.Handshake{Reserved: extension.Reserved(), InfoHash: tor.InfoHash, PeerID: peerID}
	conn, err := peer.DialHandshake(context.Background(), seeder.Addr(), ours, peer.Timeouts{Handshake: limit, Read: limit})
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	m, err := extension.Handshake{M: map[string]int{extension.UTMetadata: 1}}.Message()
	require.NoError(t, err)
	require.NoError(t, conn.WriteMessages(m))
	return conn
}

func TestReadHandshake(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	tor := torrentfile.Sample(t)
	infoSize := int64(len(swarm.FromTorrent(tor).Info))
	tests := []struct {
		name   string
		opts   swarm.Options
		wantID uint8
	}{
		{"honest", swarm.Options{}, swarm.DefaultUTMetadataID},
		{"its own id", swarm.Options{UTMetadataID: 255}, 255},
		{"before the bitfield", swarm.Options{Fault: swarm.ExtensionHandshakeBeforeBitfield}, swarm.DefaultUTMetadataID},
		{"after bitfield, unchoke, have, keep-alive", swarm.Options{Fault: swarm.ExtensionHandshakeAfterUnchoke}, swarm.DefaultUTMetadataID},
		{"after a metadata piece nobody asked for", swarm.Options{Fault: swarm.MetadataUnrequestedPiece}, swarm.DefaultUTMetadataID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn := dialExtended(t, tor, tc.opts, 0)

			got, err := extension.ReadHandshake(conn)

			require.NoError(t, err)
			id, err := got.ExtendedID(extension.UTMetadata)
			require.NoError(t, err)
			require.Equal(t, tc.wantID, id)
			require.Equal(t, infoSize, got.MetadataSize, "the seeder's metadata_size is its info dictionary's size")
			require.Equal(t, swarm.DonthaveID, got.M["lt_donthave"], "other extensions are kept too")
			require.NotZero(t, conn.Timeouts.Read, "ReadHandshake gives the connection its read limit back")
		})
	}
}

// TestReadHandshakeFaults: a peer that lies or stays silent is an error,
// in bounded time and without allocating what it claims.
func TestReadHandshakeFaults(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	tor := torrentfile.Sample(t)
	tests := []struct {
		fault   swarm.Fault
		is      error
		wantErr string
	}{
		{swarm.NoExtensionHandshake, os.ErrDeadlineExceeded, "no extension handshake within 500ms: i/o timeout"},
		{swarm.ExtensionHandshakeGarbage, nil, "extension handshake: bencode: at byte 0: "},
		{swarm.ExtensionHandshakeOversized, peer.ErrMessageTooLong, "waiting for the extension handshake: message too long: length prefix 1048694 (0x00100076) over the 16393 bytes any message may have"},
		{swarm.HugeMetadataSize, extension.ErrMetadataTooLarge, "extension handshake: metadata too large: metadata_size 4294967296 is over the 8388608 bytes this client accepts"},
	}
	for _, tc := range tests {
		t.Run(tc.fault.String(), func(t *testing.T) {
			conn := dialExtended(t, tor, swarm.Options{Fault: tc.fault}, 500*time.Millisecond)
			start := time.Now()

			_, err := extension.ReadHandshake(conn)

			require.Error(t, err)
			require.Less(t, time.Since(start), 5*time.Second, "bounded by the handshake limit")
			if tc.is != nil {
				require.ErrorIs(t, err, tc.is)
			}
			require.Contains(t, err.Error(), tc.wantErr)
		})
	}
}

// TestReadHandshakeNoUTMetadata: ut_metadata missing, 0 or 300 parses, and
// ExtendedID refuses it.
func TestReadHandshakeNoUTMetadata(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	tor := torrentfile.Sample(t)
	for _, fault := range []swarm.Fault{swarm.NoUTMetadata, swarm.UTMetadataZero, swarm.UTMetadata300} {
		t.Run(fault.String(), func(t *testing.T) {
			conn := dialExtended(t, tor, swarm.Options{Fault: fault}, 0)
			got, err := extension.ReadHandshake(conn)
			require.NoError(t, err)
			_, err = got.ExtendedID(extension.UTMetadata)
			require.ErrorIs(t, err, extension.ErrNotSupported)
		})
	}
}
