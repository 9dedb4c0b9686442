package swarm_test

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/jackpal/bencode-go"
	"github.com/stretchr/testify/require"

	"workbook/testkit/swarm"
)

// The tiny magnet client of these tests speaks BEP 10 and BEP 9 with
// bencode-go, independently of the seeder's code.

const (
	clientMetadataID = 1 // the ut_metadata id the test client advertises
	msgExtended      = 20
)

var extensionBit = [8]byte{5: 0x10}

// metadataContent is testContent whose metadata is infoLen random bytes
// (the seeder serves Info as it is, so it need not be a real info dict).
func metadataContent(t *testing.T, infoLen int) swarm.Content {
	t.Helper()
	content, _ := testContent(t)
	content.Info = make([]byte, infoLen)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range content.Info {
		content.Info[i] = byte(r.Uint32())
	}
	content.InfoHash = sha1.Sum(content.Info)
	return content
}

// sendExt sends an extended message: message 20, extended id, payload.
func (c *client) sendExt(extID byte, payload []byte) {
	c.t.Helper()
	b := binary.BigEndian.AppendUint32(nil, uint32(2+len(payload)))
	b = append(b, msgExtended, extID)
	_, err := c.c.Write(append(b, payload...))
	require.NoError(c.t, err)
}

// sendExtHandshake sends the client's extension handshake with m.
func (c *client) sendExtHandshake(m map[string]any) {
	c.t.Helper()
	c.sendExt(0, encode(c.t, map[string]any{"m": m, "v": "swarm test client"}))
}

// sendMetadataRequest asks for metadata piece with the seeder's id.
func (c *client) sendMetadataRequest(seederID byte, piece int) {
	c.t.Helper()
	c.sendExt(seederID, encode(c.t, map[string]any{"msg_type": int64(0), "piece": int64(piece)}))
}

// nextExt reads messages until an extended one and returns its extended id
// and payload; the other message ids read meanwhile are in skipped.
func (c *client) nextExt() (extID byte, payload []byte, skipped []int) {
	c.t.Helper()
	for {
		id, p := c.next()
		if id == msgExtended {
			require.NotEmpty(c.t, p, "an extended message has an extended id")
			return p[0], p[1:], skipped
		}
		skipped = append(skipped, id)
	}
}

// extHandshake reads the seeder's extension handshake, decoded.
func (c *client) extHandshake() map[string]any {
	c.t.Helper()
	extID, payload, _ := c.nextExt()
	require.Equal(c.t, byte(0), extID, "extension handshake")
	v, rest := decodePrefix(c.t, payload)
	require.Empty(c.t, rest)
	return v.(map[string]any)
}

func encode(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, bencode.Marshal(&b, v))
	return b.Bytes()
}

// decodePrefix decodes the bencoded value at the start of b and returns it
// and the bytes after it (a data message's metadata piece).
func decodePrefix(t *testing.T, b []byte) (any, []byte) {
	t.Helper()
	br := bytes.NewReader(b)
	r := bufio.NewReader(br)
	v, err := bencode.Decode(r)
	require.NoError(t, err, "payload %q", b)
	return v, b[len(b)-br.Len()-r.Buffered():]
}

func TestExtensionHandshake(t *testing.T) {
	content := metadataContent(t, 100)
	tests := []struct {
		name     string
		opts     swarm.Options
		wantM    map[string]any
		wantSize int64
	}{
		{"defaults", swarm.Options{}, map[string]any{"ut_metadata": int64(3), "lt_donthave": int64(7)}, 100},
		{"chosen id and size", swarm.Options{UTMetadataID: 200, MetadataSize: 12345},
			map[string]any{"ut_metadata": int64(200), "lt_donthave": int64(7)}, 12345},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := swarm.Start(t, content, tc.opts)
			c := dialReserved(t, s, content.InfoHash, extensionBit)
			_, err := c.handshake()
			require.NoError(t, err)
			id, _ := c.next()
			require.Equal(t, 5, id, "bitfield first")
			c.sendExtHandshake(map[string]any{"ut_metadata": int64(clientMetadataID), "ut_pex": int64(2)})
			got := c.extHandshake()
			require.Equal(t, tc.wantM, got["m"])
			require.Equal(t, tc.wantSize, got["metadata_size"])
			require.Equal(t, "workbook fake seeder", got["v"])

			require.Eventually(t, func() bool { return len(s.ExtensionHandshakes()) == 1 }, 2*time.Second, time.Millisecond)
			c.c.Close()
			require.NoError(t, s.Close())
			require.Equal(t, extensionBit, s.Handshakes()[0].Reserved)
			require.True(t, s.Handshakes()[0].SupportsExtensions())
			hs := s.ExtensionHandshakes()
			require.Len(t, hs, 1)
			require.Equal(t, map[string]int64{"ut_metadata": 1, "ut_pex": 2}, hs[0].M)
			require.Equal(t, "swarm test client", hs[0].V)
			require.Equal(t, []uint8{msgExtended}, s.Messages())
			require.Empty(t, s.Violations())
		})
	}
}

