package peer_test

import (
	"context"
	"fmt"
	"log"

	"workbook/stage18_magnet_piece/peer"
	"workbook/testkit/swarm"
)

// ExampleDial shakes hands with a peer: a fake seeder from testkit/swarm,
// listening on 127.0.0.1, that answers the handshake for its torrent with
// the peer id it was given.
func ExampleDial() {
	infoHash := [20]byte{0xce, 0x93, 0xae, 0xa6} // the torrent both sides name
	content := swarm.NewContent(infoHash, 16384, make([]byte, 16384))
	seeder, err := swarm.Listen(content, swarm.Options{PeerID: [20]byte([]byte("-SW0001-example-peer"))})
	if err != nil {
		log.Fatal(err)
	}
	defer seeder.Close()

	ourID := [20]byte([]byte("-WB0001-0123456789ab"))
	conn, err := peer.Dial(context.Background(), seeder.Addr(), infoHash, ourID, peer.Timeouts{})
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	fmt.Printf("Peer ID: %x\n", conn.PeerID)
	fmt.Printf("client: %s\n", conn.PeerID[:8])
	// Output:
	// Peer ID: 2d5357303030312d6578616d706c652d70656572
	// client: -SW0001-
}
