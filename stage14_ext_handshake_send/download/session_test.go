package download

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/stage14_ext_handshake_send/peer"
)

func TestSessionHandle(t *testing.T) {
	bitfield := func(b ...byte) *peer.Message { return &peer.Message{ID: peer.MsgBitfield, Payload: b} }
	have := func(i int) *peer.Message {
		return &peer.Message{ID: peer.MsgHave, Payload: binary.BigEndian.AppendUint32(nil, uint32(i))}
	}
	tests := []struct {
		name       string
		msgs       []*peer.Message
		wantHas    []int
		wantChoked bool
		wantErr    string
	}{
		{name: "fresh connection", wantChoked: true},
		{name: "bitfield", msgs: []*peer.Message{bitfield(0xb0, 0x40)}, wantHas: []int{0, 2, 3, 9}, wantChoked: true},
		{name: "keep-alive before the bitfield", msgs: []*peer.Message{nil, bitfield(0x80, 0)}, wantHas: []int{0}, wantChoked: true},
		{name: "haves", msgs: []*peer.Message{have(9), have(1)}, wantHas: []int{1, 9}, wantChoked: true},
		{name: "bitfield then have", msgs: []*peer.Message{bitfield(0x80, 0), have(5)}, wantHas: []int{0, 5}, wantChoked: true},
		{name: "unchoke", msgs: []*peer.Message{{ID: peer.MsgUnchoke}}},
		{name: "unchoke then choke", msgs: []*peer.Message{{ID: peer.MsgUnchoke}, {ID: peer.MsgChoke}}, wantChoked: true},
		{name: "unknown message ignored", msgs: []*peer.Message{{ID: 20, Payload: []byte("d1:md")}}, wantChoked: true},
		{name: "have out of range", msgs: []*peer.Message{have(10)}, wantErr: "have for piece 10, but the torrent has 10 pieces"},
		{name: "have malformed", msgs: []*peer.Message{{ID: peer.MsgHave, Payload: []byte{1, 2}}}, wantErr: "malformed have"},
		{name: "bitfield too short", msgs: []*peer.Message{bitfield(0xff)}, wantErr: "bad bitfield: 1 bytes for 10 pieces, want 2"},
		{name: "bitfield spare bits", msgs: []*peer.Message{bitfield(0xff, 0xff)}, wantErr: "bad bitfield: spare bits after piece 9 set"},
		{name: "bitfield late", msgs: []*peer.Message{{ID: peer.MsgUnchoke}, bitfield(0xff, 0xc0)}, wantErr: "bitfield after 1 other messages"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &session{numPieces: 10, has: peer.NewBitfield(10), choked: true}
			var err error
			for _, m := range tc.msgs {
				if _, err = s.handle(m); err != nil {
					break
				}
			}
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				require.ErrorIs(t, err, ErrProtocol, "every broken rule is a protocol error")
				return
			}
			require.NoError(t, err)
			var has []int
			for i := range 16 {
				if s.has.Has(i) {
					has = append(has, i)
				}
			}
			require.Equal(t, tc.wantHas, has)
			require.Equal(t, tc.wantChoked, s.choked)
		})
	}
}

// TestSessionBlocks: one set of rules for blocks, for one piece (Piece) and
// for a whole torrent (the workers): only a block we requested is stored;
// anything else is a stray, forgiven up to a budget, then ErrProtocol; a
// choke keeps the blocks that came and makes the others wanted again.
func TestSessionBlocks(t *testing.T) {
	block := func(begin, size int) *peer.Message {
		payload := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, 0), uint32(begin))
		return &peer.Message{ID: peer.MsgPiece, Payload: append(payload, make([]byte, size)...)}
	}
	s := &session{numPieces: 1, has: peer.Bitfield{0x80}, depth: 2}
	p := newPiece(0, 2*peer.BlockSize+100) // blocks of 16384, 16384, 100
	s.pieces = []*piece{p}
	require.Len(t, p.requests(nil, s.depth), 2)
	s.inFlight, s.peak = 2, 2 // as request would have it

	handle := func(m *peer.Message) *piece {
		t.Helper()
		done, err := s.handle(m)
		require.NoError(t, err)
		return done
	}
	handle(block(0, peer.BlockSize))     // requested: stored
	handle(block(1, peer.BlockSize))     // odd offset
	handle(block(2*peer.BlockSize, 100)) // a block we did not request
	handle(block(0, peer.BlockSize))     // a second copy
	require.Equal(t, 1, p.received, "only the requested block is stored")
	require.Equal(t, 3, s.strays)
	require.Equal(t, 1, s.inFlight)

	handle(&peer.Message{ID: peer.MsgChoke})
	require.Equal(t, []blockState{blockReceived, blockWanted, blockWanted}, p.blocks,
		"a choke keeps what came and asks again for the rest")
	require.Zero(t, s.inFlight)
	handle(block(peer.BlockSize, 100)) // a wrong length: a stray too
	require.Equal(t, 4, s.strays)

	handle(&peer.Message{ID: peer.MsgUnchoke})
	require.Len(t, p.requests(nil, s.depth), 2)
	s.inFlight = 2
	require.Nil(t, handle(block(peer.BlockSize, peer.BlockSize)))
	require.Same(t, p, handle(block(2*peer.BlockSize, 100)), "the last block completes the piece")

	// Budget: the deepest pipeline (2), plus one per block taken (3) or
	// given up (1).
	for n := 5; n <= 6; n++ {
		_, err := s.handle(block(1, 1))
		require.NoError(t, err, "stray %d of 6 forgiven", n)
	}
	_, err := s.handle(block(1, 1))
	require.ErrorIs(t, err, ErrProtocol, "a seventh stray is a flood")
}

// TestStrayBudgetKeepsThePeak: the meter may shrink the depth while the
// blocks of a deeper pipeline are still on their way (or sent twice, by a
// peer that duplicates every block); the budget is the deepest pipeline,
// not the depth of the moment.
func TestStrayBudgetKeepsThePeak(t *testing.T) {
	s := &session{numPieces: 1, has: peer.Bitfield{0x80}, depth: 5, peak: 64}
	for n := 1; n <= 64; n++ {
		require.NoError(t, s.stray(0, 1), "stray %d of 64 forgiven", n)
	}
	require.ErrorIs(t, s.stray(0, 1), ErrProtocol)
}
