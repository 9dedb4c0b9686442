package main_test

import (
	"testing"

	"workbook/testkit/cli"
)

// TestMain builds this stage's program once for all CLI tests (or, in
// grading mode, uses the program named by BITTORRENT_PROGRAM).
func TestMain(m *testing.M) { cli.TestMain(m) }