// TestNoExtensionHandshakeWithoutTheBit: BEP 10 says the extension
// handshake goes only to peers that set the bit, so a stage 1-11 client
// sees exactly what it always saw.
func TestNoExtensionHandshakeWithoutTheBit(t *testing.T) {
	content := metadataContent(t, 100)
	s := swarm.Start(t, content, swarm.Options{})
	c := dial(t, s, content.InfoHash)
	hs, err := c.handshake()
	require.NoError(t, err)
	require.Equal(t, extensionBit[:], hs[20:28], "the seeder still says it speaks BEP 10")
	id, _ := c.next()
	require.Equal(t, 5, id, "bitfield")
	c.send(2)
	id, _ = c.next()
	require.Equal(t, 1, id, "unchoke, no extended message before it")
}

// TestExtensionFaults checks what a magnet client sees from each extension
// fault.
func TestExtensionFaults(t *testing.T) {
	content := metadataContent(t, 100)
	silent := func(t *testing.T, c *client) {
		c.c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		for {
			id, _, err := c.msg()
			if err != nil {
				require.ErrorIs(t, err, os.ErrDeadlineExceeded)
				return
			}
			require.NotEqual(t, msgExtended, id, "no extended message")
		}
	}
	// handshake reads the seeder's extension handshake after sending ours
	// and returns what came before it.
	handshake := func(t *testing.T, c *client) (map[string]any, []int) {
		_, err := c.handshake()
		require.NoError(t, err)
		c.sendExtHandshake(map[string]any{"ut_metadata": int64(clientMetadataID)})
		extID, payload, skipped := c.nextExt()
		require.Equal(t, byte(0), extID)
		v, _ := decodePrefix(t, payload)
		return v.(map[string]any), skipped
	}
	m := func(d map[string]any) map[string]any { return d["m"].(map[string]any) }
	tests := []struct {
		fault swarm.Fault
		check func(t *testing.T, c *client)
	}{
		{swarm.NoExtensionBit, func(t *testing.T, c *client) {
			hs, err := c.handshake()
			require.NoError(t, err)
			require.Equal(t, make([]byte, 8), hs[20:28], "no reserved bit set")
			c.sendExtHandshake(map[string]any{"ut_metadata": int64(clientMetadataID)})
			silent(t, c)
		}},
		{swarm.NoExtensionHandshake, func(t *testing.T, c *client) {
			hs, err := c.handshake()
			require.NoError(t, err)
			require.Equal(t, extensionBit[:], hs[20:28])
			c.sendExtHandshake(map[string]any{"ut_metadata": int64(clientMetadataID)})
			c.sendMetadataRequest(swarm.DefaultUTMetadataID, 0)
			silent(t, c)
		}},
		{swarm.ExtensionHandshakeGarbage, func(t *testing.T, c *client) {
			_, err := c.handshake()
			require.NoError(t, err)
			extID, payload, _ := c.nextExt()
			require.Equal(t, byte(0), extID)
			_, err = bencode.Decode(bytes.NewReader(payload))
			require.Error(t, err, "not bencode")
		}},
		{swarm.ExtensionHandshakeOversized, func(t *testing.T, c *client) {
			_, err := c.handshake()
			require.NoError(t, err)
			c.next() // bitfield
			var prefix [4]byte
			_, err = c.r.Read(prefix[:])
			require.NoError(t, err)
			require.Greater(t, binary.BigEndian.Uint32(prefix[:]), uint32(swarm.OversizedExtensionHandshake))
		}},
		{swarm.NoUTMetadata, func(t *testing.T, c *client) {
			d, _ := handshake(t, c)
			require.Equal(t, map[string]any{"lt_donthave": int64(7)}, m(d))
		}},
		{swarm.UTMetadataZero, func(t *testing.T, c *client) {
			d, _ := handshake(t, c)
			require.Equal(t, int64(0), m(d)["ut_metadata"])
		}},
		{swarm.UTMetadata300, func(t *testing.T, c *client) {
			d, _ := handshake(t, c)
			require.Equal(t, int64(300), m(d)["ut_metadata"])
		}},
		{swarm.ExtensionHandshakeBeforeBitfield, func(t *testing.T, c *client) {
			_, skipped := handshake(t, c)
			require.Empty(t, skipped)
			id, _ := c.next()
			require.Equal(t, 5, id, "then the bitfield")
		}},
		{swarm.ExtensionHandshakeAfterUnchoke, func(t *testing.T, c *client) {
			_, skipped := handshake(t, c)
			require.Equal(t, []int{5, 1, 4}, skipped, "bitfield, unchoke, have (and a keep-alive)")
		}},
		{swarm.HugeMetadataSize, func(t *testing.T, c *client) {
			d, _ := handshake(t, c)
			require.Equal(t, int64(4<<30), d["metadata_size"])
			require.Equal(t, int64(3), m(d)["ut_metadata"])
		}},
	}
	require.Len(t, tests, len(swarm.ExtensionFaults()), "every extension fault has a row")
	for i, tc := range tests {
		t.Run(tc.fault.String(), func(t *testing.T) {
			require.Equal(t, swarm.ExtensionFaults()[i], tc.fault)
			require.True(t, tc.fault.ExtensionFault())
			s := swarm.Start(t, content, swarm.Options{Fault: tc.fault})
			tc.check(t, dialReserved(t, s, content.InfoHash, extensionBit))
		})
	}
}

