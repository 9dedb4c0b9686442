// Package stages checks the shape of the workbook itself: every stage folder
// is in go.work, and each stage keeps every test of the stage before it, so a
// learner who passes stage N still passes everything stage N-1 asked for.
package stages

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// folderPattern matches a stage folder name such as stage03_lists.
var folderPattern = regexp.MustCompile(`^stage[0-9][0-9]_[a-z0-9_]+$`)

// Folders lists the stage folders under root, in course order.
func Folders(root string) ([]string, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	var stages []string
	for _, e := range entries {
		if e.IsDir() && folderPattern.MatchString(e.Name()) {
			stages = append(stages, e.Name())
		}
	}
	sort.Strings(stages)
	return stages, nil
}

// WorkspaceModules lists the directories that go.work under root uses,
// cleaned of their leading "./". It asks the go command, so it reads go.work
// exactly as the toolchain does.
func WorkspaceModules(root string) ([]string, error) {
	cmd := exec.Command("go", "work", "edit", "-json")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go work edit -json in %s: %w", root, err)
	}
	var work struct {
		Use []struct{ DiskPath string }
	}
	if err := json.Unmarshal(out, &work); err != nil {
		return nil, fmt.Errorf("parse go work edit -json: %w", err)
	}
	var dirs []string
	for _, u := range work.Use {
		dirs = append(dirs, filepath.Clean(u.DiskPath))
	}
	return dirs, nil
}

// TestFuncs returns the Test, Fuzz, Benchmark and Example functions declared
// in the _test.go files of one stage, each as "package/dir.FuncName" relative
// to the stage folder (the stage root itself is ".").
func TestFuncs(stageDir string) ([]string, error) {
	var names []string
	fset := token.NewFileSet()
	err := filepath.WalkDir(stageDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		file, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(stageDir, filepath.Dir(path))
		if err != nil {
			return err
		}
		for _, decl := range file.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if ok && fn.Recv == nil && isTestName(fn.Name.Name) {
				names = append(names, filepath.ToSlash(rel)+"."+fn.Name.Name)
			}
		}
		return nil
	})
	sort.Strings(names)
	return names, err
}

func isTestName(name string) bool {
	for _, prefix := range []string{"Test", "Fuzz", "Benchmark", "Example"} {
		if strings.HasPrefix(name, prefix) && name != "TestMain" {
			return true
		}
	}
	return false
}

// Missing returns the names in prev that next lacks.
func Missing(prev, next []string) []string {
	var missing []string
	for _, name := range prev {
		if !slices.Contains(next, name) {
			missing = append(missing, name)
		}
	}
	return missing
}

// NewCLITests returns the Test functions of stage dir's root package (its
// CLI tests) that the stage before it, prevDir, lacks or declares with
// another body: where a stage's concept shows in its CLI tests, most often.
func NewCLITests(prevDir, dir string) ([]string, error) {
	prev, err := rootTests(prevDir)
	if err != nil {
		return nil, err
	}
	next, err := rootTests(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for name, fn := range next {
		if prev[name].src != fn.src {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names, nil
}

// testFunc is one Test function: its syntax and its source text.
type testFunc struct {
	decl *ast.FuncDecl
	src  string
}

// rootTests returns the Test functions of a stage's root package (its CLI
// tests) by name, TestMain left out.
func rootTests(stageDir string) (map[string]testFunc, error) {
	files, err := filepath.Glob(filepath.Join(stageDir, "*_test.go"))
	if err != nil {
		return nil, err
	}
	tests := map[string]testFunc{}
	fset := token.NewFileSet()
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		file, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, decl := range file.Decls {
			if fn, ok := decl.(*ast.FuncDecl); ok && fn.Recv == nil && strings.HasPrefix(fn.Name.Name, "Test") && fn.Name.Name != "TestMain" {
				tests[fn.Name.Name] = testFunc{fn, string(src[fset.Position(fn.Pos()).Offset:fset.Position(fn.End()).Offset])}
			}
		}
	}
	return tests, nil
}

// GradingOnlyTests returns the Test functions of a stage's root package
// (its CLI tests) that check something only in grading mode: those that
// call cli.Grading() other than as !cli.Grading() (which guards the exact
// checks that grading mode leaves out, so a program that passes outside
// grading mode passes those tests in it too).
func GradingOnlyTests(stageDir string) ([]string, error) {
	tests, err := rootTests(stageDir)
	if err != nil {
		return nil, err
	}
	var names []string
	for name, fn := range tests {
		if callsGrading(fn.decl.Body) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names, nil
}

// callsGrading reports whether body calls cli.Grading() other than negated.
func callsGrading(body *ast.BlockStmt) bool {
	negated := map[ast.Expr]bool{}
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.UnaryExpr:
			if n.Op == token.NOT {
				negated[n.X] = true
			}
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Grading" && !negated[n] {
				if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "cli" {
					found = true
				}
			}
		}
		return !found
	})
	return found
}
