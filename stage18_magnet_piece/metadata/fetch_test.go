package metadata_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"workbook/stage18_magnet_piece/metadata"
	"workbook/stage18_magnet_piece/peer"
)

// answer is what the scripted peer sends for one request of piece: zero or
// more ut_metadata payloads; a nil one is a pause of 100 ms instead.
type answer func(piece int) [][]byte

// honest answers every request with the piece of meta.
func honest(meta []byte) answer {
	return func(piece int) [][]byte { return [][]byte{dataMsg(meta, piece, len(meta))} }
}

// dataMsg is the payload of a data message for piece of meta, claiming
// totalSize.
func dataMsg(meta []byte, piece, totalSize int) []byte {
	start := min(len(meta), piece*metadata.PieceSize)
	end := min(len(meta), start+metadata.PieceSize)
	head := fmt.Sprintf("d8:msg_typei1e5:piecei%de10:total_sizei%dee", piece, totalSize)
	return append([]byte(head), meta[start:end]...)
}

var pieceKey = regexp.MustCompile(`5:piecei(\d+)e`)

// scriptedPeer accepts one connection, answers the handshake for infoHash,
// sends before (raw peer messages), and then answers each ut_metadata
// request it reads with ask. It returns the connection Fetch uses and the
// pieces requested, readable once the test is done.
func scriptedPeer(t *testing.T, infoHash [20]byte, before [][]byte, ask answer) (*peer.Conn, func() []int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var requested []int
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c, err := ln.Accept()
		ln.Close()
		if err != nil {
			return
		}
		defer c.Close()
		hs := make([]byte, 68)
		if _, err := io.ReadFull(c, hs); err != nil {
			return
		}
		hs[25] |= 0x10 // BEP 10: extension protocol
		copy(hs[48:], "-SC0001-scriptedpeer")
		c.Write(hs)
		for _, m := range before {
			c.Write(m)
		}
		for {
			var n uint32
			if binary.Read(c, binary.BigEndian, &n) != nil {
				return
			}
			msg := make([]byte, n)
			if _, err := io.ReadFull(c, msg); err != nil {
				return
			}
			if n < 2 || msg[0] != 20 || msg[1] != theirID {
				continue
			}
			m := pieceKey.FindSubmatch(msg[2:])
			if m == nil || !bytes.Contains(msg, []byte("8:msg_typei0e")) {
				continue
			}
			piece, _ := strconv.Atoi(string(m[1]))
			mu.Lock()
			requested = append(requested, piece)
			mu.Unlock()
			for _, p := range ask(piece) {
				if p == nil {
					time.Sleep(100 * time.Millisecond)
					continue
				}
				if _, err := c.Write(extendedMsg(ourID, p)); err != nil {
					return
				}
			}
		}
	}()
	conn, err := peer.Dial(context.Background(), ln.Addr().String(), infoHash, [20]byte{'x'},
		peer.Timeouts{Read: time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(); wg.Wait() })
	return conn, func() []int {
		conn.Close()
		wg.Wait()
		return requested
	}
}

// infoDict is a made-up info dictionary of at least size bytes.
func infoDict(size int) []byte {
	pad := bytes.Repeat([]byte("p"), size)
	return []byte(fmt.Sprintf("d4:name3:abc3:pad%d:%se", len(pad), pad))
}

func TestFetch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		size          int  // of the metadata
		announce      bool // send metadata_size in the handshake (Peer.Size)
		before        [][]byte
		wantRequested []int
	}{
		{"one piece, size announced", 1000, true, nil, []int{0}},
		{"three pieces, pipelined", 2*metadata.PieceSize + 10, true, nil, []int{0, 1, 2}},
		{"three pieces, size learnt from piece 0", 2*metadata.PieceSize + 10, false, nil, []int{0, 1, 2}},
		{"after a bitfield, a have, keep-alives and another extension",
			metadata.PieceSize + 1, true,
			[][]byte{{0, 0, 0, 2, 5, 0xff}, {0, 0, 0, 0}, {0, 0, 0, 5, 4, 0, 0, 0, 1},
				extendedMsg(9, []byte("d5:added0:e")), {0, 0, 0, 1, 1}},
			[]int{0, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			meta := infoDict(tc.size)
			conn, requested := scriptedPeer(t, sha1.Sum(meta), tc.before, honest(meta))
			p := metadata.Peer{Conn: conn, TheirID: theirID, OurID: ourID}
			if tc.announce {
				p.Size = int64(len(meta))
			}
			got, err := metadata.Fetch(context.Background(), p, sha1.Sum(meta))
			require.NoError(t, err)
			require.Equal(t, meta, got)
			require.Equal(t, tc.wantRequested, requested())
		})
	}
}

