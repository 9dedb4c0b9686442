// Package lessons checks that the commands the lessons (each stage's
// README.md, and the root README.md) show still print what the lessons say
// they print.
//
// A lesson marks a console block as checked with an HTML comment on the
// line before it (Markdown shows neither):
//
//	<!-- check -->
//	```console
//	$ go run ./stage01_bencode_strings decode 5:hello
//	"hello"
//	```
//
// Every `$ ` line is a command (a line ending in `\` continues on the next
// one); the lines up to the next command are its output, stdout and stderr
// as a terminal shows them. The checker runs each command with bash, from
// the repository root, in the order the lesson shows them (so a checked
// block may rely on files an earlier checked block made), and compares.
// A line "…" in the lesson's output stands for any number of lines.
//
// `<!-- check: background -->` marks a block of programs that run until
// Ctrl-C (a fake tracker, a fake swarm): a reader starts each in its own
// terminal. The checker starts each in the background, waits until it has
// printed as many lines as the lesson shows, compares them, and stops it
// (SIGINT) when the lesson's last block has run.
//
// Before comparing, both sides are normalised (Normalise): ports on
// 127.0.0.1, durations, speeds, random test seeds, the digits of temporary
// names and the absolute path of the repository. Each lesson runs in its own
// folder: "/tmp/" in a command is replaced by that folder (which is also
// its TMPDIR), and the folder by "/tmp" in the output, so lessons can run in
// parallel and nothing is left in the real /tmp. The commands cannot find aria2c, opentracker or
// qbittorrent-nox (their PATH is a folder of links to every other program),
// and CI is unset for them (with CI set, a test fails when those programs
// are missing instead of skipping): a passing lesson needs none of them.
//
// The go they find is a stand-in (GoStandIn): `go run` and `go build -o`
// of a program of the workspace use that program built once for the whole
// check, `go test ./stageNN_x/...` prints go test's lines for packages
// that pass without running their tests a second time (`go test work`, of
// which the checker is a part, runs them), and `go test -run <pattern>
// ./stageNN_x/` runs the stage's test program built once. Everything else
// goes to the real go.
package lessons
