package lessons

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pmezard/go-difflib/difflib"
)

// Timeouts: a command may build a stage first (go run) on a busy machine.
const (
	commandTimeout = 3 * time.Minute
	startTimeout   = 2 * time.Minute
)

// hidden are the Debian programs the lessons must not need.
var hidden = []string{"aria2c", "opentracker", "qbittorrent-nox"}

// Runner runs a lesson's checked blocks in order. Its zero value is not
// usable: see NewRunner.
type Runner struct {
	root string // the repository, where every command starts
	work string // this lesson's stand-in for /tmp
	env  []string

	background []*exec.Cmd

	// Rewrite, when set, is called instead of reporting a foreground
	// command whose output drifted (and whose lesson output elides nothing
	// with "…"), with the lines it printed now.
	Rewrite func(c Command, got []string)
}

// NewRunner prepares to run commands from root, with work standing in for
// /tmp (it must exist and be empty). With goStandIn set (a program that
// calls GoStandIn when started as "go"), the commands find it as go, and
// it finds the programs BuildPrograms built into programs; with goStandIn
// "", they run the real go.
func NewRunner(root, work, goStandIn, programs string) (*Runner, error) {
	bin := filepath.Join(work, ".bin")
	if err := shadowPath(bin, os.Getenv("PATH")); err != nil {
		return nil, err
	}
	// TMPDIR too: the temporary files of go test show as /tmp/... wherever
	// the machine keeps them.
	env := []string{"PATH=" + bin, "TMPDIR=" + work}
	if goStandIn != "" {
		realGo, err := exec.LookPath("go")
		if err != nil {
			return nil, err
		}
		if err := os.Remove(filepath.Join(bin, "go")); err != nil && !os.IsNotExist(err) {
			return nil, err
		}
		if err := os.Symlink(goStandIn, filepath.Join(bin, "go")); err != nil {
			return nil, err
		}
		env = append(env, envRealGo+"="+realGo, envPrograms+"="+programs)
	}
	for _, kv := range os.Environ() {
		switch name, _, _ := strings.Cut(kv, "="); name {
		case "PATH", "TMPDIR":
		case "BITTORRENT_PROGRAM": // the lessons set it where they want it
		case "CI": // with CI set, a test fails when a Debian program is missing, instead of skipping
		default:
			env = append(env, kv)
		}
	}
	return &Runner{root: root, work: work, env: env}, nil
}

// shadowPath fills dir with a link to every program that path finds (the
// first of each name), except the hidden ones: a PATH of dir alone finds
// everything the machine has but the Debian programs.
func shadowPath(dir, path string) error {
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, name := range hidden {
		seen[name] = true
	}
	for _, d := range filepath.SplitList(path) {
		entries, err := os.ReadDir(d)
		if err != nil {
			continue // PATH may name folders that do not exist
		}
		for _, e := range entries {
			if seen[e.Name()] || e.IsDir() {
				continue
			}
			seen[e.Name()] = true
			if err := os.Symlink(filepath.Join(d, e.Name()), filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// Check runs every command of b and returns one error per command whose
// output differs from the lesson's, with a diff.
func (r *Runner) Check(ctx context.Context, b Block) []error {
	var errs []error
	for _, c := range b.Commands {
		var got string
		var err error
		if b.Mode == Background {
			got, err = r.start(ctx, c)
		} else {
			got, err = r.run(ctx, c)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: $ %s: %w", b.File, c.Line, c.Text, err))
			continue
		}
		if d := diff(c.Want, got); d != "" {
			if r.Rewrite != nil && b.Mode == Foreground && !slices.Contains(c.Want, "…") {
				r.Rewrite(c, scanLines(got))
				continue
			}
			errs = append(errs, fmt.Errorf("%s:%d: $ %s: the output differs from the lesson's (after normalising; - lesson, + now):\n%s", b.File, c.Line, c.Text, d))
		}
	}
	return errs
}

// command builds bash -c text with /tmp/ pointing to the runner's folder.
func (r *Runner) command(ctx context.Context, text string, out *syncBuffer) *exec.Cmd {
	text = strings.ReplaceAll(text, "/tmp/", r.work+"/")
	cmd := exec.CommandContext(ctx, "bash", "-c", text)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = r.root, r.env, out, out
	// Its own process group, so stopping it stops what it started (go run
	// starts the program as a child).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	return cmd
}

// run runs one command to its end; its exit code is not checked (the
// lesson shows go run's "exit status N" line where it matters).
func (r *Runner) run(ctx context.Context, c Command) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	var out syncBuffer
	cmd := r.command(ctx, c.Text, &out)
	if err := cmd.Run(); err != nil && ctx.Err() != nil {
		return "", fmt.Errorf("no end within %s; output so far:\n%s", commandTimeout, r.output(&out))
	}
	return r.output(&out), nil
}

// start starts a program that runs until stopped and returns its first
// lines: as many as the lesson shows.
func (r *Runner) start(ctx context.Context, c Command) (string, error) {
	var out syncBuffer
	cmd := r.command(context.WithoutCancel(ctx), c.Text, &out)
	if err := cmd.Start(); err != nil {
		return "", err
	}
	r.background = append(r.background, cmd)
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	deadline := time.After(startTimeout)
	for {
		if got := r.output(&out); len(scanLines(got)) >= len(c.Want) {
			return got, nil
		}
		select {
		case <-exited:
			return "", fmt.Errorf("ended before printing the %d lines of the lesson:\n%s", len(c.Want), out.String())
		case <-deadline:
			return "", fmt.Errorf("printed fewer than the %d lines of the lesson within %s:\n%s", len(c.Want), startTimeout, out.String())
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// output is what a command printed, with the runner's folder shown as
// /tmp, where the lesson's command put it.
func (r *Runner) output(out *syncBuffer) string {
	return strings.ReplaceAll(out.String(), r.work, "/tmp")
}

// Stop interrupts the background programs (as Ctrl-C does) and waits a
// little for them to end before killing them.
func (r *Runner) Stop() {
	for _, cmd := range r.background {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
	}
	time.Sleep(200 * time.Millisecond)
	for _, cmd := range r.background {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	r.background = nil
}

// diff compares the lesson's lines with the output after normalising both,
// and returns a unified diff, or "" when they match.
func diff(want []string, got string) string {
	w := normaliseAll(want)
	g := normaliseAll(scanLines(got))
	if match(w, g) {
		return ""
	}
	d, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(strings.Join(w, "\n")), B: difflib.SplitLines(strings.Join(g, "\n")),
		FromFile: "lesson", ToFile: "now", Context: 3,
	})
	return d
}

// syncBuffer is a bytes.Buffer that a process may write while the checker
// reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
