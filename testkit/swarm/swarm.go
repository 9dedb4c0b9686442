package swarm

import (
	"errors"
	"testing"
)

// Swarm is a group of seeders of one torrent, e.g. one honest peer and a
// few faulty ones.
type Swarm []*Seeder

// StartSwarm starts one seeder of content per Options (for tests: each is
// closed when the test ends).
func StartSwarm(t testing.TB, content Content, opts ...Options) Swarm {
	t.Helper()
	sw := make(Swarm, 0, len(opts))
	for _, o := range opts {
		sw = append(sw, Start(t, content, o))
	}
	return sw
}

// Addrs returns every seeder's "127.0.0.1:port", in order: what a fake
// tracker hands out (faketracker.Peers(sw.Addrs()...)).
func (sw Swarm) Addrs() []string {
	addrs := make([]string, len(sw))
	for i, s := range sw {
		addrs[i] = s.Addr()
	}
	return addrs
}

// Close closes every seeder.
func (sw Swarm) Close() error {
	var errs []error
	for _, s := range sw {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}
