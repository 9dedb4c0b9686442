package download_test

import (
	"context"
	"crypto/sha1"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"workbook/stage18_magnet_piece/download"
	"workbook/stage18_magnet_piece/peer"
	"workbook/stage18_magnet_piece/torrent"
	"workbook/testkit/torrentfile"
)

// rawPeer is a peer that answers the handshake correctly and then sends
// whatever bytes the test gives it, closes its side, and reads (and drops)
// what the client sends until the client hangs up.
type rawPeer struct {
	ln       net.Listener
	infoHash [20]byte
	wg       sync.WaitGroup
	next     chan []byte // the bytes for the next connection
}

func startRawPeer(tb testing.TB, infoHash [20]byte) *rawPeer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err)
	p := &rawPeer{ln: ln, infoHash: infoHash, next: make(chan []byte, 1)}
	p.wg.Add(1)
	go p.accept()
	tb.Cleanup(func() { ln.Close(); p.wg.Wait() })
	return p
}

func (p *rawPeer) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		data := <-p.next
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer c.Close()
			c.SetDeadline(time.Now().Add(5 * time.Second))
			if _, err := io.ReadFull(c, make([]byte, peer.HandshakeLen)); err != nil {
				return
			}
			reply, _ := peer.Handshake{InfoHash: p.infoHash, PeerID: [20]byte([]byte("-RAW001-fuzzfuzzfuzz"))}.MarshalBinary()
			c.Write(append(reply, data...))
			c.(*net.TCPConn).CloseWrite() // FIN: the client reads all of data, then EOF
			io.Copy(io.Discard, c)
		}()
	}
}

// FuzzPiece lets a peer send any bytes at all after its handshake. Whatever
// they are, Piece must return in bounded time without panicking, and when it
// returns a piece, that piece is the real one: garbage never gets through.
func FuzzPiece(f *testing.F) {
	tor := torrentfile.MustBuild(f, torrentfile.Options{Seed: 13, PieceLength: 32768, Length: 20000})
	m, err := torrent.Parse(tor.Bytes)
	require.NoError(f, err)
	want := tor.Piece(0) // 20000 bytes: blocks of 16384 and 3616

	piece := func(begin int, block []byte) *peer.Message {
		return &peer.Message{ID: peer.MsgPiece, Payload: append(append(have(0).Payload, have(begin).Payload...), block...)}
	}
	stream := func(ms ...*peer.Message) []byte {
		var b []byte
		for _, msg := range ms {
			b = peer.AppendMessage(b, msg)
		}
		return b
	}
	bitfield := &peer.Message{ID: peer.MsgBitfield, Payload: []byte{0x80}}
	unchoke := &peer.Message{ID: peer.MsgUnchoke}
	f.Add(stream(bitfield, unchoke, piece(0, want[:16384]), piece(16384, want[16384:])))
	f.Add(stream(nil, bitfield, nil, unchoke, nil, piece(16384, want[16384:]), piece(0, want[:16384])))
	f.Add(stream(have(0), unchoke, piece(1, want[1:16385]), piece(0, want[:16384]), piece(16384, want[16384:])))
	f.Add(append(stream(bitfield, unchoke), 0xff, 0xff, 0xff, 0xff, 7))
	f.Add(stream(bitfield, unchoke, &peer.Message{ID: peer.MsgChoke}, unchoke, piece(0, want[:16384])))

	p := startRawPeer(f, m.InfoHash)
	f.Fuzz(func(t *testing.T, data []byte) {
		p.next <- data
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn, err := peer.Dial(ctx, p.ln.Addr().String(), m.InfoHash, clientID, peer.Timeouts{})
		require.NoError(t, err)
		defer conn.Close()
		conn.Timeouts.Read = time.Second
		got, err := download.Piece(ctx, conn, m, 0)
		require.False(t, errors.Is(err, context.DeadlineExceeded), "Piece hung on this input")
		if err == nil {
			require.Equal(t, sha1.Sum(want), sha1.Sum(got), "a piece that is returned must be the real one")
		}
	})
}
