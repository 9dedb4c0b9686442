package swarm_test

import (
	"bufio"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"workbook/testkit/swarm"
	"workbook/testkit/torrentfile"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	pieceLen = 32 << 10 // two 16 KiB blocks a piece
	block    = 16 << 10
)

// testContent is 3 full pieces and a short last one (5 pieces: 5%8 != 0).
func testContent(t *testing.T) (swarm.Content, []byte) {
	t.Helper()
	data := make([]byte, 4*pieceLen+5000)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	return swarm.NewContent(sha1.Sum([]byte("test torrent")), pieceLen, data), data
}

// client is a bare-bones peer used to poke at the seeder.
type client struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func dial(t *testing.T, s *swarm.Seeder, infoHash [20]byte) *client {
	t.Helper()
	return dialReserved(t, s, infoHash, [8]byte{})
}

// dialReserved is dial with the given reserved bytes in the handshake.
func dialReserved(t *testing.T, s *swarm.Seeder, infoHash [20]byte, reserved [8]byte) *client {
	t.Helper()
	c, err := net.Dial("tcp", s.Addr())
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(5 * time.Second))
	_, err = c.Write(clientHandshake(infoHash, reserved))
	require.NoError(t, err)
	return &client{t: t, c: c, r: bufio.NewReader(c)}
}

// clientHandshake is the test client's handshake.
func clientHandshake(infoHash [20]byte, reserved [8]byte) []byte {
	hs := append([]byte{19}, "BitTorrent protocol"...)
	hs = append(hs, reserved[:]...)
	hs = append(hs, infoHash[:]...)
	return append(hs, "-TT0001-123456789012"...)
}

func (c *client) handshake() ([]byte, error) {
	buf := make([]byte, 68)
	n, err := io.ReadFull(c.r, buf)
	return buf[:n], err
}

