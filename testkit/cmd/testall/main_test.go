package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReport: from go test's JSON stream, the report prints go test's
// package lines and a failed test's output, and lists the skipped tests
// with their reasons, grouped.
func TestReport(t *testing.T) {
	stream := strings.Join([]string{
		`{"Action":"start","Package":"workbook/testkit/realbt"}`,
		`{"Action":"run","Package":"workbook/testkit/realbt","Test":"TestRealSeeders"}`,
		`{"Action":"output","Package":"workbook/testkit/realbt","Test":"TestRealSeeders","Output":"=== RUN   TestRealSeeders\n"}`,
		`{"Action":"output","Package":"workbook/testkit/realbt","Test":"TestRealSeeders","Output":"    realbt_test.go:31: real-program test needs aria2c (install with: apt-get install -y aria2)\n"}`,
		`{"Action":"output","Package":"workbook/testkit/realbt","Test":"TestRealSeeders","Output":"--- SKIP: TestRealSeeders (0.00s)\n"}`,
		`{"Action":"skip","Package":"workbook/testkit/realbt","Test":"TestRealSeeders"}`,
		`{"Action":"run","Package":"workbook/testkit/realbt","Test":"TestAria2"}`,
		`{"Action":"output","Package":"workbook/testkit/realbt","Test":"TestAria2","Output":"    realbt_test.go:62: real-program test needs aria2c (install with: apt-get install -y aria2)\n"}`,
		`{"Action":"skip","Package":"workbook/testkit/realbt","Test":"TestAria2"}`,
		`{"Action":"output","Package":"workbook/testkit/realbt","Output":"PASS\n"}`,
		`{"Action":"output","Package":"workbook/testkit/realbt","Output":"ok  \tworkbook/testkit/realbt\t0.050s\n"}`,
		`{"Action":"pass","Package":"workbook/testkit/realbt"}`,
		`{"Action":"run","Package":"workbook/stage01_bencode_strings","Test":"TestDecode"}`,
		`{"Action":"output","Package":"workbook/stage01_bencode_strings","Test":"TestDecode","Output":"=== RUN   TestDecode\n"}`,
		`{"Action":"output","Package":"workbook/stage01_bencode_strings","Test":"TestDecode","Output":"    decode_test.go:12: want \"hello\"\n"}`,
		`{"Action":"output","Package":"workbook/stage01_bencode_strings","Test":"TestDecode","Output":"--- FAIL: TestDecode (0.00s)\n"}`,
		`{"Action":"fail","Package":"workbook/stage01_bencode_strings","Test":"TestDecode"}`,
		`{"Action":"run","Package":"workbook/stage01_bencode_strings","Test":"TestOther"}`,
		`{"Action":"output","Package":"workbook/stage01_bencode_strings","Test":"TestOther","Output":"=== RUN   TestOther\n"}`,
		`{"Action":"output","Package":"workbook/stage01_bencode_strings","Test":"TestOther","Output":"--- PASS: TestOther (0.00s)\n"}`,
		`{"Action":"pass","Package":"workbook/stage01_bencode_strings","Test":"TestOther"}`,
		`{"Action":"output","Package":"workbook/stage01_bencode_strings","Output":"FAIL\n"}`,
		`{"Action":"output","Package":"workbook/stage01_bencode_strings","Output":"FAIL\tworkbook/stage01_bencode_strings\t0.020s\n"}`,
		`{"Action":"fail","Package":"workbook/stage01_bencode_strings"}`,
		`{"Action":"output","Package":"workbook/testkit/cmd/demo","Output":"?   \tworkbook/testkit/cmd/demo\t[no test files]\n"}`,
	}, "\n")
	var out bytes.Buffer
	r := newReport(&out)
	require.NoError(t, r.read(strings.NewReader(stream)))
	r.skipped()
	require.Equal(t, "ok  \tworkbook/testkit/realbt\t0.050s\n"+
		"    decode_test.go:12: want \"hello\"\n--- FAIL: TestDecode (0.00s)\n"+
		"FAIL\nFAIL\tworkbook/stage01_bencode_strings\t0.020s\n"+
		"?   \tworkbook/testkit/cmd/demo\t[no test files]\n"+
		"\nSKIPPED: 2 test(s) did not run, so this run does not cover them:\n"+
		"  real-program test needs aria2c (install with: apt-get install -y aria2)\n"+
		"      workbook/testkit/realbt TestRealSeeders\n"+
		"      workbook/testkit/realbt TestAria2\n", out.String())
}

func TestHasPackages(t *testing.T) {
	require.False(t, hasPackages([]string{"-count=1", "-run=TestX"}))
	require.True(t, hasPackages([]string{"-count=1", "./stage01_bencode_strings/..."}))
}

func TestHasFlag(t *testing.T) {
	require.True(t, hasFlag([]string{"-count=1", "-p=1"}, "p"))
	require.True(t, hasFlag([]string{"--p", "1"}, "p"))
	require.False(t, hasFlag([]string{"-parallel=4", "./p/..."}, "p"), "-parallel is not -p")
}
