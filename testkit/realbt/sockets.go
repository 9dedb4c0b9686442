package realbt

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// A socket is one TCP or UDP socket a process holds open, as the kernel
// lists it in /proc/<pid>/net/{tcp,tcp6,udp,udp6}.
type socket struct {
	proto       string // tcp, tcp6, udp or udp6
	state       string // LISTEN, ESTAB, UNCONN…, as ss names them
	local, peer netip.AddrPort
}

// String writes the socket the way ss -tuna does: "tcp LISTEN 127.0.0.1:6881 0.0.0.0:*".
func (s socket) String() string {
	peer := s.peer.String()
	if s.peer.Port() == 0 {
		peer = strings.TrimSuffix(peer, ":0") + ":*"
	}
	return fmt.Sprintf("%s %s %s %s", s.proto, s.state, s.local, peer)
}

// errGone reports a process that ended while its sockets were being read.
var errGone = errors.New("process is gone")

// processSockets returns the TCP and UDP sockets process pid holds open.
// It is what `ss -tunap` shows of one process, read from the same place
// (/proc), but only for that process: ss reads the open files of every
// process on the machine, which costs tens of milliseconds on a busy test
// machine, and the download test looks every few milliseconds.
func processSockets(pid int) ([]socket, error) {
	inodes, err := socketInodes(pid)
	if err != nil || len(inodes) == 0 {
		return nil, err // no socket yet, or an ended process not yet waited for
	}
	var sockets []socket
	for _, proto := range []string{"tcp", "tcp6", "udp", "udp6"} {
		table, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "net", proto))
		switch {
		case errors.Is(err, fs.ErrNotExist) && strings.HasSuffix(proto, "6"):
			continue // a kernel without IPv6
		case errors.Is(err, fs.ErrNotExist):
			return nil, errGone
		case err != nil:
			return nil, err
		}
		found, err := parseSocketTable(proto, string(table), inodes)
		if err != nil {
			return nil, fmt.Errorf("/proc/%d/net/%s: %w", pid, proto, err)
		}
		sockets = append(sockets, found...)
	}
	return sockets, nil
}

// socketInodes returns the inode numbers of the sockets among pid's open
// files: each is a link named "socket:[inode]" in /proc/<pid>/fd.
func socketInodes(pid int) (map[string]bool, error) {
	dir := filepath.Join("/proc", strconv.Itoa(pid), "fd")
	fds, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errGone
	}
	if err != nil {
		return nil, err
	}
	inodes := make(map[string]bool)
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join(dir, fd.Name()))
		if err != nil {
			continue // closed since the folder was read
		}
		if inode, ok := strings.CutPrefix(target, "socket:["); ok {
			inodes[strings.TrimSuffix(inode, "]")] = true
		}
	}
	return inodes, nil
}

// parseSocketTable reads a /proc/net/{tcp,udp}[6] table and returns its
// sockets whose inode is among inodes. Each line after the header is
//
//	sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode …
//	0: 0100007F:1AE1 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 12345 …
func parseSocketTable(proto, table string, inodes map[string]bool) ([]socket, error) {
	var sockets []socket
	lines := strings.Split(strings.TrimSpace(table), "\n")
	for _, line := range lines[1:] {
		f := strings.Fields(line)
		if len(f) < 10 {
			return nil, fmt.Errorf("unparsable line %q", line)
		}
		if !inodes[f[9]] {
			continue
		}
		local, err1 := parseProcAddr(f[1])
		peer, err2 := parseProcAddr(f[2])
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("line %q: %w", line, err)
		}
		sockets = append(sockets, socket{proto, stateName(proto, f[3]), local, peer})
	}
	return sockets, nil
}

// parseProcAddr reads an address as /proc/net prints it: the IP as 32-bit
// words in hex, each in the machine's byte order ("0100007F" is 127.0.0.1
// on x86), a colon, and the port in hex.
func parseProcAddr(s string) (netip.AddrPort, error) {
	ipHex, portHex, ok := strings.Cut(s, ":")
	raw, err := hex.DecodeString(ipHex)
	if !ok || err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.AddrPort{}, fmt.Errorf("bad address %q", s)
	}
	port, err := strconv.ParseUint(portHex, 16, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("bad port in %q: %w", s, err)
	}
	// Each word was printed as a number, so its hex reads big-endian; in
	// memory it was in the machine's order.
	ip := make([]byte, len(raw))
	for i := 0; i < len(raw); i += 4 {
		binary.NativeEndian.PutUint32(ip[i:], binary.BigEndian.Uint32(raw[i:]))
	}
	addr, _ := netip.AddrFromSlice(ip)
	return netip.AddrPortFrom(addr, uint16(port)), nil
}

// stateName names a socket state as ss does, from the kernel's number
// (include/net/tcp_states.h). A UDP socket is ESTAB once connected and
// otherwise in state 7 (TCP_CLOSE), which ss calls UNCONN.
func stateName(proto, hexState string) string {
	names := map[string]string{
		"01": "ESTAB", "02": "SYN-SENT", "03": "SYN-RECV", "04": "FIN-WAIT-1",
		"05": "FIN-WAIT-2", "06": "TIME-WAIT", "07": "CLOSE", "08": "CLOSE-WAIT",
		"09": "LAST-ACK", "0A": "LISTEN", "0B": "CLOSING",
	}
	if strings.HasPrefix(proto, "udp") && hexState == "07" {
		return "UNCONN"
	}
	if name, ok := names[strings.ToUpper(hexState)]; ok {
		return name
	}
	return "state-" + hexState
}
