package download

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func all(int) bool  { return true }
func none(int) bool { return false }

// onePerPiece counts pieces as 1 byte each, for the buffer budget.
func onePerPiece(int) int64 { return 1 }

func TestQueuePickInOrderOfWhatThePeerHas(t *testing.T) {
	q := newQueue(4, onePerPiece, 0)
	odd := func(i int) bool { return i%2 == 1 }

	got, ok := q.pick(odd, none)
	require.True(t, ok)
	require.Equal(t, 1, got, "the first piece the peer has")
	got, _ = q.pick(odd, none)
	require.Equal(t, 3, got)
	_, ok = q.pick(odd, none)
	require.False(t, ok, "pieces 0 and 2 are still pending: no endgame yet, and the peer has neither")
}

func TestQueueReleaseGivesThePieceBack(t *testing.T) {
	q := newQueue(3, onePerPiece, 0)
	for range 3 {
		q.pick(all, none)
	}
	changed, _ := q.watch()
	q.release(0) // the peer fetching piece 0 failed
	select {
	case <-changed:
	default:
		t.Fatal("a piece given back must wake waiting workers")
	}
	got, ok := q.pick(all, none)
	require.True(t, ok)
	require.Equal(t, 0, got, "a piece given back goes to the next worker, even below pieces already handed out")
}

func TestQueueEndgame(t *testing.T) {
	q := newQueue(2, onePerPiece, 0)
	a, _ := q.pick(all, none) // worker A takes 0
	b, _ := q.pick(all, none) // worker B takes 1
	require.Equal(t, []int{0, 1}, []int{a, b})

	// Nothing is pending: worker C gets a piece already in flight, the one
	// with the fewest workers, never one it already fetches.
	c, ok := q.pick(all, func(i int) bool { return i == 0 })
	require.True(t, ok, "in the endgame a piece in flight is handed out again")
	require.Equal(t, 1, c)

	require.True(t, q.finish(1), "the first to deliver piece 1")
	require.False(t, q.finish(1), "the second copy of piece 1 is not counted")
	q.release(1)
	q.release(1)
	require.False(t, q.complete())
	require.True(t, q.finish(0))
	q.release(0)
	require.True(t, q.complete())
	_, complete := q.watch()
	require.True(t, complete, "watch tells the workers that every piece is done")
}

func TestQueueFailedPieceIsNotLost(t *testing.T) {
	q := newQueue(1, onePerPiece, 0)
	q.pick(all, none)
	q.pick(all, none) // endgame: a second worker on piece 0
	q.release(0)      // one of them fails: the other still has it
	_, ok := q.pick(all, func(i int) bool { return i == 0 })
	require.False(t, ok, "the remaining worker already fetches piece 0")
	q.release(0) // the other fails too
	got, ok := q.pick(all, none)
	require.True(t, ok, "a piece nobody fetches any more is pending again")
	require.Equal(t, 0, got)
}

func TestQueueBufferBudget(t *testing.T) {
	size := func(i int) int64 { return []int64{100, 100, 100, 30}[i] }
	q := newQueue(4, size, 250)
	a, _ := q.pick(all, none)
	b, ok := q.pick(all, none)
	require.True(t, ok, "two pieces of 100 fit in 250")
	_, ok = q.pick(all, none)
	require.False(t, ok, "a third would hold 300 bytes of buffers")

	changed, _ := q.watch()
	q.release(a) // its peer failed: piece a is pending again, 100 bytes free
	select {
	case <-changed:
	default:
		t.Fatal("freed room must wake waiting workers")
	}
	got, ok := q.pick(all, none)
	require.True(t, ok)
	require.Equal(t, a, got)
	q.release(b)
	q.release(got)
	require.Equal(t, int64(200), q.peakBuffered)

	// A piece over the whole budget still goes out when nothing else is
	// in flight: the download never stops.
	q = newQueue(2, size, 50)
	_, ok = q.pick(all, none)
	require.True(t, ok, "nothing in flight: a 100-byte piece goes out over a 50-byte budget")
	_, ok = q.pick(all, none)
	require.False(t, ok, "but only one at a time")
	require.Equal(t, int64(100), q.peakBuffered)
}
