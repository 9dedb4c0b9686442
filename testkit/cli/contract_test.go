package cli

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

// The contract's checks accept every correct way of printing an answer and
// still refuse every wrong answer: these tables hold both.

func TestJSONLineEqual(t *testing.T) {
	tests := []struct {
		name, out, want string
		ok              bool
	}{
		{"Go's bytes", "{\"a\":[1,\"x\"]}\n", `{"a":[1,"x"]}`, true},
		{"Python's json.dumps spacing", "{\"a\": [1, \"x\"]}\n", `{"a":[1,"x"]}`, true},
		{"keys in another order", "{\"b\": 2, \"a\": 1}\n", `{"a":1,"b":2}`, true},
		{"escaped non-ASCII", "\"h\\u00e9\\u00e9\"\n", "\"h\u00e9\u00e9\"", true},
		{"replacement character itself", "\"a\ufffdb\"\n", `"a\ufffdb"`, true},
		{"number beyond 64 bits, exact", "9223372036854775808\n", "9223372036854775808", true},
		{"HTML characters escaped", "\"\\u003ca\\u0026b\\u003e\"\n", `"<a&b>"`, true},
		{"wrong number", "53\n", "52", false},
		{"number off by one beyond 64 bits", "9223372036854775807\n", "9223372036854775808", false},
		{"number as a string", "\"52\"\n", "52", false},
		{"wrong string", "\"hellp\"\n", `"hello"`, false},
		{"list in another order", "[2, 1]\n", "[1,2]", false},
		{"missing key", "{\"a\": 1}\n", `{"a":1,"b":2}`, false},
		{"extra key", "{\"a\": 1, \"b\": 2, \"c\": 3}\n", `{"a":1,"b":2}`, false},
		{"nested value differs", "[[4], 6]\n", "[[4],5]", false},
		{"no newline", "52", "52", false},
		{"two lines", "52\n52\n", "52", false},
		{"two values on one line", "52 52\n", "52", false},
		{"empty", "", `""`, false},
		{"raw byte that is not UTF-8", "\"a\xffb\"\n", `"a\ufffdb"`, false},
		{"Python repr instead of JSON", "b'hello'\n", `"hello"`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := jsonLineEqual(tc.out, tc.want)
			if tc.ok {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
			}
		})
	}
}

func TestLinesMatch(t *testing.T) {
	const stage5 = "Tracker URL: http://t/a\nLength: 5\nFiles:\n  d/a (2 bytes)\n  d/b (3 bytes)\n"
	const stage7 = "Tracker URL: http://t/a\nLength: 5\nInfo Hash: 00ff\nPiece Length: 4\nPiece Hashes:\naa\nbb\nFiles:\n  d/a (2 bytes)\n  d/b (3 bytes)\n"
	tests := []struct {
		name, out, want string
		ok              bool
	}{
		{"exactly the lines", stage5, stage5, true},
		{"a later stage's lines between them", stage7, stage5, true},
		{"the later stage itself", stage7, stage7, true},
		{"lines out of order", "Length: 5\nTracker URL: http://t/a\nFiles:\n  d/a (2 bytes)\n  d/b (3 bytes)\n", stage5, false},
		{"a wrong value", "Tracker URL: http://t/a\nLength: 6\nFiles:\n  d/a (2 bytes)\n  d/b (3 bytes)\n", stage5, false},
		{"a line twice", "Tracker URL: http://t/a\nLength: 5\nLength: 5\nFiles:\n  d/a (2 bytes)\n  d/b (3 bytes)\n", stage5, false},
		{"a wrong value before the right one", "Tracker URL: http://t/a\nLength: 4\nLength: 5\nFiles:\n  d/a (2 bytes)\n  d/b (3 bytes)\n", stage5, false},
		{"a line missing", "Tracker URL: http://t/a\nFiles:\n  d/a (2 bytes)\n  d/b (3 bytes)\n", stage5, false},
		{"an item missing", "Tracker URL: http://t/a\nLength: 5\nFiles:\n  d/a (2 bytes)\n", stage5, false},
		{"an extra item", "Tracker URL: http://t/a\nLength: 5\nFiles:\n  d/a (2 bytes)\n  d/b (3 bytes)\n  d/c (0 bytes)\n", stage5, false},
		{"items swapped", "Tracker URL: http://t/a\nLength: 5\nFiles:\n  d/b (3 bytes)\n  d/a (2 bytes)\n", stage5, false},
		{"an extra hash", "Tracker URL: http://t/a\nLength: 5\nInfo Hash: 00ff\nPiece Length: 4\nPiece Hashes:\naa\nbb\ncc\nFiles:\n  d/a (2 bytes)\n  d/b (3 bytes)\n", stage7, false},
		{"a stray line after a value", "Tracker URL: http://t/a\nLength: 5\nhello\nFiles:\n  d/a (2 bytes)\n  d/b (3 bytes)\n", stage5, false},
		{"a stray line first", "hello\n" + stage5, stage5, false},
		{"a label in another case", "Tracker URL: http://t/a\nlength: 5\nFiles:\n  d/a (2 bytes)\n  d/b (3 bytes)\n", stage5, false},
		{"no newline at the end", "Tracker URL: http://t/a\nLength: 5\nFiles:\n  d/a (2 bytes)\n  d/b (3 bytes)", stage5, false},
		{"empty", "", stage5, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := linesMatch(tc.out, tc.want)
			if tc.ok {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
			}
		})
	}
}

func TestCheckProgram(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string, mode os.FileMode) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(text), mode))
		return path
	}
	require.NoError(t, CheckProgram(write("ok.sh", "#!/bin/sh\necho hi\n", 0o755)))
	err := CheckProgram(write("no-run-bit.py", "#!/usr/bin/env python3\n", 0o644))
	require.ErrorContains(t, err, "not executable")
	require.ErrorContains(t, err, "chmod +x")
	require.ErrorContains(t, CheckProgram(filepath.Join(dir, "missing")), "no such file")
	require.ErrorContains(t, CheckProgram(dir), "folder")
	if runtime.GOOS == "linux" {
		require.ErrorContains(t, CheckProgram(write("no-shebang.sh", "echo hi\n", 0o755)), "#!")
	}
}
