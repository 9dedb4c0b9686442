package metadata_test

import (
	"crypto/sha1"
	"fmt"

	"workbook/stage19_magnet_download/metadata"
)

func ExampleRequest() {
	fmt.Printf("%s\n", metadata.Request(0))
	fmt.Printf("% x\n", metadata.Request(0))
	// Output:
	// d8:msg_typei0e5:piecei0ee
	// 64 38 3a 6d 73 67 5f 74 79 70 65 69 30 65 35 3a 70 69 65 63 65 69 30 65 65
}

func ExampleParseMessage() {
	payload := []byte("d8:msg_typei1e5:piecei0e10:total_sizei14ee" + "d4:name3:abce")
	msg, err := metadata.ParseMessage(payload)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%v piece %d of %d bytes: %q\n", msg.Type, msg.Piece, msg.TotalSize, msg.Data)
	// Output:
	// data piece 0 of 14 bytes: "d4:name3:abce"
}

func ExampleAssembler() {
	info := []byte("d4:name3:abce") // what the magnet link's info hash names
	a, err := metadata.NewAssembler(sha1.Sum(info), int64(len(info)))
	if err != nil {
		fmt.Println(err)
		return
	}
	complete, err := a.Add(metadata.Message{Type: metadata.MsgData, Piece: 0, TotalSize: 13, Data: info})
	fmt.Println(complete, err)
	meta, err := a.Metadata()
	fmt.Printf("%s %v\n", meta, err)
	// Output:
	// true <nil>
	// d4:name3:abce <nil>
}
