// Command stepsizes prints how many lines of solution code each step of the
// workbook adds: for stage N-1 -> N, the lines a unified diff of their
// non-test .go files marks as added, with the import paths of both stages
// made the same first (workbook/stageNN_x/... -> workbook/STAGE/...). The
// limit a step should keep is 600 lines, 800 for stage 10 -> 11; a step over
// it is marked and the exit status is 1.
//
//	go run ./testkit/cmd/stepsizes        # from the repository root
//	go run ./testkit/cmd/stepsizes -files # and the files each step adds to
package main

import (
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

var (
	stageDir   = regexp.MustCompile(`^stage[0-9]{2}_[a-z_]+$`)
	importPath = regexp.MustCompile(`workbook/stage[0-9]+_[a-z_]+`)
)

func main() {
	files := flag.Bool("files", false, "also print the lines each file adds")
	flag.Parse()
	entries, err := os.ReadDir(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, "stepsizes:", err)
		os.Exit(2)
	}
	var stages []string
	for _, e := range entries {
		if e.IsDir() && stageDir.MatchString(e.Name()) {
			stages = append(stages, e.Name())
		}
	}
	if len(stages) < 2 {
		fmt.Fprintln(os.Stderr, "stepsizes: run it from the repository root (the folder with the stage folders)")
		os.Exit(2)
	}
	over := false
	for i := 1; i < len(stages); i++ {
		prev, cur := stages[i-1], stages[i]
		perFile, total, err := step(prev, cur)
		if err != nil {
			fmt.Fprintln(os.Stderr, "stepsizes:", err)
			os.Exit(2)
		}
		limit := 600
		if strings.HasPrefix(cur, "stage11_") {
			limit = 800
		}
		mark := ""
		if total > limit {
			mark, over = "  over the limit", true
		}
		fmt.Printf("%-26s -> %-26s %5d (limit %d)%s\n", prev, cur, total, limit, mark)
		if *files {
			for _, f := range perFile {
				fmt.Printf("    %5d  %s\n", f.added, f.path)
			}
		}
	}
	if over {
		os.Exit(1)
	}
}

type fileCount struct {
	path  string
	added int
}

// step counts the lines stage cur adds to stage prev, file by file.
func step(prev, cur string) ([]fileCount, int, error) {
	old, err := solution(prev)
	if err != nil {
		return nil, 0, err
	}
	now, err := solution(cur)
	if err != nil {
		return nil, 0, err
	}
	var counts []fileCount
	total := 0
	for _, path := range slices.Sorted(maps.Keys(now)) {
		if n := added(old[path], now[path]); n > 0 {
			counts = append(counts, fileCount{path, n})
			total += n
		}
	}
	return counts, total, nil
}

// solution reads a stage's non-test .go files (outside testdata), as lines
// with the stage's import paths normalised, by path inside the stage.
func solution(stage string) (map[string][]string, error) {
	files := map[string][]string{}
	err := filepath.WalkDir(stage, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && d.Name() == "testdata":
			return filepath.SkipDir
		case d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go"):
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := importPath.ReplaceAllString(string(b), "workbook/STAGE")
		rel, _ := filepath.Rel(stage, path)
		files[filepath.ToSlash(rel)] = strings.Split(strings.TrimSuffix(text, "\n"), "\n")
		return nil
	})
	return files, err
}

// added is the number of lines of b that are not in a longest common
// subsequence of a and b: the lines a minimal diff marks with "+".
func added(a, b []string) int {
	// lcs[j] is the LCS length of a[:i] and b[:j], one row at a time.
	lcs := make([]int, len(b)+1)
	for i := range a {
		diag := 0
		for j := range b {
			up := lcs[j+1]
			if a[i] == b[j] {
				lcs[j+1] = diag + 1
			} else {
				lcs[j+1] = max(lcs[j+1], lcs[j])
			}
			diag = up
		}
	}
	return len(b) - lcs[len(b)]
}
