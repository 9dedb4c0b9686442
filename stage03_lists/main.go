// Command stage03_lists is the workbook's BitTorrent client as of stage 3:
// it decodes bencoded strings, integers and lists and prints the value as
// JSON.
//
//	go run . decode l5:helloi52ee
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
