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

	"workbook/stage19_magnet_download/peer"
)

// msg builds a message whose payload is the given numbers, 4 bytes each,
// big-endian, as have (index), request and cancel (index, begin, length)
// carry them.
func msg(id peer.MessageID, numbers ...int) *peer.Message {
	var payload []byte
	for _, n := range numbers {
		payload = binary.BigEndian.AppendUint32(payload, uint32(n))
	}
	return &peer.Message{ID: id, Payload: payload}
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
		{"have 5", msg(peer.MsgHave, 5), "00000005" + "04" + "00000005"},
		{"bitfield", &peer.Message{ID: peer.MsgBitfield, Payload: []byte{0xb0, 0xc0}}, "00000003" + "05" + "b0c0"},
		{"request", msg(peer.MsgRequest, 1, 16384, 16384), "0000000d" + "06" + "00000001" + "00004000" + "00004000"},
		{"piece", &peer.Message{ID: peer.MsgPiece, Payload: []byte{0, 0, 0, 1, 0, 0, 0x40, 0, 'h', 'i'}}, "0000000b" + "07" + "00000001" + "00004000" + "6869"},
		{"cancel", msg(peer.MsgCancel, 1, 16384, 16384), "0000000d" + "08" + "00000001" + "00004000" + "00004000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			buf := bytes.NewBuffer(peer.AppendMessage(nil, tc.msg))
			require.Equal(t, tc.want, hex.EncodeToString(buf.Bytes()))

			got, err := peer.ReadMessage(buf, peer.MaxPieceMessage)
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
		{"4 GiB prefix", "ffffffff" + "07", peer.MaxPieceMessage, peer.ErrMessageTooLong,
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
		_, err := peer.ReadMessage(bytes.NewReader(input), peer.MaxPieceMessage)
		require.ErrorIs(t, err, peer.ErrMessageTooLong)
	}
	runtime.ReadMemStats(&after)
	require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "100 refusals must allocate well under 1 MiB")
}

func TestReadMessageOneByteAtATime(t *testing.T) {
	wire := peer.AppendMessage(nil, msg(peer.MsgRequest, 7, 32768, 100))
	got, err := peer.ReadMessage(iotest.OneByteReader(bytes.NewReader(wire)), peer.MaxPieceMessage)
	require.NoError(t, err)
	require.Equal(t, peer.MsgRequest, got.ID)
	require.Equal(t, "00000007"+"00008000"+"00000064", hex.EncodeToString(got.Payload), "index 7, begin 32768, length 100")
}

func TestMaxMessageLength(t *testing.T) {
	require.Equal(t, uint32(16393), peer.MaxMessageLength(6), "a piece message: id, index, begin, 16 KiB")
	require.Equal(t, uint32(1+125001), peer.MaxMessageLength(1_000_001), "a bitfield of a million pieces")
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
	for _, m := range []*peer.Message{nil, {ID: peer.MsgUnchoke}, msg(peer.MsgHave, 3), msg(peer.MsgRequest, 1, 2, 3),
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
		m, err := peer.ReadMessage(r, peer.MaxPieceMessage)
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
