// Package gobuild builds a Go program once for every test and tool of the
// workbook that runs it. Linking is the costly part of a build (about a
// second of CPU for a stage's program or test program, where the go
// command caches compiled packages), so it avoids linking again what it
// linked before, in two ways.
//
// Program asks the go command for `go run -exec cp <package> <dest>`: since
// Go 1.24 the go command keeps the programs `go run` links in its build
// cache, and -exec hands the cached program to cp instead of running it.
// The first caller links the program; every later one, in any process,
// copies it.
//
// Build links many programs, or test programs (go test -c), with one go
// command into a folder that Dir keeps from one run to the next: go build
// skips a program whose build ID says it is up to date, so a run links
// only what changed since the last one.
package gobuild
