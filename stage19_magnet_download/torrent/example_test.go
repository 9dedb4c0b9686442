package torrent_test

import (
	"fmt"
	"strings"

	"workbook/stage19_magnet_download/torrent"
)

func ExampleParse() {
	pieces := strings.Repeat("\x01", 20) + strings.Repeat("\x02", 20) // two made-up SHA-1 hashes
	data := "d8:announce30:http://127.0.0.1:6969/announce4:infod" +
		"6:lengthi20000e4:name9:hello.txt12:piece lengthi16384e" +
		"6:pieces40:" + pieces + "ee"
	m, err := torrent.Parse([]byte(data))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.TrackerURL)
	fmt.Println(m.Info.Name, m.Info.Length, m.Info.PieceLength, m.Info.NumPieces())
	// Output:
	// http://127.0.0.1:6969/announce
	// hello.txt 20000 16384 2
}

func ExampleParse_hostile() {
	data := "d8:announce30:http://127.0.0.1:6969/announce4:infod" +
		"6:lengthi20000e4:name10:../.bashrc12:piece lengthi16384e6:pieces0:ee"
	_, err := torrent.Parse([]byte(data))
	fmt.Println(err)
	// Output:
	// torrent: info.name: "../.bashrc" contains a path separator
}

func ExampleInfo_PieceSize() {
	// 92063 bytes in pieces of 32 KiB: two full pieces and a short last one.
	info := torrent.Info{Length: 92063, PieceLength: 32768, Pieces: make([]byte, 3*20)}
	for i := range info.NumPieces() {
		fmt.Println(i, info.PieceSize(i))
	}
	// Output:
	// 0 32768
	// 1 32768
	// 2 26527
}

func ExampleInfo_PieceFiles() {
	// The album of mktorrent-multi.torrent: piece 1 (bytes 32768-65535) holds
	// the end of the first file, all of the second, the start of the third.
	info := torrent.Info{Length: 72777, PieceLength: 32768, Pieces: make([]byte, 3*20), Files: []torrent.File{
		{Path: []string{"disc1", "01-intro.flac"}, Length: 45000},
		{Path: []string{"disc1", "02-outro.flac"}, Length: 7777},
		{Path: []string{"notes.txt"}, Length: 20000},
	}}
	for _, span := range info.PieceFiles(1) {
		fmt.Printf("%s: %d bytes at %d\n", strings.Join(info.Files[span.File].Path, "/"), span.Length, span.Offset)
	}
	// Output:
	// disc1/01-intro.flac: 12232 bytes at 32768
	// disc1/02-outro.flac: 7777 bytes at 0
	// notes.txt: 12759 bytes at 0
}
