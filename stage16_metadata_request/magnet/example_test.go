package magnet_test

import (
	"fmt"

	"workbook/stage16_metadata_request/magnet"
)

func ExampleParse() {
	link, err := magnet.Parse("magnet:?xt=urn:btih:ad42ce8109f54c99613ce38f9b4d87e70f24a165" +
		"&dn=magnet1.gif&tr=http%3A%2F%2Fbittorrent-test-tracker.codecrafters.io%2Fannounce")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("Tracker URL:", link.TrackerURL())
	fmt.Printf("Info Hash: %x\n", link.InfoHash)
	fmt.Println("Name:", link.Name)
	// Output:
	// Tracker URL: http://bittorrent-test-tracker.codecrafters.io/announce
	// Info Hash: ad42ce8109f54c99613ce38f9b4d87e70f24a165
	// Name: magnet1.gif
}

func ExampleParse_base32() {
	// The older form: the same 20 bytes in 32 base32 characters.
	link, err := magnet.Parse("magnet:?xt=urn:btih:VVBM5AIJ6VGJSYJ44OHZWTMH44HSJILF")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%x\n", link.InfoHash)
	// Output:
	// ad42ce8109f54c99613ce38f9b4d87e70f24a165
}

func ExampleParse_v2() {
	_, err := magnet.Parse("magnet:?xt=urn:btmh:1220caf1e1c30e81cb361b9ee167c4aa64228a7fa4fa9f6105232b28ad099f3a302e")
	fmt.Println(err)
	// Output:
	// magnet: xt: BitTorrent v2 is not supported: the link has only a v2 hash (urn:btmh:, BEP 52)
}
