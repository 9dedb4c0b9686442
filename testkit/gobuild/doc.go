// Package gobuild builds a Go program once for every test and tool of the
// workbook that runs it.
//
// It asks the go command for `go run -exec cp <package> <dest>`: since Go
// 1.24 the go command keeps the programs `go run` links in its build cache,
// and -exec hands the cached program to cp instead of running it. So the
// first caller links the program and every later one, in any process,
// copies it (a few milliseconds of work, plus the go command's own start)
// instead of linking it again (about a second of CPU for a stage's
// program). `go build -o` would link it every time: the go command caches
// compiled packages, not the programs go build writes.
package gobuild
