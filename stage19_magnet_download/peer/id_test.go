package peer_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/stage19_magnet_download/peer"
)

func TestNewID(t *testing.T) {
	first, err := peer.NewID()
	require.NoError(t, err)
	second, err := peer.NewID()
	require.NoError(t, err)

	require.Equal(t, "-WB0001-", string(first[:8]), "Azureus-style prefix: -, client code, version, -")
	require.Equal(t, peer.IDPrefix, string(second[:8]))
	require.NotEqual(t, first, second, "the 12 bytes after the prefix must be random, so two clients never share an id")
}

func ExampleNewID() {
	id, err := peer.NewID()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d bytes, starting %q\n", len(id), id[:8])
	// Output: 20 bytes, starting "-WB0001-"
}