// msg reads one message; id -1 is a keep-alive.
func (c *client) msg() (int, []byte, error) {
	var prefix [4]byte
	if _, err := io.ReadFull(c.r, prefix[:]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(prefix[:])
	if n == 0 {
		return -1, nil, nil
	}
	if n > 1<<20 {
		return 0, nil, errHuge
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(c.r, buf); err != nil {
		return 0, nil, err
	}
	return int(buf[0]), buf[1:], nil
}

var errHuge = errors.New("huge length prefix")

// next reads messages until one that is not a keep-alive.
func (c *client) next() (int, []byte) {
	c.t.Helper()
	for {
		id, p, err := c.msg()
		require.NoError(c.t, err)
		if id >= 0 {
			return id, p
		}
	}
}

func (c *client) send(id byte, payload ...uint32) {
	c.t.Helper()
	b := binary.BigEndian.AppendUint32(nil, uint32(1+4*len(payload)))
	b = append(b, id)
	for _, v := range payload {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	_, err := c.c.Write(b)
	require.NoError(c.t, err)
}

// ready does the handshake, reads the bitfield, says interested and waits
// for the unchoke.
func (c *client) ready() []byte {
	c.t.Helper()
	_, err := c.handshake()
	require.NoError(c.t, err)
	id, bf := c.next()
	require.Equal(c.t, 5, id, "bitfield")
	c.send(2)
	id, _ = c.next()
	require.Equal(c.t, 1, id, "unchoke")
	return bf
}

func (c *client) requestPiece(content swarm.Content, index int) {
	size := int(content.PieceSize(index))
	for begin := 0; begin < size; begin += block {
		c.send(6, uint32(index), uint32(begin), uint32(min(block, size-begin)))
	}
}

// readPiece reads one piece's blocks and returns the piece as sent.
func (c *client) readPiece(content swarm.Content, index int) []byte {
	c.t.Helper()
	buf := make([]byte, content.PieceSize(index))
	for got := 0; got < len(buf); {
		id, p := c.next()
		require.Equal(c.t, 7, id, "piece message")
		require.Equal(c.t, uint32(index), binary.BigEndian.Uint32(p))
		got += copy(buf[binary.BigEndian.Uint32(p[4:]):], p[8:])
	}
	return buf
}

func TestHonestSeederServesEveryPiece(t *testing.T) {
	content, data := testContent(t)
	s := swarm.Start(t, content, swarm.Options{})
	c := dial(t, s, content.InfoHash)

	hs, err := c.handshake()
	require.NoError(t, err)
	require.Equal(t, "\x13BitTorrent protocol", string(hs[:20]))
	require.Equal(t, content.InfoHash[:], hs[28:48])
	require.Equal(t, s.PeerID(), [20]byte(hs[48:68]))
	require.Equal(t, "-SW0001-", string(hs[48:56]))

	id, bf := c.next()
	require.Equal(t, 5, id)
	require.Equal(t, []byte{0xF8}, bf, "5 pieces: high 5 bits set, spare bits clear")
	c.send(2)
	id, _ = c.next()
	require.Equal(t, 1, id)

	var got []byte
	for i := range content.NumPieces() {
		c.requestPiece(content, i)
	}
	for i := range content.NumPieces() {
		got = append(got, c.readPiece(content, i)...)
	}
	require.Equal(t, data, got)

	c.c.Close()
	require.NoError(t, s.Close())
	require.Len(t, s.Handshakes(), 1)
	require.Equal(t, "-TT0001-123456789012", string(s.Handshakes()[0].PeerID[:]))
	require.Len(t, s.Requests(), 9)
	require.Equal(t, swarm.Request{Index: 4, Begin: 0, Length: 5000}, s.Requests()[8])
	require.Equal(t, 9, s.BlocksSent())
	require.Empty(t, s.Violations())
}

func TestSeederServesManyConnections(t *testing.T) {
	content, data := testContent(t)
	s := swarm.Start(t, content, swarm.Options{PeerID: [20]byte([]byte("-XX0001-abcdefghijkl"))})
	for range 3 {
		c := dial(t, s, content.InfoHash)
		c.ready()
		c.requestPiece(content, 1)
		require.Equal(t, data[pieceLen:2*pieceLen], c.readPiece(content, 1))
	}
	require.Equal(t, 3, s.Connections())
	require.Equal(t, "-XX0001-abcdefghijkl", fmt.Sprintf("%s", s.PeerID()))
}

func TestSeederHonoursCancel(t *testing.T) {
	content, data := testContent(t)
	s := swarm.Start(t, content, swarm.Options{BlockDelay: 300 * time.Millisecond})
	c := dial(t, s, content.InfoHash)
	c.ready()
	c.requestPiece(content, 0)
	c.send(8, 0, block, block) // cancel the second block: it is due 300ms after the first
	id, p := c.next()
	require.Equal(t, 7, id)
	require.Equal(t, data[:block], p[8:])

	c.c.SetReadDeadline(time.Now().Add(400 * time.Millisecond))
	_, _, err := c.msg()
	require.ErrorIs(t, err, os.ErrDeadlineExceeded, "the cancelled block must not be sent")
	require.Equal(t, []swarm.Request{{Index: 0, Begin: block, Length: block}}, s.Cancels())
}

func TestSeederKeepAlivesAndLateHaves(t *testing.T) {
	content, _ := testContent(t)
	s := swarm.Start(t, content, swarm.Options{KeepAlives: true, LateHaves: []int{1, 4}, HaveDelay: time.Millisecond})
	c := dial(t, s, content.InfoHash)
	_, err := c.handshake()
	require.NoError(t, err)
	var ids []int
	for range 6 {
		id, _, err := c.msg()
		require.NoError(t, err)
		ids = append(ids, id)
	}
	require.Equal(t, []int{-1, 5, -1, 4, -1, 4}, ids, "keep-alive before bitfield and each have")
}

func TestSeederViolations(t *testing.T) {
	content, _ := testContent(t)
	tests := []struct {
		name string
		do   func(c *client)
		want string
	}{
		{"request while choked", func(c *client) { c.send(6, 0, 0, block) }, "while choked"},
		{"request over 16 KiB", func(c *client) { c.ready(); c.send(6, 0, 0, 2*block) }, "out of range"},
		{"request past the piece", func(c *client) { c.ready(); c.send(6, 4, 0, block) }, "out of range"},
		{"request a missing piece", func(c *client) { c.ready(); c.send(6, 2, 0, block) }, "not announced"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := swarm.Start(t, content, swarm.Options{Missing: []int{2}})
			c := dial(t, s, content.InfoHash)
			if tc.name == "request while choked" {
				_, err := c.handshake()
				require.NoError(t, err)
			}
			tc.do(c)
			c.c.Close()
			require.Eventually(t, func() bool { return len(s.Violations()) > 0 }, 2*time.Second, time.Millisecond)
			require.NoError(t, s.Close())
			require.Contains(t, s.Violations()[0], tc.want)
		})
	}
	t.Run("wrong info hash", func(t *testing.T) {
		s := swarm.Start(t, content, swarm.Options{})
		c := dial(t, s, [20]byte{1})
		_, err := c.handshake()
		require.Error(t, err, "the seeder closes the connection")
		require.NoError(t, s.Close())
		require.Contains(t, s.Violations()[0], "is not the seeded torrent's")
	})
}

// TestHandshakeFaults checks what a client sees from each handshake fault.
func TestHandshakeFaults(t *testing.T) {
	content, _ := testContent(t)
	tests := []struct {
		fault swarm.Fault
		check func(t *testing.T, hs []byte, err error, c *client)
	}{
		{swarm.WrongInfoHash, func(t *testing.T, hs []byte, err error, c *client) {
			require.NoError(t, err)
			require.NotEqual(t, content.InfoHash[:], hs[28:48])
		}},
		{swarm.WrongProtocol, func(t *testing.T, hs []byte, err error, c *client) {
			require.NoError(t, err)
			require.Equal(t, "\x13BitTorrent Protocol", string(hs[:20]))
		}},
		{swarm.ShortHandshake, func(t *testing.T, hs []byte, err error, c *client) {
			require.ErrorIs(t, err, io.ErrUnexpectedEOF)
			require.Len(t, hs, 40)
		}},
		{swarm.NoHandshakeReply, func(t *testing.T, hs []byte, err error, c *client) {
			require.ErrorIs(t, err, os.ErrDeadlineExceeded)
		}},
		{swarm.CloseBeforeHandshake, func(t *testing.T, hs []byte, err error, c *client) {
			require.ErrorIs(t, err, io.EOF)
		}},
		{swarm.ResetBeforeHandshake, func(t *testing.T, hs []byte, err error, c *client) {
			require.ErrorIs(t, err, syscall.ECONNRESET)
			require.Empty(t, hs)
		}},
		{swarm.CloseAfterHandshake, func(t *testing.T, hs []byte, err error, c *client) {
			require.NoError(t, err)
			_, _, err = c.msg()
			require.ErrorIs(t, err, io.EOF)
		}},
		{swarm.ResetAfterHandshake, func(t *testing.T, hs []byte, err error, c *client) {
			require.NoError(t, err)
			c.send(2)
			_, _, err = c.msg()
			require.ErrorIs(t, err, syscall.ECONNRESET)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.fault.String(), func(t *testing.T) {
			require.True(t, tc.fault.HandshakeFault())
			s := swarm.Start(t, content, swarm.Options{Fault: tc.fault})
			c := dial(t, s, content.InfoHash)
			c.c.SetDeadline(time.Now().Add(300 * time.Millisecond))
			hs, err := c.handshake()
			c.c.SetDeadline(time.Now().Add(2 * time.Second))
			tc.check(t, hs, err, c)
			require.Len(t, s.Handshakes(), 1, "the seeder records the handshake it got")
		})
	}
}

// TestMessageFaults checks what a client asking for piece 0 sees from each
// message fault.
func TestMessageFaults(t *testing.T) {
	content, data := testContent(t)
	want := data[:pieceLen]
	tests := []struct {
		fault swarm.Fault
		check func(t *testing.T, c *client)
	}{
		{swarm.NeverUnchoke, func(t *testing.T, c *client) {
			_, err := c.handshake()
			require.NoError(t, err)
			c.next() // bitfield
			c.send(2)
			c.c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
			_, _, err = c.msg()
			require.ErrorIs(t, err, os.ErrDeadlineExceeded, "no unchoke ever")
		}},
		{swarm.ChokeMidPiece, func(t *testing.T, c *client) {
			c.ready()
			c.requestPiece(content, 0)
			id, _ := c.next()
			require.Equal(t, 7, id)
			id, _ = c.next()
			require.Equal(t, 0, id, "choke")
			c.send(2)
			c.c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
			_, _, err := c.msg()
			require.ErrorIs(t, err, os.ErrDeadlineExceeded, "never unchoked again")
		}},
		{swarm.ChokeMidPieceThenUnchoke, func(t *testing.T, c *client) {
			c.ready()
			c.requestPiece(content, 0)
			id, p := c.next()
			require.Equal(t, 7, id)
			require.Equal(t, want[:block], p[8:])
			id, _ = c.next()
			require.Equal(t, 0, id, "choke")
			id, _ = c.next()
			require.Equal(t, 1, id, "unchoke")
			c.send(6, 0, block, block)
			id, p = c.next()
			require.Equal(t, 7, id)
			require.Equal(t, want[block:], p[8:])
		}},
		{swarm.DisconnectMidPiece, func(t *testing.T, c *client) {
			c.ready()
			c.requestPiece(content, 0)
			id, _ := c.next()
			require.Equal(t, 7, id)
			_, _, err := c.msg()
			require.ErrorIs(t, err, io.EOF)
		}},
		{swarm.CorruptBlock, func(t *testing.T, c *client) {
			c.ready()
			c.requestPiece(content, 0)
			got := c.readPiece(content, 0)
			require.Len(t, got, len(want))
			require.NotEqual(t, sha1.Sum(want), sha1.Sum(got))
		}},
		{swarm.HugeLength, func(t *testing.T, c *client) {
			c.ready()
			c.requestPiece(content, 0)
			_, _, err := c.msg()
			require.ErrorIs(t, err, errHuge)
		}},
		{swarm.UnrequestedBlock, func(t *testing.T, c *client) {
			c.ready()
			c.send(6, 0, 0, block)
			id, p := c.next()
			require.Equal(t, 7, id)
			require.Equal(t, uint32(1), binary.BigEndian.Uint32(p[4:]), "begin 1 was never requested")
			id, p = c.next()
			require.Equal(t, 7, id)
			require.Equal(t, want[:block], p[8:])
		}},
		{swarm.UnrequestedAlignedBlock, func(t *testing.T, c *client) {
			c.ready()
			c.send(6, 0, 0, block)
			// 5 pieces: 4 of two blocks, the last one of 5000 bytes. Every
			// block but 0/0, from the one after it, round and round.
			free := [][3]int{{0, block, block}, {1, 0, block}, {1, block, block}, {2, 0, block}, {2, block, block},
				{3, 0, block}, {3, block, block}, {4, 0, 5000}}
			for n := range 20 {
				id, p := c.next()
				require.Equal(t, 7, id)
				want := free[n%len(free)]
				got := [3]int{int(binary.BigEndian.Uint32(p)), int(binary.BigEndian.Uint32(p[4:])), len(p) - 8}
				require.Equal(t, want, got, "stray %d: index, begin, length", n)
			}
			id, p := c.next()
			require.Equal(t, 7, id)
			require.Equal(t, want[:block], p[8:], "then the block asked for")
		}},
		{swarm.DuplicateBlock, func(t *testing.T, c *client) {
			c.ready()
			c.send(6, 0, 0, block)
			_, p1 := c.next()
			_, p2 := c.next()
			require.Equal(t, want[:block], p1[8:])
			require.Equal(t, p1[:8], p2[:8], "same index and begin")
			require.NotEqual(t, p1[8:], p2[8:])
		}},
		{swarm.BitfieldWrongSize, func(t *testing.T, c *client) {
			require.Equal(t, []byte{0xF8, 0}, c.ready())
		}},
		{swarm.BitfieldSpareBits, func(t *testing.T, c *client) {
			require.Equal(t, []byte{0xFF}, c.ready())
		}},
	}
	for _, tc := range tests {
		t.Run(tc.fault.String(), func(t *testing.T) {
			require.False(t, tc.fault.HandshakeFault())
			s := swarm.Start(t, content, swarm.Options{Fault: tc.fault, ChokeFor: time.Millisecond, StrayBlocks: 20})
			tc.check(t, dial(t, s, content.InfoHash))
		})
	}
}

func TestEveryFaultIsTested(t *testing.T) {
	// The two tables above name every fault of Faults but Honest; a new
	// fault needs a row. Stages 1-11 range over Faults: it must not grow.
	require.Len(t, swarm.Faults(), 20)
	require.Equal(t, swarm.BitfieldSpareBits, swarm.Faults()[19])
	assert.Equal(t, "Honest", swarm.Faults()[0].String())
	assert.Equal(t, "Fault(99)", swarm.Fault(99).String())
}

func TestListenRejectsBadOptions(t *testing.T) {
	content, _ := testContent(t)
	_, err := swarm.Listen(content, swarm.Options{Missing: []int{5}})
	require.ErrorContains(t, err, "piece 5 out of range")
	_, err = swarm.Listen(swarm.NewContent([20]byte{}, 16, make([]byte, 8*16)), swarm.Options{Fault: swarm.BitfieldSpareBits})
	require.ErrorContains(t, err, "not a multiple of 8")
	_, err = swarm.Listen(swarm.NewContent([20]byte{}, 0, []byte("x")), swarm.Options{})
	require.ErrorContains(t, err, "piece length must be positive")
}

func TestSeederFromTorrent(t *testing.T) {
	tor := torrentfile.Sample(t)
	content := swarm.FromTorrent(tor)
	s := swarm.Start(t, content, swarm.Options{})
	c := dial(t, s, tor.InfoHash)
	c.ready()
	last := tor.NumPieces() - 1
	c.requestPiece(content, last)
	require.Equal(t, tor.Piece(last), c.readPiece(content, last))
}

func TestSwarm(t *testing.T) {
	content, _ := testContent(t)
	sw := swarm.StartSwarm(t, content, swarm.Options{}, swarm.Options{Fault: swarm.CorruptBlock})
	require.Len(t, sw.Addrs(), 2)
	require.NotEqual(t, sw.Addrs()[0], sw.Addrs()[1])
	require.Regexp(t, `^127\.0\.0\.1:\d+$`, sw.Addrs()[1])
	require.NoError(t, sw.Close())
	_, err := net.Dial("tcp", sw.Addrs()[0])
	require.Error(t, err, "closed seeders no longer listen")
}

func TestSeederMaxQueued(t *testing.T) {
	content, _ := testContent(t)
	s := swarm.Start(t, content, swarm.Options{BlockDelay: 50 * time.Millisecond})
	c := dial(t, s, content.InfoHash)
	c.ready()
	for i := range 3 {
		c.requestPiece(content, i)
	}
	for i := range 3 {
		c.readPiece(content, i)
	}
	// Six requests sent at once: all six wait, or five if the first was
	// served before the others arrived.
	require.Contains(t, []int{5, 6}, s.MaxQueued())
}

func TestSeederCountsKeepAlives(t *testing.T) {
	content, _ := testContent(t)
	s := swarm.Start(t, content, swarm.Options{})
	c := dial(t, s, content.InfoHash)
	c.ready()
	_, err := c.c.Write(make([]byte, 8)) // two keep-alives: length 0, no id
	require.NoError(t, err)
	c.send(6, 0, 0, block)
	id, _ := c.next() // served after the keep-alives were read
	require.Equal(t, 7, id)
	require.Equal(t, 2, s.KeepAlivesReceived())
	require.Empty(t, s.Violations(), "keep-alives are allowed anywhere")
}

// TestBytesBehindHandshake: a client that sends a message in the same write
// as its handshake, before the seeder's answer, is reported: aria2 drops
// and bans such a peer, though BEP 3 allows it.
func TestBytesBehindHandshake(t *testing.T) {
	content := swarm.FromTorrent(torrentfile.Sample(t))
	s := swarm.Start(t, content, swarm.Options{})
	c, err := net.Dial("tcp", s.Addr())
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Write(append(clientHandshake(content.InfoHash, [8]byte{}), 0, 0, 0, 1, 2)) // and interested
	require.NoError(t, err)
	cl := &client{t: t, c: c, r: bufio.NewReader(c)}
	cl.seederHandshake()
	require.NoError(t, s.Close())
	require.Equal(t, []string{"5 bytes right behind the client's handshake, before ours: aria2 drops such a peer"}, s.Violations())
}
