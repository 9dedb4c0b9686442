package download

import "time"

// A peer sends only what we asked for, so the requests in flight must cover
// what it sends in a round trip (its bandwidth-delay product) or it idles:
// 40 Mbit/s 600 ms away is 3 MB, 183 blocks; 5 Mbit/s 100 ms away, 4. So a
// session keeps its peer's measured rate times one and a half round trips
// in flight (the half lets a faster rate show), plus 5 ms for our own
// delays, within these bounds.
const (
	minDepth = 5   // the course's pipeline
	maxDepth = 512 // 8 MiB in flight to one peer at most
)

// meter measures a peer's round trip and rate.
type meter struct {
	rtt    time.Duration // the shortest seen: the handshake's, or request → block
	probe  time.Time     // requests went into an empty pipeline then; zero once answered
	start  time.Time     // the rate window's start
	blocks int           // blocks received since start
	rate   float64       // blocks per second: the best recent window's
}

// received counts a block we asked for and returns the depth to keep. A
// block that answers a probe had none ahead of it: it times a round trip. A
// rate window lasts half a round trip, at least 50 ms (a shorter one sees
// bursts); the rate fades a tenth per window unless a window beats it, so
// one slow window (a pause of ours) does not drain the pipeline.
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
	return min(max(want, minDepth), maxDepth, 3*depth) // at most threefold per window
}
