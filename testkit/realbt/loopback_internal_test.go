package realbt

import (
	"net"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLoopbackViolations(t *testing.T) {
	const pid = 4242
	tests := []struct {
		name string
		line string
		bad  bool
	}{
		{"tcp listener on 127.0.0.1", `tcp LISTEN 0 1024 127.0.0.1:17001 0.0.0.0:* users:(("aria2c",pid=4242,fd=6))`, false},
		{"listener bound to lo", `tcp LISTEN 0 30 127.0.0.1%lo:17002 0.0.0.0:* users:(("qbittorrent-nox",pid=4242,fd=15))`, false},
		{"udp on loopback", `udp UNCONN 0 0 127.0.0.1%lo:17002 0.0.0.0:* users:(("qbittorrent-nox",pid=4242,fd=16))`, false},
		{"connection on loopback", `tcp ESTAB 0 0 127.0.0.1:38675 127.0.0.1:17001 users:(("aria2c",pid=4242,fd=8))`, false},
		{"other 127/8 address", `tcp ESTAB 0 0 127.0.0.2:38675 127.1.2.3:17001 users:(("aria2c",pid=4242,fd=8))`, false},
		{"ipv6 loopback", `tcp LISTEN 0 5 [::1]:80 [::]:* users:(("x",pid=4242,fd=3))`, false},
		{"ipv4-mapped loopback", `tcp ESTAB 0 0 [::ffff:127.0.0.1]:80 [::ffff:127.0.0.1]:5000 users:(("x",pid=4242,fd=3))`, false},
		{"listener on all interfaces", `tcp LISTEN 0 1024 0.0.0.0:6881 0.0.0.0:* users:(("aria2c",pid=4242,fd=6))`, true},
		{"listener on star", `tcp LISTEN 0 1024 *:6881 *:* users:(("aria2c",pid=4242,fd=6))`, true},
		{"ipv6 any", `tcp LISTEN 0 1024 [::]:6881 [::]:* users:(("aria2c",pid=4242,fd=6))`, true},
		{"dht socket on any", `udp UNCONN 0 0 0.0.0.0:6881 0.0.0.0:* users:(("qbittorrent-nox",pid=4242,fd=9))`, true},
		{"lsd multicast", `udp UNCONN 0 0 239.192.152.143:6771 0.0.0.0:* users:(("qbittorrent-nox",pid=4242,fd=9))`, true},
		{"connection to the internet", `tcp SYN-SENT 0 1 10.0.0.5:40000 67.215.246.10:6881 users:(("x",pid=4242,fd=3))`, true},
		{"loopback local, outside peer", `tcp ESTAB 0 0 127.0.0.1:40000 93.184.216.34:80 users:(("x",pid=4242,fd=3))`, true},
		{"connected socket with wildcard peer", `udp ESTAB 0 0 127.0.0.1:40000 0.0.0.0:* users:(("x",pid=4242,fd=3))`, true},
		{"shared socket, one owner ours", `tcp LISTEN 0 5 0.0.0.0:80 0.0.0.0:* users:(("a",pid=1,fd=3),("b",pid=4242,fd=3))`, true},
		{"someone else's socket", `tcp LISTEN 0 5 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=42,fd=3))`, false},
		{"pid prefix is not the pid", `tcp LISTEN 0 5 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=42421,fd=3))`, false},
		{"no process column", `tcp LISTEN 0 5 0.0.0.0:22 0.0.0.0:*`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := loopbackViolations(tc.line+"\n", map[int]bool{pid: true})
			if tc.bad {
				require.Equal(t, []string{tc.line}, got, "this socket is not confined to loopback and must be reported")
			} else {
				require.Empty(t, got, "this socket is fine and must not be reported")
			}
		})
	}
}

// TestSSSeesOurSockets checks the other half of AssertLoopbackOnly on this
// machine: that ss really lists a process's sockets with their owner, so the
// check is not vacuous.
func TestSSSeesOurSockets(t *testing.T) {
	Require(t, "ss")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	out, err := exec.Command("ss", "-tunapH").Output()
	require.NoError(t, err)

	pid := os.Getpid()
	bad, seen := loopbackViolations(string(out), map[int]bool{pid: true})
	require.Empty(t, bad, "this test process only uses loopback")
	require.Positive(t, seen[pid], "ss must show the listener on %v as owned by pid %d:\n%s", l.Addr(), pid, out)
	require.Contains(t, string(out), l.Addr().String())
}
