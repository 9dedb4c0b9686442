package main

import (
	"errors"
	"fmt"
	"log"
	"os"
	"sync"
	"testing"
)

// errStop is the panic value cmdTB uses to end the run on Fatalf or Skip,
// as a real test's FailNow ends its goroutine; run recovers it.
var errStop = errors.New("realswarm: stop")

// cmdTB lets package realbt, which is written for tests, run inside a
// command: it implements the testing.TB methods realbt uses (Helper,
// TempDir, Cleanup, Logf, Errorf, Fatalf, Failed, Skip) on a logger and a
// cleanup list. Any other testing.TB method would hit the nil embedded
// interface and panic; realbt does not call them.
type cmdTB struct {
	testing.TB // nil; present only to satisfy the interface

	log  *log.Logger
	root string // parent of every TempDir, removed by runCleanups

	mu       sync.Mutex
	cleanups []func()
	failed   bool
}

func newCmdTB(logger *log.Logger) (*cmdTB, error) {
	root, err := os.MkdirTemp("", "realswarm-")
	if err != nil {
		return nil, err
	}
	return &cmdTB{log: logger, root: root}, nil
}

func (c *cmdTB) Helper() {}

func (c *cmdTB) Logf(format string, args ...any) { c.log.Printf(format, args...) }

func (c *cmdTB) Errorf(format string, args ...any) {
	c.log.Printf("error: "+format, args...)
	c.mu.Lock()
	c.failed = true
	c.mu.Unlock()
}

func (c *cmdTB) Fatalf(format string, args ...any) {
	c.Errorf(format, args...)
	panic(errStop)
}

func (c *cmdTB) Skip(args ...any) {
	c.log.Print("cannot run: ", fmt.Sprint(args...))
	c.mu.Lock()
	c.failed = true
	c.mu.Unlock()
	panic(errStop)
}

func (c *cmdTB) Failed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.failed
}

func (c *cmdTB) Cleanup(f func()) {
	c.mu.Lock()
	c.cleanups = append(c.cleanups, f)
	c.mu.Unlock()
}

// TempDir returns a new directory under the run's root.
func (c *cmdTB) TempDir() string {
	dir, err := os.MkdirTemp(c.root, "")
	if err != nil {
		c.Fatalf("temp dir: %v", err)
	}
	return dir
}

// runCleanups runs the cleanups, last registered first (as testing does),
// then removes the temporary directories.
func (c *cmdTB) runCleanups() {
	for {
		c.mu.Lock()
		n := len(c.cleanups)
		if n == 0 {
			c.mu.Unlock()
			break
		}
		f := c.cleanups[n-1]
		c.cleanups = c.cleanups[:n-1]
		c.mu.Unlock()
		c.runOne(f)
	}
	if err := os.RemoveAll(c.root); err != nil {
		c.log.Printf("remove %s: %v", c.root, err)
	}
}

// runOne runs one cleanup; a Fatalf inside it ends that cleanup only.
func (c *cmdTB) runOne(f func()) {
	defer func() {
		if r := recover(); r != nil && !errors.Is(asError(r), errStop) {
			panic(r)
		}
	}()
	f()
}

// asError turns a recovered panic value into an error (nil if it is not one).
func asError(r any) error {
	err, _ := r.(error)
	return err
}
