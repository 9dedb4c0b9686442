package bencode_test

import (
	"errors"
	"fmt"

	"workbook/stage18_magnet_piece/bencode"
)

func ExampleDecode() {
	v, err := bencode.Decode([]byte("5:hello"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%T %q\n", v, v)
	// Output: string "hello"
}

func ExampleSyntaxError() {
	_, err := bencode.Decode([]byte("5:hi"))
	fmt.Println(err)
	var syntaxErr *bencode.SyntaxError
	if errors.As(err, &syntaxErr) {
		fmt.Println("offset:", syntaxErr.Offset)
	}
	// Output:
	// bencode: at byte 0: string length 5 runs past the end of the input (2 bytes left)
	// offset: 0
}

func ExampleDecode_integer() {
	v, err := bencode.Decode([]byte("i-52e"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%T %d\n", v, v)
	// Output: int64 -52
}

func ExampleDecode_list() {
	v, err := bencode.Decode([]byte("l5:helloi52ee"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%#v\n", v)
	// Output: []interface {}{"hello", 52}
}

func ExampleDecode_dictionary() {
	v, err := bencode.Decode([]byte("d3:foo3:bar5:helloi52ee"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%#v\n", v)
	// Output: map[string]interface {}{"foo":"bar", "hello":52}
}

func ExampleRawFields() {
	torrent := []byte("d8:announce9:http://t/4:infod6:lengthi5e4:name1:xee")
	values, fields, err := bencode.RawFields(torrent)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(values["announce"])
	// The info hash is the SHA-1 of exactly these bytes.
	fmt.Printf("%s\n", fields["info"])
	// Output:
	// http://t/
	// d6:lengthi5e4:name1:xe
}
