package download

import "time"

// A peer sends only what we asked for, so the requests in flight must cover
// what it sends in one round trip, its bandwidth-delay product, or it idles
// part of every round trip: 40 Mbit/s with a 600 ms round trip is 3 MB, 183
// blocks, while 5 Mbit/s 100 ms away needs 4. So a worker sizes its peer's
// depth from what it measures: the rate times one and a half round trips
// (the half lets a faster rate show), plus 5 ms for our own delays in
// reading, between these bounds. MaxBuffered still bounds all peers.
const (
	minDepth = 5   // the course's pipeline
	maxDepth = 512 // 8 MiB in flight to one peer
)

// meter measures one peer's round trip and rate. Until the first block
// times a round trip, the session keeps PipelineDepth.
type meter struct {
	rtt    time.Duration // the shortest request → block seen
	probe  time.Time     // when requests went into an empty pipeline, until a block answers
	start  time.Time     // when the rate's window began
	blocks int           // blocks received since start
	rate   float64       // blocks per second, the best of the recent windows
}

// sent notes requests that went into an empty pipeline: the block that
// answers first has no other block ahead of it, so it times a round trip.
func (m *meter) sent() { m.probe = time.Now() }

// received counts a block we asked for and returns the depth to keep, given
// the current one. A window lasts half a round trip, at least 50 ms (a
// shorter one sees bursts, not a rate); the rate is the best
// window's, fading by a tenth per window, so one slow window (a pause of
// ours, a gap between bursts) does not drain the pipeline. The depth grows
// at most threefold per window.
func (m *meter) received(depth int) int {
	now := time.Now()
	if !m.probe.IsZero() { // a new window too: an idle pipeline is not the peer's doing
		if rtt := now.Sub(m.probe); m.rtt == 0 || rtt < m.rtt {
			m.rtt = rtt
		}
		m.probe, m.start, m.blocks = time.Time{}, now, 0
		return depth
	}
	m.blocks++
	elapsed := now.Sub(m.start)
	if elapsed < max(m.rtt/2, 50*time.Millisecond) {
		return depth
	}
	m.rate = max(float64(m.blocks)/elapsed.Seconds(), 0.9*m.rate)
	m.start, m.blocks = now, 0
	want := int(m.rate * (1.5*m.rtt.Seconds() + 0.005))
	return min(max(want, minDepth), maxDepth, 3*depth)
}
