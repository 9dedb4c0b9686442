package main

import (
	"fmt"
	"io"
	"strings"

	"workbook/stage17_metadata_receive/torrent"
)

// runInfo implements `info <file.torrent>`: it prints what the course
// expects,
//
//	Tracker URL: http://127.0.0.1:6969/announce
//	Length: 92063
//	Info Hash: ce93aea6e84115ab61c8b1fbe9eaef19b6be4586
//	Piece Length: 32768
//	Piece Hashes:
//	e31b3c03508a266822111...  (one line of 40 hex digits per piece)
//
// and, for a multi-file torrent (an addition to the course's output), a
// Files: section after everything else, one file per line: two spaces, the
// path under the torrent's name joined with "/", and its length in bytes:
//
//	Files:
//	  album/disc1/01-intro.flac (45000 bytes)
func runInfo(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		return usageError(stderr, "info takes one argument: the .torrent file")
	}
	m, err := torrent.Open(args[0])
	if err != nil {
		return fail(stderr, err)
	}
	printInfo(stdout, m)
	return 0
}

// printInfo prints the lines of `info` (and of `magnet_info`). A magnet
// link without a tracker (only x.pe peers) has no Tracker URL line, as in
// `magnet_parse`.
func printInfo(stdout io.Writer, m *torrent.Metainfo) {
	if m.TrackerURL != "" {
		fmt.Fprintf(stdout, "Tracker URL: %s\n", m.TrackerURL)
	}
	fmt.Fprintf(stdout, "Length: %d\n", m.Info.Length)
	fmt.Fprintf(stdout, "Info Hash: %x\n", m.InfoHash)
	fmt.Fprintf(stdout, "Piece Length: %d\n", m.Info.PieceLength)
	fmt.Fprintln(stdout, "Piece Hashes:")
	for i := range m.Info.NumPieces() {
		fmt.Fprintf(stdout, "%x\n", m.Info.PieceHash(i))
	}
	printFiles(stdout, &m.Info)
}

// printFiles prints the Files: section of a multi-file torrent.
func printFiles(w io.Writer, info *torrent.Info) {
	if info.Files == nil {
		return
	}
	fmt.Fprintln(w, "Files:")
	for _, f := range info.Files {
		fmt.Fprintf(w, "  %s/%s (%d bytes)\n", info.Name, strings.Join(f.Path, "/"), f.Length)
	}
}
