package realbt

import (
	"fmt"
	"net/netip"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// AssertLoopbackOnly fails the test when any TCP or UDP socket owned by one
// of the processes (by pid) is bound to, or connected to, an address outside
// 127.0.0.0/8 and ::1. It reads `ss -tunapH` (iproute2), which lists every
// socket with its owner, so a listener on 0.0.0.0, a DHT socket, an LSD
// multicast socket or a connection to the internet all show up.
//
// It is a snapshot: the Start functions call it once the program is ready
// and again just before the program is killed at the end of the test. A pid
// that owns no socket at all is an error too (every program checked here
// has at least its listener), so a check that cannot see the sockets (ss
// without permission to show owners) fails instead of passing vacuously.
func AssertLoopbackOnly(t testing.TB, pids ...int) {
	t.Helper()
	seen := checkSockets(t, pids)
	for _, pid := range pids {
		if seen[pid] == 0 {
			t.Errorf("realbt: ss -tunap shows no socket of pid %d, so its sockets cannot be checked (is ss allowed to see other processes?)", pid)
		}
	}
}

// AssertLoopbackIfAny is AssertLoopbackOnly for a program that may have no
// socket yet (or no more): it checks the sockets pid owns in one ss
// snapshot and reports whether there were any. A caller polls it until it
// returns true; two ss runs (one to see sockets, one to check them) would
// race with a program that ends in between.
func AssertLoopbackIfAny(t testing.TB, pid int) bool {
	t.Helper()
	return checkSockets(t, []int{pid})[pid] > 0
}

// checkSockets runs ss once, fails t for every socket of pids outside
// loopback, and returns how many sockets each pid owns.
func checkSockets(t testing.TB, pids []int) map[int]int {
	t.Helper()
	Require(t, "ss")
	out, err := exec.Command("ss", "-tunapH").Output()
	if err != nil {
		t.Fatalf("realbt: ss -tunapH: %v", err)
	}
	want := make(map[int]bool, len(pids))
	for _, pid := range pids {
		want[pid] = true
	}
	bad, seen := loopbackViolations(string(out), want)
	for _, v := range bad {
		t.Errorf("realbt: socket outside loopback (nothing may leave 127.0.0.0/8): %s", v)
	}
	return seen
}

// pidRE finds the owners in ss's process column: users:(("aria2c",pid=5355,fd=6)).
var pidRE = regexp.MustCompile(`pid=(\d+)`)

// loopbackViolations returns the ss lines (from `ss -tunapH`) of sockets
// owned by one of pids that are not confined to loopback, and how many
// sockets each pid owns. A socket is confined when its local address is
// loopback and its peer is loopback, or the peer is a wildcard on a socket
// that is not connected (LISTEN, or UDP UNCONN).
func loopbackViolations(ssOutput string, pids map[int]bool) (bad []string, seen map[int]int) {
	seen = make(map[int]int)
	for line := range strings.Lines(ssOutput) {
		line = strings.TrimSpace(line)
		owners := ownedBy(line, pids)
		if len(owners) == 0 {
			continue
		}
		for _, pid := range owners {
			seen[pid]++
		}
		// Netid State Recv-Q Send-Q Local Peer Process
		f := strings.Fields(line)
		if len(f) < 6 {
			bad = append(bad, "unparsable: "+line)
			continue
		}
		state, local, peer := f[1], f[4], f[5]
		switch {
		case !isLoopback(local):
			bad = append(bad, line)
		case isWildcard(peer) && (state == "LISTEN" || state == "UNCONN"):
			// a loopback listener or an unconnected loopback UDP socket
		case !isLoopback(peer):
			bad = append(bad, line)
		}
	}
	return bad, seen
}

// ownedBy returns the pids among pids that the ss line names as owners.
func ownedBy(line string, pids map[int]bool) []int {
	var owners []int
	for _, m := range pidRE.FindAllStringSubmatch(line, -1) {
		if pid, err := strconv.Atoi(m[1]); err == nil && pids[pid] {
			owners = append(owners, pid)
		}
	}
	return owners
}

// splitSSAddr splits ss's "addr:port" into its address part, dropping the
// brackets of IPv6 ("[::1]:80") and a bound interface ("127.0.0.1%lo:80").
func splitSSAddr(s string) (addr, port string) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return s, ""
	}
	addr, port = s[:i], s[i+1:]
	addr = strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]")
	if j := strings.IndexByte(addr, '%'); j >= 0 {
		addr = addr[:j]
	}
	return addr, port
}

// isLoopback reports whether an ss address is in 127.0.0.0/8 or ::1
// (IPv4-mapped IPv6 included).
func isLoopback(s string) bool {
	addr, _ := splitSSAddr(s)
	ip, err := netip.ParseAddr(addr)
	return err == nil && ip.Unmap().IsLoopback()
}

// isWildcard reports whether an ss peer address means "no peer": *:*,
// 0.0.0.0:* or [::]:*.
func isWildcard(s string) bool {
	addr, port := splitSSAddr(s)
	if port != "*" {
		return false
	}
	if addr == "*" {
		return true
	}
	ip, err := netip.ParseAddr(addr)
	return err == nil && ip.IsUnspecified()
}

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
