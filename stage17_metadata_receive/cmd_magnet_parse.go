package main

import (
	"fmt"
	"io"

	"workbook/stage17_metadata_receive/magnet"
)

// runMagnetParse implements `magnet_parse <magnet-link>`: print the link's
// first tracker and its info hash in hex, as `info` prints a .torrent's.
// A link without a tracker has no Tracker URL line.
func runMagnetParse(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		return usageError(stderr, "magnet_parse takes one argument: the magnet link (quote it: it holds & characters)")
	}
	link, err := magnet.Parse(args[0])
	if err != nil {
		return fail(stderr, err)
	}
	if tr := link.TrackerURL(); tr != "" {
		fmt.Fprintf(stdout, "Tracker URL: %s\n", tr)
	}
	fmt.Fprintf(stdout, "Info Hash: %x\n", link.InfoHash)
	return 0
}
