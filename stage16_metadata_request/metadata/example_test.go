package metadata_test

import (
	"fmt"

	"workbook/stage16_metadata_request/metadata"
)

func ExampleRequest() {
	fmt.Printf("%s\n", metadata.Request(0))
	fmt.Printf("% x\n", metadata.Request(0))
	// Output:
	// d8:msg_typei0e5:piecei0ee
	// 64 38 3a 6d 73 67 5f 74 79 70 65 69 30 65 35 3a 70 69 65 63 65 69 30 65 65
}
