package peer_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"runtime"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"

	"workbook/stage10_piece/peer"
)

// have builds a have message, as a peer sends one (this client sends none:
// it only downloads).
func have(index int) *peer.Message {
	return &peer.Message{ID: peer.MsgHave, Payload: binary.BigEndian.AppendUint32(nil, uint32(index))}
}

// TestMessageBytes pins every message's bytes on the wire (BEP 3).
func TestMessageBytes(t *testing.T) {
	tests := []struct {
		name string
		msg  *peer.Message
		want string // hex: length prefix | id | payload
	}{
		{"keep-alive", nil, "00000000"},
		{"choke", &peer.Message{ID: peer.MsgChoke}, "00000001" + "00"},
		{"unchoke", &peer.Message{ID: peer.MsgUnchoke}, "00000001" + "01"},
		{"interested", &peer.Message{ID: peer.MsgInterested}, "00000001" + "02"},
		{"not interested", &peer.Message{ID: peer.MsgNotInterested}, "00000001" + "03"},
		{"have 5", have(5), "00000005" + "04" + "00000005"},
		{"bitfield", &peer.Message{ID: peer.MsgBitfield, Payload: []byte{0xb0, 0xc0}}, "00000003" + "05" + "b0c0"},
		{"request", peer.NewRequest(1, 16384, 16384), "0000000d" + "06" + "00000001" + "00004000" + "00004000"},
		{"piece", &peer.Message{ID: peer.MsgPiece, Payload: []byte{0, 0, 0, 1, 0, 0, 0x40, 0, 'h', 'i'}}, "0000000b" + "07" + "00000001" + "00004000" + "6869"},
		{"cancel", peer.NewCancel(1, 16384, 16384), "0000000d" + "08" + "00000001" + "00004000" + "00004000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			buf := bytes.NewBuffer(peer.AppendMessage(nil, tc.msg))
			require.Equal(t, tc.want, hex.EncodeToString(buf.Bytes()))

			got, err := peer.ReadMessage(buf, peer.DefaultMaxMessage)
			require.NoError(t, err)
			if tc.msg == nil {
				require.Nil(t, got, "a keep-alive reads back as a nil message")
				return
			}
			require.Equal(t, tc.msg.ID, got.ID)
			require.Equal(t, len(tc.msg.Payload), len(got.Payload))
			if len(tc.msg.Payload) > 0 {
				require.Equal(t, tc.msg.Payload, got.Payload)
			}
			require.Zero(t, buf.Len(), "exactly one message consumed")
		})
	}
}

