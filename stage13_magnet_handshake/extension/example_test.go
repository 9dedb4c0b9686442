package extension_test

import (
	"fmt"

	"workbook/stage13_magnet_handshake/extension"
)

func ExampleReserved() {
	fmt.Printf("% x\n", extension.Reserved())
	// Output:
	// 00 00 00 00 00 10 00 00
}

func ExampleSupported() {
	aria2 := [8]byte{0, 0, 0, 0, 0, 0x10, 0, 0x04} // extension protocol + Fast extension
	fmt.Println(extension.Supported(aria2), extension.Supported([8]byte{}))
	// Output:
	// true false
}
