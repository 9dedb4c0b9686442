package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDemo runs the main job end to end with a small sample: it builds stage
// 11's client, serves the sample from in-process seeders (one corrupt) and a
// fake tracker, downloads it with the client and checks its SHA-1.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	if err := run([]string{"-size", "3MiB", "-dir", dir}); err != nil {
		t.Fatalf("the demo failed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sample.bin")); err != nil {
		t.Fatalf("the demo says where the file is, but it is not there: %v", err)
	}
}

// TestDemoMagnet is TestDemo started from the sample's magnet link: stage
// 19's client fetches the metadata from the seeders, then the file.
func TestDemoMagnet(t *testing.T) {
	dir := t.TempDir()
	if err := run([]string{"-magnet", "-size", "3MiB", "-dir", dir}); err != nil {
		t.Fatalf("the demo failed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sample.bin")); err != nil {
		t.Fatalf("the demo says where the file is, but it is not there: %v", err)
	}
}
