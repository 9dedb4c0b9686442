package realbt

import (
	"encoding/binary"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestConfined(t *testing.T) {
	ap := netip.MustParseAddrPort
	tests := []struct {
		name string
		s    socket
		ok   bool
	}{
		{"tcp listener on 127.0.0.1", socket{"tcp", "LISTEN", ap("127.0.0.1:17001"), ap("0.0.0.0:0")}, true},
		{"udp on loopback", socket{"udp", "UNCONN", ap("127.0.0.1:17002"), ap("0.0.0.0:0")}, true},
		{"connection on loopback", socket{"tcp", "ESTAB", ap("127.0.0.1:38675"), ap("127.0.0.1:17001")}, true},
		{"other 127/8 address", socket{"tcp", "ESTAB", ap("127.0.0.2:38675"), ap("127.1.2.3:17001")}, true},
		{"ipv6 loopback", socket{"tcp6", "LISTEN", ap("[::1]:80"), ap("[::]:0")}, true},
		{"ipv4-mapped loopback", socket{"tcp6", "ESTAB", ap("[::ffff:127.0.0.1]:80"), ap("[::ffff:127.0.0.1]:5000")}, true},
		{"listener on all interfaces", socket{"tcp", "LISTEN", ap("0.0.0.0:6881"), ap("0.0.0.0:0")}, false},
		{"ipv6 any", socket{"tcp6", "LISTEN", ap("[::]:6881"), ap("[::]:0")}, false},
		{"dht socket on any", socket{"udp", "UNCONN", ap("0.0.0.0:6881"), ap("0.0.0.0:0")}, false},
		{"lsd multicast", socket{"udp", "UNCONN", ap("239.192.152.143:6771"), ap("0.0.0.0:0")}, false},
		{"connection to the internet", socket{"tcp", "SYN-SENT", ap("10.0.0.5:40000"), ap("67.215.246.10:6881")}, false},
		{"loopback local, outside peer", socket{"tcp", "ESTAB", ap("127.0.0.1:40000"), ap("93.184.216.34:80")}, false},
		{"connected socket with wildcard peer", socket{"udp", "ESTAB", ap("127.0.0.1:40000"), ap("0.0.0.0:0")}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.ok, confined(tc.s), "%s", tc.s)
		})
	}
}

func TestParseSocketTable(t *testing.T) {
	// Lines as a little-endian Linux prints them (the addresses' words in
	// the machine's order); inode 12345 is a listener on 127.0.0.1:6881
	// (0x1AE1), 23456 a connection from 127.0.0.1:40000 to 10.0.0.5:80,
	// 99999 someone else's.
	tcp := `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1AE1 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0
   1: 0100007F:9C40 0500000A:0050 01 00000000:00000000 00:00000000 00000000     0        0 23456 1 0000000000000000 20 4 30 10 -1
   2: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 99999 1 0000000000000000 100 0 0 10 0
`
	udp6 := `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  0: 00000000000000000000000001000000:1AE2 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 34567 2 0000000000000000 0
`
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("the table's lines are those of a little-endian machine")
	}
	mine := map[string]bool{"12345": true, "23456": true, "34567": true}
	got, err := parseSocketTable("tcp", tcp, mine)
	require.NoError(t, err)
	require.Equal(t, []string{"tcp LISTEN 127.0.0.1:6881 0.0.0.0:*", "tcp ESTAB 127.0.0.1:40000 10.0.0.5:80"}, socketStrings(got))
	got, err = parseSocketTable("udp6", udp6, mine)
	require.NoError(t, err)
	require.Equal(t, []string{"udp6 UNCONN [::1]:6882 [::]:*"}, socketStrings(got))

	_, err = parseSocketTable("tcp", "header\n0: 0100007F:1AE1\n", mine)
	require.ErrorContains(t, err, "unparsable")
}

// TestProcessSocketsSeesOurs checks the reader on this machine against
// sockets this test opens, so the loopback check is not vacuous.
func TestProcessSocketsSeesOurs(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	c, err := net.Dial("tcp", l.Addr().String())
	require.NoError(t, err)
	defer c.Close()
	u, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	defer u.Close()

	sockets, err := processSockets(os.Getpid())
	require.NoError(t, err)
	got := socketStrings(sockets)
	require.Contains(t, got, "tcp LISTEN "+l.Addr().String()+" 0.0.0.0:*")
	require.Contains(t, got, "tcp ESTAB "+c.LocalAddr().String()+" "+c.RemoteAddr().String())
	require.Contains(t, got, "udp UNCONN "+u.LocalAddr().String()+" 0.0.0.0:*")
	for _, s := range sockets {
		require.True(t, confined(s), "this test only uses loopback: %s", s)
	}

	_, err = processSockets(1 << 30)
	require.ErrorIs(t, err, errGone)
}

// TestProcessSocketsAgreeWithSS compares the reader with ss (iproute2), the
// usual tool for the job, on this test's own sockets.
func TestProcessSocketsAgreeWithSS(t *testing.T) {
	Require(t, "ss")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	sockets, err := processSockets(os.Getpid())
	require.NoError(t, err)
	out, err := exec.Command("ss", "-tunapH").Output()
	require.NoError(t, err)

	var fromSS []string
	owner := "pid=" + strconv.Itoa(os.Getpid()) + ","
	for line := range strings.Lines(string(out)) {
		if f := strings.Fields(line); len(f) >= 6 && strings.Contains(line, owner) {
			fromSS = append(fromSS, f[4]) // the local address
		}
	}
	var fromProc []string
	for _, s := range sockets {
		fromProc = append(fromProc, s.local.String())
	}
	require.ElementsMatch(t, fromSS, fromProc, "ss -tunap:\n%s", out)
}

func socketStrings(sockets []socket) []string {
	var s []string
	for _, x := range sockets {
		s = append(s, x.String())
	}
	return s
}
