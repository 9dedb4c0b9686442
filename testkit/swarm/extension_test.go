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

// metadataMsg is a decoded ut_metadata message.
type metadataMsg struct {
	extID                     byte
	msgType, piece, totalSize int64
	data                      []byte
}

func (c *client) metadataMessage() metadataMsg {
	c.t.Helper()
	extID, payload, _ := c.nextExt()
	v, rest := decodePrefix(c.t, payload)
	d := v.(map[string]any)
	m := metadataMsg{extID: extID}
	if len(rest) > 0 {
		m.data = rest
	}
	m.msgType, _ = d["msg_type"].(int64)
	m.piece, _ = d["piece"].(int64)
	m.totalSize, _ = d["total_size"].(int64)
	return m
}

// magnetReady does both handshakes: the BitTorrent one with the extension
// bit, then reads up to the seeder's extension handshake, sending its own.
// seederHandshake reads the seeder's handshake: a client sends nothing
// more before it (the seeder reports bytes behind the client's handshake).
func (c *client) seederHandshake() {
	c.t.Helper()
	_, err := c.handshake()
	require.NoError(c.t, err)
}

func (c *client) magnetReady() map[string]any {
	c.t.Helper()
	hs, err := c.handshake()
	require.NoError(c.t, err)
	require.Equal(c.t, byte(0x10), hs[25]&0x10, "the seeder sets the extension bit")
	c.sendExtHandshake(map[string]any{"ut_metadata": int64(clientMetadataID)})
	return c.extHandshake()
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

// TestMetadataExchange fetches metadata of several 16 KiB pieces, the last
// one short, with pipelined requests.
func TestMetadataExchange(t *testing.T) {
	content := metadataContent(t, 3*swarm.MetadataPieceSize+1000)
	s := swarm.Start(t, content, swarm.Options{})
	c := dialReserved(t, s, content.InfoHash, extensionBit)
	d := c.magnetReady()
	require.Equal(t, int64(len(content.Info)), d["metadata_size"])
	n := swarm.MetadataPieces(len(content.Info))
	require.Equal(t, 4, n)
	for i := range n {
		c.sendMetadataRequest(swarm.DefaultUTMetadataID, i)
	}
	got := make([]byte, 0, len(content.Info))
	for i := range n {
		m := c.metadataMessage()
		require.Equal(t, metadataMsg{extID: clientMetadataID, msgType: 1, piece: int64(i), totalSize: int64(len(content.Info)),
			data: content.Info[i*swarm.MetadataPieceSize : min((i+1)*swarm.MetadataPieceSize, len(content.Info))]}, m,
			"data for piece %d, sent with the id the client chose", i)
		got = append(got, m.data...)
	}
	require.Equal(t, content.InfoHash, sha1.Sum(got))

	c.sendMetadataRequest(swarm.DefaultUTMetadataID, n)
	require.Equal(t, metadataMsg{extID: clientMetadataID, msgType: 2, piece: int64(n)}, c.metadataMessage(), "out of range: reject")
	c.c.Close()
	require.NoError(t, s.Close())
	require.Equal(t, []int{0, 1, 2, 3, 4}, s.MetadataRequests())
	require.Len(t, s.Violations(), 1)
	require.Contains(t, s.Violations()[0], "metadata request for piece 4, the metadata has 4")
}

// TestMetadataFaults checks what a magnet client asking for metadata piece
// 0 sees from each metadata fault. The metadata is one piece and a bit.
func TestMetadataFaults(t *testing.T) {
	content := metadataContent(t, swarm.MetadataPieceSize+10)
	size := int64(len(content.Info))
	piece0 := content.Info[:swarm.MetadataPieceSize]
	data := func(piece, total int64, data []byte) metadataMsg {
		return metadataMsg{extID: clientMetadataID, msgType: 1, piece: piece, totalSize: total, data: data}
	}
	request := func(t *testing.T, c *client) metadataMsg {
		c.magnetReady()
		c.sendMetadataRequest(swarm.DefaultUTMetadataID, 0)
		return c.metadataMessage()
	}
	tests := []struct {
		fault swarm.Fault
		check func(t *testing.T, c *client)
	}{
		{swarm.MetadataWrongBytes, func(t *testing.T, c *client) {
			m := request(t, c)
			require.Len(t, m.data, len(piece0))
			require.NotEqual(t, piece0, m.data)
		}},
		{swarm.MetadataWrongTotalSize, func(t *testing.T, c *client) {
			require.Equal(t, data(0, size+1, piece0), request(t, c))
		}},
		{swarm.MetadataPieceOutOfRange, func(t *testing.T, c *client) {
			require.Equal(t, data(2, size, piece0), request(t, c))
		}},
		{swarm.MetadataUnrequestedPiece, func(t *testing.T, c *client) {
			_, err := c.handshake()
			require.NoError(t, err)
			c.sendExtHandshake(map[string]any{"ut_metadata": int64(clientMetadataID)})
			m := c.metadataMessage()
			require.Equal(t, int64(0), m.piece, "data before anything was asked")
			require.NotEqual(t, piece0, m.data)
			require.Equal(t, int64(swarm.DefaultUTMetadataID), c.extHandshake()["m"].(map[string]any)["ut_metadata"],
				"then the seeder's extension handshake")
			c.sendMetadataRequest(swarm.DefaultUTMetadataID, 0)
			require.Equal(t, data(0, size, piece0), c.metadataMessage(), "then the truth")
		}},
		{swarm.MetadataHugeTotalSize, func(t *testing.T, c *client) {
			require.Equal(t, data(0, 4<<30, piece0), request(t, c))
		}},
		{swarm.MetadataReject, func(t *testing.T, c *client) {
			require.Equal(t, metadataMsg{extID: clientMetadataID, msgType: 2}, request(t, c))
		}},
		{swarm.MetadataNoAnswer, func(t *testing.T, c *client) {
			c.magnetReady()
			c.sendMetadataRequest(swarm.DefaultUTMetadataID, 0)
			c.c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
			_, _, err := c.msg()
			require.ErrorIs(t, err, os.ErrDeadlineExceeded)
		}},
	}
	require.Len(t, tests, len(swarm.MetadataFaults()), "every metadata fault has a row")
	for i, tc := range tests {
		t.Run(tc.fault.String(), func(t *testing.T) {
			require.Equal(t, swarm.MetadataFaults()[i], tc.fault)
			require.True(t, tc.fault.MetadataFault())
			s := swarm.Start(t, content, swarm.Options{Fault: tc.fault})
			tc.check(t, dialReserved(t, s, content.InfoHash, extensionBit))
			require.NoError(t, s.Close())
			require.Empty(t, s.Violations(), "the test client asked well")
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
			c.seederHandshake() // a client speaks after the seeder's handshake
			c.sendExtHandshake(map[string]any{"ut_metadata": int64(1)})
		}, "did not set the extension bit"},
		{"request with the client's own id", extensionBit, swarm.Honest, func(c *client) {
			c.magnetReady()
			c.sendMetadataRequest(clientMetadataID, 0)
		}, "extended message id 1, which the seeder's m never gave"},
		{"request before the seeder's extension handshake", extensionBit, swarm.NoExtensionHandshake, func(c *client) {
			c.seederHandshake() // a client speaks after the seeder's handshake
			c.sendExtHandshake(map[string]any{"ut_metadata": int64(1)})
			c.sendMetadataRequest(swarm.DefaultUTMetadataID, 0)
		}, "extended message id 3 before the seeder's extension handshake"},
		{"request before the client's extension handshake", extensionBit, swarm.Honest, func(c *client) {
			c.seederHandshake() // a client speaks after the seeder's handshake
			c.sendMetadataRequest(swarm.DefaultUTMetadataID, 0)
		}, "gave no ut_metadata id"},
		{"extension handshake not bencode", extensionBit, swarm.Honest, func(c *client) {
			c.seederHandshake() // a client speaks after the seeder's handshake
			c.sendExt(0, []byte("d1:m"))
		}, "is not a bencoded dictionary"},
		{"extension handshake string longer than the message", extensionBit, swarm.Honest, func(c *client) {
			c.seederHandshake() // a client speaks after the seeder's handshake
			c.sendExt(0, []byte("d1:md11:ut_metadatai1ee1:v999999999999:xe"))
		}, "is not a bencoded dictionary"},
		{"extension handshake without m", extensionBit, swarm.Honest, func(c *client) {
			c.seederHandshake() // a client speaks after the seeder's handshake
			c.sendExt(0, encode(c.t, map[string]any{"v": "x"}))
		}, "no m dictionary"},
		{"ut_metadata 256", extensionBit, swarm.Honest, func(c *client) {
			c.seederHandshake() // a client speaks after the seeder's handshake
			c.sendExtHandshake(map[string]any{"ut_metadata": int64(256)})
		}, "m.ut_metadata = 256"},
		{"request without ut_metadata of its own", extensionBit, swarm.Honest, func(c *client) {
			_, err := c.handshake()
			require.NoError(c.t, err)
			c.sendExtHandshake(map[string]any{"ut_pex": int64(1)})
			c.extHandshake()
			c.sendMetadataRequest(swarm.DefaultUTMetadataID, 0)
		}, "gave no ut_metadata id"},
		{"a data message to the seeder", extensionBit, swarm.Honest, func(c *client) {
			c.magnetReady()
			c.sendExt(swarm.DefaultUTMetadataID, encode(c.t, map[string]any{"msg_type": int64(1), "piece": int64(0)}))
		}, "msg_type 1 sent to a seeder"},
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

// TestMetadataContent serves an info dict the test chose by its own hash.
func TestMetadataContent(t *testing.T) {
	info := []byte("d5:filesle4:name2:..12:piece lengthi0e6:pieces0:e")
	content := swarm.MetadataContent(info)
	require.Equal(t, sha1.Sum(info), content.InfoHash)
	s := swarm.Start(t, content, swarm.Options{})
	c := dialReserved(t, s, content.InfoHash, extensionBit)
	c.magnetReady()
	c.sendMetadataRequest(swarm.DefaultUTMetadataID, 0)
	require.Equal(t, info, c.metadataMessage().data)
}

func TestListenRejectsBadExtensionOptions(t *testing.T) {
	content, _ := testContent(t)
	for _, tc := range []struct {
		opts swarm.Options
		want string
	}{
		{swarm.Options{UTMetadataID: 256}, "UTMetadataID 256"},
		{swarm.Options{UTMetadataID: swarm.DonthaveID}, "UTMetadataID 7"},
		{swarm.Options{Fault: swarm.MetadataReject}, "needs metadata"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			_, err := swarm.Listen(content, tc.opts)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestFaultLists(t *testing.T) {
	require.Len(t, swarm.ExtensionFaults(), 10)
	require.Len(t, swarm.MetadataFaults(), 7)
	all := append(append(swarm.Faults(), swarm.ExtensionFaults()...), swarm.MetadataFaults()...)
	require.Equal(t, swarm.AllFaults(), all)
	for _, f := range swarm.AllFaults() {
		require.NotContains(t, f.String(), "Fault(", "every fault has a name")
	}
}
