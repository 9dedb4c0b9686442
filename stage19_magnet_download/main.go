// Command stage19_magnet_download is the workbook's BitTorrent client as
// of stage 19: it decodes bencode, reads .torrent (metainfo) files
// (tracker, length, info hash, pieces), asks the torrent's tracker for
// peers, shakes hands with a peer, downloads one piece, downloads the whole
// torrent from several peers at once, parses magnet links, shakes hands
// with a magnet link's peer in both protocols (BitTorrent's, announcing the
// extension protocol, then the extension protocol's, BEP 10), and gets the
// torrent's metadata from a magnet link's peers (BEP 9), verified against
// the link's info hash, and then one piece of the torrent or all of it.
//
//	go run . decode d3:foo3:bar5:helloi52ee
//	go run . info sample.torrent
//	go run . peers sample.torrent
//	go run . handshake sample.torrent 127.0.0.1:6881
//	go run . download_piece -o /tmp/piece-0 sample.torrent 0
//	go run . download -o /tmp/sample.txt sample.torrent
//	go run . magnet_parse 'magnet:?xt=urn:btih:...&tr=http://127.0.0.1:6969/announce'
//	go run . magnet_handshake 'magnet:?xt=urn:btih:...&tr=http://127.0.0.1:6969/announce'
//	go run . magnet_info 'magnet:?xt=urn:btih:...&tr=http://127.0.0.1:6969/announce'
//	go run . magnet_download_piece -o /tmp/piece-0 'magnet:?xt=urn:btih:...&tr=http://127.0.0.1:6969/announce' 0
//	go run . magnet_download -o /tmp/sample.txt 'magnet:?xt=urn:btih:...&tr=http://127.0.0.1:6969/announce'
package main

import (
	"fmt"
	"io"
	"os"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// usage lists the commands; each stage adds its own line.
const usage = `usage: program <command> [arguments]

commands:
  decode <bencoded>   print a bencoded value as JSON
  info <torrent>      print a .torrent file's tracker, length, info hash, pieces
  peers <torrent>     ask the torrent's tracker for peers; print one ip:port a line
  handshake <torrent> <ip:port>
                      shake hands with a peer; print its peer id
  download_piece -o <out> <torrent> <index>
                      download one piece, check its SHA-1, write it to <out>
  download -o <out> <torrent>
                      download the whole torrent from several peers to <out>
                      (a file, or a directory for a multi-file torrent)
  magnet_parse <magnet-link>
                      print a magnet link's tracker and info hash
  magnet_handshake <magnet-link>
                      shake hands with a peer of the link, then exchange
                      extension handshakes; print its peer id and the id
                      it gives ut_metadata
  magnet_info <magnet-link>
                      get the torrent's metadata from the link's peers (BEP 9);
                      print what info prints
  magnet_download_piece -o <out> <magnet-link> <index>
                      the metadata, then one piece, as download_piece
  magnet_download -o <out> <magnet-link>
                      the metadata, then the whole torrent, as download
`

// run executes the command in args and returns the exit code: 0 on success,
// 1 on an error, 2 on a usage mistake. It writes only to stdout and stderr,
// so tests and main share it.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return usageError(stderr, "no command given")
	}
	switch args[0] {
	case "decode":
		return runDecode(args[1:], stdout, stderr)
	case "info":
		return runInfo(args[1:], stdout, stderr)
	case "peers":
		return runPeers(args[1:], stdout, stderr)
	case "handshake":
		return runHandshake(args[1:], stdout, stderr)
	case "download_piece":
		return runDownloadPiece(args[1:], stdout, stderr)
	case "download":
		return runDownload(args[1:], stdout, stderr)
	case "magnet_parse":
		return runMagnetParse(args[1:], stdout, stderr)
	case "magnet_handshake":
		return runMagnetHandshake(args[1:], stdout, stderr)
	case "magnet_info":
		return runMagnetInfo(args[1:], stdout, stderr)
	case "magnet_download_piece":
		return runMagnetDownloadPiece(args[1:], stdout, stderr)
	case "magnet_download":
		return runMagnetDownload(args[1:], stdout, stderr)
	default:
		return usageError(stderr, fmt.Sprintf("unknown command %q", args[0]))
	}
}

// usageError reports a mistake in the command line itself (exit code 2).
func usageError(stderr io.Writer, msg string) int {
	fmt.Fprintf(stderr, "%s\n\n%s", msg, usage)
	return 2
}

// fail reports err as one line on stderr (exit code 1).
func fail(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "error: %v\n", err)
	return 1
}
