package tracker_test

import (
	"context"
	"fmt"

	"workbook/stage19_magnet_download/tracker"
	faketracker "workbook/testkit/tracker"
)

func ExampleClient_Announce() {
	// A fake tracker on 127.0.0.1 that knows one torrent and two peers.
	fake, err := faketracker.Start(faketracker.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer fake.Close()
	infoHash := [20]byte{0xd6, 0x9f, 0x91, 0xe6} // the rest zero, for the example
	fake.Add(infoHash, faketracker.Expect{Left: 92063}, faketracker.Answer{
		Peers: faketracker.Peers("127.0.0.1:6881", "[::1]:51413"),
	})

	var client tracker.Client // the zero value: 15 s timeout, 2 MiB cap
	resp, err := client.Announce(context.Background(), fake.URL(), tracker.Params{
		InfoHash: infoHash,
		PeerID:   [20]byte([]byte("-WB0001-abcdefghijkl")),
		Port:     6881,
		Left:     92063, // nothing downloaded yet: all of it is left
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range resp.Peers {
		fmt.Println(p)
	}
	// Output:
	// 127.0.0.1:6881
	// [::1]:51413
}
