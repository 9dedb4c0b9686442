package lessons

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// Mode says how a checked block's commands run.
type Mode string

const (
	// Foreground commands run to completion, one after the other.
	Foreground Mode = ""
	// Background commands keep running (servers) until the lesson ends.
	Background Mode = "background"
)

// Block is one checked console block of a lesson.
type Block struct {
	File     string
	Line     int // of the opening fence
	Mode     Mode
	Commands []Command
}

// Command is one `$ ` line (or several joined by a trailing `\`) and the
// output the lesson shows for it.
type Command struct {
	Line int    // of the `$ ` line
	Text string // without the `$ ` (continuation lines joined with newlines)
	Want []string
}

var markRE = regexp.MustCompile(`^<!--\s*check(?::\s*(\S+))?\s*-->\s*$`)

// Parse reads the checked blocks of the lesson at path.
func Parse(path string) ([]Block, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var blocks []Block
	var mode *Mode // set by a mark, until the next fence
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if m := markRE.FindStringSubmatch(line); m != nil {
			md := Mode(m[1])
			if md != Foreground && md != Background {
				return nil, fmt.Errorf("%s:%d: unknown check mode %q (want none or %q)", path, i+1, md, Background)
			}
			mode = &md
			continue
		}
		if !strings.HasPrefix(line, "```") {
			if strings.TrimSpace(line) != "" {
				mode = nil // a mark belongs to the block right after it
			}
			continue
		}
		end := closingFence(lines, i)
		if end < 0 {
			return nil, fmt.Errorf("%s:%d: code block never closed", path, i+1)
		}
		if mode != nil {
			b, err := parseBlock(path, lines, i, end, *mode)
			if err != nil {
				return nil, err
			}
			blocks = append(blocks, b)
		}
		mode, i = nil, end
	}
	return blocks, nil
}

func closingFence(lines []string, open int) int {
	for j := open + 1; j < len(lines); j++ {
		if strings.TrimSpace(lines[j]) == "```" {
			return j
		}
	}
	return -1
}

// parseBlock splits the lines between the fences open and end into commands.
func parseBlock(path string, lines []string, open, end int, mode Mode) (Block, error) {
	b := Block{File: path, Line: open + 1, Mode: mode}
	for j := open + 1; j < end; j++ {
		line := lines[j]
		if !strings.HasPrefix(line, "$ ") {
			if len(b.Commands) == 0 {
				return Block{}, fmt.Errorf("%s:%d: a checked block must start with a `$ ` command", path, j+1)
			}
			last := &b.Commands[len(b.Commands)-1]
			last.Want = append(last.Want, line)
			continue
		}
		c := Command{Line: j + 1, Text: strings.TrimPrefix(line, "$ ")}
		for strings.HasSuffix(c.Text, `\`) && j+1 < end {
			j++
			c.Text += "\n" + lines[j]
		}
		b.Commands = append(b.Commands, c)
	}
	if len(b.Commands) == 0 {
		return Block{}, fmt.Errorf("%s:%d: a checked block without a `$ ` command", path, open+1)
	}
	return b, nil
}

// Lessons lists the lessons under root: the root README.md (the course
// map, with the step sizes) and every stage's README.md.
func Lessons(root string) ([]string, error) {
	paths := []string{root + "/README.md"}
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), "stage") {
			p := root + "/" + e.Name() + "/README.md"
			if _, err := os.Stat(p); err == nil {
				paths = append(paths, p)
			}
		}
	}
	return paths, nil
}

// scanLines splits output into lines without the final newline's empty one.
func scanLines(s string) []string {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}
