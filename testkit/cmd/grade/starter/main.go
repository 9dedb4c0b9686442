// Command bittorrent-client is your BitTorrent client. It starts with
// nothing but the command line of the course: every command answers "not
// implemented yet". Stage 1's lesson writes the first one, decode, in
// cmd_decode.go; each later stage adds a command or a line of output.
//
// Exit codes: 0 success, 1 the command failed (one line "error: ..." on
// stderr), 2 a wrong command line (the usage on stderr).
package main

import (
	"fmt"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

// run runs the command in args and returns the exit code.
func run(args []string) int {
	if len(args) == 0 {
		return usage("no command given")
	}
	command, rest := args[0], args[1:]
	switch command {
	case "decode":
		return decode(rest)
	case "info", "peers", "handshake", "download_piece", "download",
		"magnet_parse", "magnet_handshake", "magnet_info", "magnet_download_piece", "magnet_download":
		return notImplemented(command)
	default:
		return usage(fmt.Sprintf("unknown command %q", command))
	}
}

// notImplemented is the answer of a command you have not written yet.
func notImplemented(command string) int {
	fmt.Fprintf(os.Stderr, "error: %s: not implemented yet\n", command)
	return 1
}

// usage reports a wrong command line: the problem, then how to call the
// program. It returns exit code 2.
func usage(problem string) int {
	fmt.Fprintf(os.Stderr, "%s\n\nusage: your_program.sh <command> [arguments]\n\n"+
		"commands:\n"+
		"  decode <bencoded>                          print a bencoded value as JSON\n"+
		"  info <torrent>                             describe a .torrent file\n"+
		"  peers <torrent>                            ask the tracker for peers\n"+
		"  handshake <torrent> <ip:port>              shake hands with a peer\n"+
		"  download_piece -o <out> <torrent> <index>  download one piece\n"+
		"  download -o <out> <torrent>                download the whole torrent\n"+
		"  magnet_parse <magnet-link>                 print a magnet link's tracker and info hash\n"+
		"  magnet_handshake <magnet-link>             shake hands, with the extension protocol\n"+
		"  magnet_info <magnet-link>                  fetch the metadata from a peer, describe it\n"+
		"  magnet_download_piece -o <out> <magnet-link> <index>\n"+
		"                                             download one piece, starting from a link\n"+
		"  magnet_download -o <out> <magnet-link>     download the whole torrent from a link\n", problem)
	return 2
}
