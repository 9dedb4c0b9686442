// Command faketracker runs the workbook's fake tracker on 127.0.0.1 so you
// can try your `peers` command by hand: it writes a sample .torrent that
// announces to it, prints each announce it receives (and what was wrong
// with it), and answers as you choose.
//
//	go run ./testkit/tracker/cmd/faketracker -o /tmp/sample.torrent
//	go run ./stage08_peers peers /tmp/sample.torrent       # in another terminal
//
// Flags choose the answer: -reply compact|dict|failure|httperror|notbencode|
// hang|oversized|badcompactlength, -peers, -warning, -failure, -query.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"workbook/testkit/torrentfile"
	faketracker "workbook/testkit/tracker"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	out := flag.String("o", "sample.torrent", "where to write the sample .torrent")
	reply := flag.String("reply", "compact", "answer: "+strings.ToLower(strings.Join(replyNames(), "|")))
	peers := flag.String("peers", "127.0.0.1:6881,10.0.0.2:51413,[::1]:6882", "comma-separated peers to hand out; host:port (a name) is listed by -reply dict only")
	warning := flag.String("warning", "", "add this `warning message`")
	failure := flag.String("failure", "", "the `failure reason` of -reply failure")
	query := flag.String("query", "", "a query the announce URL carries, e.g. passkey=xyz")
	flag.Parse()

	answer := faketracker.Answer{Warning: *warning, Failure: *failure}
	var ok bool
	if answer.Reply, ok = parseReply(*reply); !ok {
		return fmt.Errorf("-reply %q: want one of %s", *reply, strings.Join(replyNames(), ", "))
	}
	for _, p := range strings.Split(*peers, ",") {
		if p == "" {
			continue
		}
		addr, err := netip.ParseAddrPort(p)
		if err != nil {
			host, port, ok := hostPort(p)
			if !ok {
				return fmt.Errorf("-peers: %w", err)
			}
			answer.Peers = append(answer.Peers, faketracker.HostPeer(host, port))
			continue
		}
		answer.Peers = append(answer.Peers, faketracker.Peer{Addr: addr})
	}

	tr, err := faketracker.Start(faketracker.Config{Query: *query})
	if err != nil {
		return err
	}
	defer tr.Close()
	tor, err := torrentfile.Build(torrentfile.Options{Seed: 1, Name: "sample.txt", Length: 92063, Announce: tr.URL()})
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, tor.Bytes, 0o644); err != nil {
		return err
	}
	tr.Add(tor.InfoHash, faketracker.Expect{Left: tor.Length}, answer)
	fmt.Printf("fake tracker at %s, answering %v\n", tr.URL(), answer.Reply)
	fmt.Printf("wrote %s (info hash %x, %d bytes); try: go run ./stage08_peers peers %s\n", *out, tor.InfoHash, tor.Length, *out)
	fmt.Println("Ctrl-C stops")

	// Print each announce as it arrives.
	interrupt := make(chan os.Signal, 1)
	signal.Notify(interrupt, os.Interrupt)
	seen := 0
	for {
		select {
		case <-interrupt:
			return nil
		case <-tick():
		}
		reqs := tr.Requests()
		for _, r := range reqs[seen:] {
			fmt.Printf("announce from %s: GET %s?%s\n", r.Remote, faketracker.DefaultPath, r.RawQuery)
			for _, p := range r.Problems {
				fmt.Printf("  problem: %s\n", p)
			}
			if len(r.Problems) == 0 {
				fmt.Printf("  ok: info_hash %x peer_id %q port %d left %d\n", r.InfoHash, r.PeerID, r.Port, r.Left)
			}
		}
		seen = len(reqs)
	}
}

func replyNames() []string {
	var names []string
	for r := faketracker.Compact; r <= faketracker.BadCompactLength; r++ {
		names = append(names, strings.ToLower(r.String()))
	}
	return names
}

func parseReply(s string) (faketracker.Reply, bool) {
	for r := faketracker.Compact; r <= faketracker.BadCompactLength; r++ {
		if strings.EqualFold(s, r.String()) {
			return r, true
		}
	}
	return 0, false
}

// tick paces the announce printer.
func tick() <-chan time.Time { return time.After(100 * time.Millisecond) }

// hostPort splits "name:port" for a peer given by host name (BEP 3 allows
// one in the dictionary form).
func hostPort(s string) (host string, port uint16, ok bool) {
	host, p, err := net.SplitHostPort(s)
	if err != nil || host == "" {
		return "", 0, false
	}
	n, err := strconv.ParseUint(p, 10, 16)
	if err != nil || n == 0 {
		return "", 0, false
	}
	return host, uint16(n), true
}