// TestExtensionViolations checks what the seeder records against a client
// that gets BEP 10 or BEP 9 wrong.
func TestExtensionViolations(t *testing.T) {
	content := metadataContent(t, 100)
	tests := []struct {
		name     string
		reserved [8]byte
		fault    swarm.Fault
		do       func(c *client)
		want     string
	}{
		{"extended message without the extension bit", [8]byte{}, swarm.Honest, func(c *client) {
			c.sendExtHandshake(map[string]any{"ut_metadata": int64(1)})
		}, "did not set the extension bit"},
		{"extension handshake not bencode", extensionBit, swarm.Honest, func(c *client) {
			c.sendExt(0, []byte("d1:m"))
		}, "is not a bencoded dictionary"},
		{"extension handshake string longer than the message", extensionBit, swarm.Honest, func(c *client) {
			c.sendExt(0, []byte("d1:md11:ut_metadatai1ee1:v999999999999:xe"))
		}, "is not a bencoded dictionary"},
		{"extension handshake without m", extensionBit, swarm.Honest, func(c *client) {
			c.sendExt(0, encode(c.t, map[string]any{"v": "x"}))
		}, "no m dictionary"},
		{"ut_metadata 256", extensionBit, swarm.Honest, func(c *client) {
			c.sendExtHandshake(map[string]any{"ut_metadata": int64(256)})
		}, "m.ut_metadata = 256"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := swarm.Start(t, content, swarm.Options{Fault: tc.fault})
			c := dialReserved(t, s, content.InfoHash, tc.reserved)
			tc.do(c)
			require.Eventually(t, func() bool { return len(s.Violations()) > 0 }, 2*time.Second, time.Millisecond)
			c.c.Close()
			require.NoError(t, s.Close())
			require.Contains(t, s.Violations()[0], tc.want)
		})
	}
}

func TestListenRejectsBadExtensionOptions(t *testing.T) {
	content, _ := testContent(t)
	for _, tc := range []struct {
		opts swarm.Options
		want string
	}{
		{swarm.Options{UTMetadataID: 256}, "UTMetadataID 256"},
		{swarm.Options{UTMetadataID: swarm.DonthaveID}, "UTMetadataID 7"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			_, err := swarm.Listen(content, tc.opts)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestFaultLists(t *testing.T) {
	require.Len(t, swarm.ExtensionFaults(), 10)
	all := append(swarm.Faults(), swarm.ExtensionFaults()...)
	require.Equal(t, swarm.AllFaults(), all)
	for _, f := range swarm.AllFaults() {
		require.NotContains(t, f.String(), "Fault(", "every fault has a name")
	}
}
