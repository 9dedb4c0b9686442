package realbt

import (
	"errors"
	"fmt"
	"net/netip"
	"testing"
)

// AssertLoopbackOnly fails the test when any TCP or UDP socket owned by one
// of the processes (by pid) is bound to, or connected to, an address outside
// 127.0.0.0/8 and ::1. It reads the process's sockets from /proc, as
// `ss -tunap` would show them, so a listener on 0.0.0.0, a DHT socket, an
// LSD multicast socket or a connection to the internet all show up.
//
// It is a snapshot: the Start functions call it once the program is ready
// and again just before the program is killed at the end of the test. A pid
// that owns no socket at all is an error too (every program checked here
// has at least its listener), so a check that cannot see the sockets fails
// instead of passing vacuously.
func AssertLoopbackOnly(t testing.TB, pids ...int) {
	t.Helper()
	for _, pid := range pids {
		sockets, err := processSockets(pid)
		if err != nil {
			t.Fatalf("realbt: the sockets of pid %d: %v", pid, err)
		}
		if len(sockets) == 0 {
			t.Errorf("realbt: pid %d has no socket, so its sockets cannot be checked", pid)
		}
		reportOutsideLoopback(t, pid, sockets)
	}
}

// AssertLoopbackIfAny is AssertLoopbackOnly for a program that may have no
// socket yet (or no more): it checks the sockets pid owns in one snapshot
// and reports whether there were any. A caller polls it until it returns
// true; a program that has ended has none.
func AssertLoopbackIfAny(t testing.TB, pid int) bool {
	t.Helper()
	sockets, err := processSockets(pid)
	if errors.Is(err, errGone) {
		return false
	}
	if err != nil {
		t.Fatalf("realbt: the sockets of pid %d: %v", pid, err)
	}
	reportOutsideLoopback(t, pid, sockets)
	return len(sockets) > 0
}

// reportOutsideLoopback fails t for every socket not confined to loopback.
func reportOutsideLoopback(t testing.TB, pid int, sockets []socket) {
	t.Helper()
	for _, s := range sockets {
		if !confined(s) {
			t.Errorf("realbt: socket outside loopback (nothing may leave 127.0.0.0/8): pid %d: %s", pid, s)
		}
	}
}

// confined reports whether a socket stays on loopback: its local address is
// loopback, and so is its peer, or it has no peer because it is not
// connected (a listener, or an unconnected UDP socket).
func confined(s socket) bool {
	unconnected := s.state == "LISTEN" || s.state == "UNCONN"
	switch {
	case !isLoopback(s.local.Addr()):
		return false
	case unconnected && s.peer.Addr().IsUnspecified() && s.peer.Port() == 0:
		return true
	default:
		return isLoopback(s.peer.Addr())
	}
}

// isLoopback reports whether ip is in 127.0.0.0/8 or ::1 (IPv4-mapped IPv6
// included).
func isLoopback(ip netip.Addr) bool { return ip.Unmap().IsLoopback() }

// assertLoopbackNowAndAtEnd checks p's sockets now and registers the same
// check to run when the test ends, before p is killed (cleanups run last
// registered first, and p's kill was registered when it started).
func assertLoopbackNowAndAtEnd(t testing.TB, p *Process) {
	t.Helper()
	AssertLoopbackOnly(t, p.PID())
	t.Cleanup(func() {
		if !p.Exited() {
			AssertLoopbackOnly(t, p.PID())
		}
	})
}

// String describes the process for messages.
func (p *Process) String() string { return fmt.Sprintf("%s (pid %d)", p.Name, p.PID()) }