// TestFetchLies: every lie a peer can tell about the metadata ends Fetch
// with an error saying which, in bounded time, never with metadata.
func TestFetchLies(t *testing.T) {
	t.Parallel()
	meta := infoDict(2*metadata.PieceSize + 10) // 3 pieces
	size := len(meta)
	tests := []struct {
		name     string
		announce int64 // Peer.Size
		ask      answer
		wantErr  error
		wantText string
	}{
		{"reject", int64(size), func(p int) [][]byte { return [][]byte{metadata.Reject(p)} },
			metadata.ErrRejected, "piece 0"},
		{"wrong bytes", int64(size), func(p int) [][]byte {
			d := dataMsg(meta, p, size)
			d[len(d)-1] ^= 1
			return [][]byte{d}
		}, metadata.ErrHashMismatch, "want"},
		{"total_size other than metadata_size", int64(size), func(p int) [][]byte {
			return [][]byte{dataMsg(meta, p, size+1)}
		}, metadata.ErrBadMessage, "total_size"},
		{"total_size changes between pieces", 0, func(p int) [][]byte {
			return [][]byte{dataMsg(meta, p, size-p)}
		}, metadata.ErrBadMessage, "total_size"},
		{"total_size of 4 GiB", 0, func(p int) [][]byte {
			return [][]byte{dataMsg(meta, p, 4<<30)}
		}, metadata.ErrBadMessage, "total_size: 4294967296 out of range"},
		{"a piece out of range", int64(size), func(p int) [][]byte {
			return [][]byte{dataMsg(meta, p+7, size)}
		}, metadata.ErrBadMessage, "did not ask for"},
		{"a piece never requested", 0, func(p int) [][]byte {
			return [][]byte{dataMsg(meta, 1, size)} // asked for 0 only, so far
		}, metadata.ErrBadMessage, "piece 1, which we did not ask for"},
		{"the same piece twice", int64(size), func(p int) [][]byte {
			return [][]byte{dataMsg(meta, 0, size)}
		}, metadata.ErrBadMessage, "piece 0 twice"},
		{"garbage", int64(size), func(int) [][]byte { return [][]byte{[]byte("garbage")} },
			metadata.ErrBadMessage, "bencode"},
		{"never answers", int64(size), func(int) [][]byte { return nil },
			nil, "peer sent nothing for 1s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			conn, _ := scriptedPeer(t, sha1.Sum(meta), nil, tc.ask)
			p := metadata.Peer{Conn: conn, TheirID: theirID, OurID: ourID, Size: tc.announce}
			got, err := metadata.Fetch(context.Background(), p, sha1.Sum(meta))
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
			}
			require.ErrorContains(t, err, tc.wantText)
			require.Nil(t, got)
		})
	}
}

func TestFetchSizeCap(t *testing.T) {
	t.Parallel()
	meta := infoDict(100)
	conn, requested := scriptedPeer(t, sha1.Sum(meta), nil, honest(meta))
	p := metadata.Peer{Conn: conn, TheirID: theirID, OurID: ourID, Size: 4 << 30}
	_, err := metadata.Fetch(context.Background(), p, sha1.Sum(meta))
	require.ErrorIs(t, err, metadata.ErrBadMessage)
	require.ErrorContains(t, err, "metadata size 4294967296 out of range")
	require.Empty(t, requested(), "no request for metadata we would not take")
}

// TestFetchStall: a peer that keeps talking but never sends a piece is
// dropped after about the read limit (1 s here), not kept forever.
func TestFetchStall(t *testing.T) {
	t.Parallel()
	meta := infoDict(100)
	chatter := func(int) [][]byte {
		var msgs [][]byte
		for range 50 { // 5 s of a message every 100 ms, none of them a piece
			msgs = append(msgs, nil, []byte("d8:msg_typei9ee"))
		}
		return msgs
	}
	conn, _ := scriptedPeer(t, sha1.Sum(meta), nil, chatter)
	p := metadata.Peer{Conn: conn, TheirID: theirID, OurID: ourID, Size: int64(len(meta))}
	_, err := metadata.Fetch(context.Background(), p, sha1.Sum(meta))
	require.ErrorIs(t, err, metadata.ErrStalled)
}

// TestFetchContextCancel: Ctrl-C stops a Fetch that waits on a silent
// peer at once, and leaves no goroutine behind.
func TestFetchContextCancel(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	meta := infoDict(100)
	conn, _ := scriptedPeer(t, sha1.Sum(meta), nil, func(int) [][]byte { return nil })
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(50*time.Millisecond, func() { cancel(fmt.Errorf("interrupted")) })
	p := metadata.Peer{Conn: conn, TheirID: theirID, OurID: ourID, Size: int64(len(meta))}
	_, err := metadata.Fetch(ctx, p, sha1.Sum(meta))
	require.EqualError(t, err, "interrupted")
}
