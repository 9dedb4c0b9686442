package stages_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"workbook/testkit/stages"
)

// root is the workbook's top folder, seen from testkit/stages.
const root = "../.."

// course is every stage folder of the course, in order: eleven stages from
// a bencoded string to a whole torrent, then eight from a magnet link to a
// whole torrent. The workbook holds them in this order, as far as built.
var course = []string{
	"stage01_bencode_strings", "stage02_integers", "stage03_lists", "stage04_dicts",
	"stage05_info", "stage06_infohash", "stage07_pieces", "stage08_peers",
	"stage09_handshake", "stage10_piece", "stage11_download",
	"stage12_magnet_parse", "stage13_magnet_handshake", "stage14_ext_handshake_send",
	"stage15_ext_handshake_recv", "stage16_metadata_request", "stage17_metadata_receive",
	"stage18_magnet_piece", "stage19_magnet_download",
}

func TestEveryStageIsInGoWork(t *testing.T) {
	folders, err := stages.Folders(root)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(folders), 11, "the course has at least its eleven .torrent stages")
	require.LessOrEqual(t, len(folders), len(course), "the course has %d stages", len(course))
	require.Equal(t, course[:len(folders)], folders, "the stage folders are the course's, in order, with none skipped")

	modules, err := stages.WorkspaceModules(root)
	require.NoError(t, err)
	for _, f := range folders {
		assert.Contains(t, modules, f, "go.work must use ./%s, or `go test work` silently skips it", f)
	}
	assert.Contains(t, modules, "testkit", "go.work must use ./testkit")
}

func TestEachStageKeepsThePreviousStagesTests(t *testing.T) {
	folders, err := stages.Folders(root)
	require.NoError(t, err)
	for i := 1; i < len(folders); i++ {
		prev, next := folders[i-1], folders[i]
		t.Run(next, func(t *testing.T) {
			prevTests, err := stages.TestFuncs(filepath.Join(root, prev))
			require.NoError(t, err)
			nextTests, err := stages.TestFuncs(filepath.Join(root, next))
			require.NoError(t, err)
			require.NotEmpty(t, prevTests, "%s has no tests", prev)
			assert.Empty(t, stages.Missing(prevTests, nextTests),
				"%s must keep every test of %s under the same name and package folder", next, prev)
			assert.Greater(t, len(nextTests), len(prevTests),
				"%s adds a concept, so it should add tests for it", next)
		})
	}
}

func TestMissing(t *testing.T) {
	prev := []string{"..TestDecode", "bencode.FuzzDecode", "bencode.TestInts"}
	next := []string{"..TestDecode", "bencode.TestInts", "torrent.TestParse"}
	require.Equal(t, []string{"bencode.FuzzDecode"}, stages.Missing(prev, next))
	require.Empty(t, stages.Missing(prev, append(next, "bencode.FuzzDecode")))
}

func TestGradingOnlyTests(t *testing.T) {
	dir := t.TempDir()
	src := `package main_test

func TestExactOnlyOutside(t *testing.T) { if !cli.Grading() { check() } }
func TestLooserWhenGrading(t *testing.T) {
	t.Run("x", func(t *testing.T) { if cli.Grading() && x { return } })
}
func TestPlain(t *testing.T) {}
func helper() bool { return cli.Grading() }
`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a_test.go"), []byte(src), 0o644))
	got, err := stages.GradingOnlyTests(dir)
	require.NoError(t, err)
	require.Equal(t, []string{"TestLooserWhenGrading"}, got)
}

func TestNewCLITests(t *testing.T) {
	prev, next := t.TempDir(), t.TempDir()
	write := func(dir, src string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "cli_test.go"), []byte("package main\n\nimport \"testing\"\n\n"+src), 0o644))
	}
	write(prev, "func TestMain(m *testing.M) {}\nfunc TestKept(t *testing.T) { t.Log(1) }\nfunc TestChanged(t *testing.T) { t.Log(1) }\n")
	write(next, "func TestMain(m *testing.M) { m.Run() }\nfunc TestKept(t *testing.T) { t.Log(1) }\nfunc TestChanged(t *testing.T) { t.Log(2) }\nfunc TestAdded(t *testing.T) {}\nfunc helper() {}\n")

	got, err := stages.NewCLITests(prev, next)
	require.NoError(t, err)
	require.Equal(t, []string{"TestAdded", "TestChanged"}, got, "added or changed, TestMain and helpers left out")
}