func TestReadMessageErrors(t *testing.T) {
	tests := []struct {
		name    string
		input   string // hex
		maxLen  uint32
		wantIs  error
		wantErr string
	}{
		{"nothing", "", 100, io.EOF, "read message length: EOF"},
		{"half a length", "0000", 100, io.ErrUnexpectedEOF, "read message length: unexpected EOF"},
		{"body cut short", "00000005" + "04" + "0000", 100, io.ErrUnexpectedEOF, "read 5-byte message: unexpected EOF"},
		{"4 GiB prefix", "ffffffff" + "07", peer.DefaultMaxMessage, peer.ErrMessageTooLong,
			"message too long: length prefix 4294967295 (0xffffffff) over the 16393 bytes any message may have"},
		{"one over the cap", "00000065", 100, peer.ErrMessageTooLong, "length prefix 101 (0x00000065)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in, err := hex.DecodeString(tc.input)
			require.NoError(t, err)
			_, err = peer.ReadMessage(bytes.NewReader(in), tc.maxLen)
			require.ErrorIs(t, err, tc.wantIs)
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
}

// TestReadMessageHugeLengthAllocatesNothing: the cap is checked before the
// buffer is made, so a 4 GiB prefix costs a few bytes, not 4 GiB.
func TestReadMessageHugeLengthAllocatesNothing(t *testing.T) {
	input := []byte{0xff, 0xff, 0xff, 0xff, 7}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 100 {
		_, err := peer.ReadMessage(bytes.NewReader(input), peer.DefaultMaxMessage)
		require.ErrorIs(t, err, peer.ErrMessageTooLong)
	}
	runtime.ReadMemStats(&after)
	require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "100 refusals must allocate well under 1 MiB")
}

func TestReadMessageOneByteAtATime(t *testing.T) {
	wire := peer.AppendMessage(nil, peer.NewRequest(7, 32768, 100))
	got, err := peer.ReadMessage(iotest.OneByteReader(bytes.NewReader(wire)), peer.DefaultMaxMessage)
	require.NoError(t, err)
	require.Equal(t, peer.MsgRequest, got.ID)
	require.Equal(t, "00000007"+"00008000"+"00000064", hex.EncodeToString(got.Payload), "index 7, begin 32768, length 100")
}

func TestMaxMessageLength(t *testing.T) {
	require.Equal(t, uint32(16393), peer.MaxMessageLength(6), "a piece message: id, index, begin, 16 KiB")
	require.Equal(t, uint32(1+125001), peer.MaxMessageLength(1_000_001), "a bitfield of a million pieces")
}

func TestParseMessages(t *testing.T) {
	i, err := peer.ParseHave(have(42))
	require.NoError(t, err)
	require.Equal(t, 42, i)
	_, err = peer.ParseHave(&peer.Message{ID: peer.MsgHave, Payload: []byte{1}})
	require.EqualError(t, err, "malformed have: have (1 bytes), want 4 bytes")

	index, begin, block, err := peer.ParsePiece(&peer.Message{ID: peer.MsgPiece, Payload: []byte{0, 0, 0, 3, 0, 0, 0, 9, 'x'}})
	require.NoError(t, err)
	require.Equal(t, 3, index)
	require.Equal(t, 9, begin)
	require.Equal(t, []byte("x"), block)
	_, _, _, err = peer.ParsePiece(&peer.Message{ID: peer.MsgPiece, Payload: make([]byte, 7)})
	require.EqualError(t, err, "malformed piece: piece (7 bytes), want at least 8 bytes")
	_, _, _, err = peer.ParsePiece(have(1))
	require.Error(t, err)
}

func TestMessageIDString(t *testing.T) {
	require.Equal(t, "not interested", peer.MsgNotInterested.String())
	require.Equal(t, "cancel", peer.MsgCancel.String())
	require.Equal(t, "message 20", peer.MessageID(20).String())
	require.Equal(t, "keep-alive", (*peer.Message)(nil).String())
}

// FuzzReadMessage: no input may panic or allocate past the cap, and a
// message that parses writes back as the same bytes.
func FuzzReadMessage(f *testing.F) {
	for _, m := range []*peer.Message{nil, {ID: peer.MsgUnchoke}, have(3), peer.NewRequest(1, 2, 3),
		{ID: peer.MsgBitfield, Payload: []byte{0xff, 0x80}}, {ID: peer.MsgPiece, Payload: []byte("\x00\x00\x00\x01\x00\x00\x00\x00data")}} {
		f.Add(peer.AppendMessage(nil, m))
	}
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 7})
	f.Fuzz(func(t *testing.T, data []byte) {
		const maxLen = 64
		m, err := peer.ReadMessage(bytes.NewReader(data), maxLen)
		if err != nil {
			return
		}
		if m != nil {
			require.LessOrEqual(t, 1+len(m.Payload), maxLen)
		}
		wire := peer.AppendMessage(nil, m)
		require.Equal(t, data[:len(wire)], wire)
	})
}

func ExampleReadMessage() {
	// A peer sent: unchoke, a keep-alive, then have piece 3.
	wire := []byte{0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 5, 4, 0, 0, 0, 3}
	r := bytes.NewReader(wire)
	for {
		m, err := peer.ReadMessage(r, peer.DefaultMaxMessage)
		if err != nil {
			break // io.EOF after the last one
		}
		fmt.Println(m)
	}
	// Output:
	// unchoke (0 bytes)
	// keep-alive
	// have (4 bytes)
}

func ExampleNewRequest() {
	fmt.Printf("% x\n", peer.AppendMessage(nil, peer.NewRequest(0, 16384, 16384)))
	// Output: 00 00 00 0d 06 00 00 00 00 00 00 40 00 00 00 40 00
}
