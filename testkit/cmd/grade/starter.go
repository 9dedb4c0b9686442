package main

import (
	"embed"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// starter is the program -init copies out. starter/ is a real Go package
// of this module, so CI builds and vets the starter too; its go.mod is
// written by -init (a go.mod inside would make starter/ its own module).
//
//go:embed starter/main.go starter/cmd_decode.go starter/your_program.sh
var starter embed.FS

// starterGoMod is the go.mod of a new starter: no dependencies.
const starterGoMod = "module bittorrent-client\n\ngo 1.25.0\n"

// initStarter writes the starter into dir, which must be new or empty.
func initStarter(dir string, stdout, stderr io.Writer) int {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		fmt.Fprintf(stderr, "grade: %s is not empty; give a new folder\n", dir)
		return 2
	}
	files := map[string][]byte{"go.mod": []byte(starterGoMod)}
	for _, name := range []string{"main.go", "cmd_decode.go", "your_program.sh"} {
		data, err := starter.ReadFile("starter/" + name)
		if err != nil {
			fmt.Fprintf(stderr, "grade: %v\n", err)
			return 2
		}
		files[name] = data
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(stderr, "grade: %v\n", err)
		return 2
	}
	for name, data := range files {
		mode := os.FileMode(0o644)
		if filepath.Ext(name) == ".sh" {
			mode = 0o755
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, mode); err != nil {
			fmt.Fprintf(stderr, "grade: %v\n", err)
			return 2
		}
	}
	fmt.Fprintf(stdout, "Created a starter in %s: go.mod, main.go, cmd_decode.go, your_program.sh.\n"+
		"Grade it against stage 1 (it fails until you write stage 1's decode):\n\n"+
		"  go run ./testkit/cmd/grade 1 %s\n", dir, filepath.Join(dir, "your_program.sh"))
	return 0
}
