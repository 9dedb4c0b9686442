package extension_test

import (
	"fmt"

	"workbook/stage17_metadata_receive/extension"
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

func ExampleHandshake_Message() {
	m, err := extension.Handshake{M: map[string]int{"ut_metadata": 1}, V: "workbook/0.0.1"}.Message()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("id %d, extended id %d\n%q\n", m.ID, m.Payload[0], m.Payload[1:])
	// Output:
	// id 20, extended id 0
	// "d1:md11:ut_metadatai1ee1:v14:workbook/0.0.1e"
}

func ExampleParseHandshake() {
	// aria2's extension handshake, as it sent it to this client in
	// TestMagnetHandshakeReal: the payload of message 20 after extended id 0.
	h, err := extension.ParseHandshake([]byte("d1:md11:ut_metadatai9ee13:metadata_sizei268e1:pi37873e1:v12:aria2/1.36.0e"))
	if err != nil {
		fmt.Println(err)
		return
	}
	id, err := h.ExtendedID(extension.UTMetadata)
	fmt.Println(h.V, h.MetadataSize, id, err)
	// Output:
	// aria2/1.36.0 268 9 <nil>
}
