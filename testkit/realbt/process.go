package realbt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// logTailLines is how many lines of each log a failing test shows.
const logTailLines = 40

// startAttempts bounds how often a program is restarted on a fresh port when
// it does not come up (the port picked by freePort can be taken by someone
// else between our check and the program's bind).
const startAttempts = 3

// Process is one real program started by this package. It is killed and
// waited for in t.Cleanup; its output goes to LogPath (and the program's own
// log files, if any, are listed in Logs) so a failing test can show them.
type Process struct {
	Name    string   // program name, e.g. "aria2c"
	LogPath string   // stdout and stderr of the program
	Logs    []string // further log files written by the program itself

	cmd  *exec.Cmd
	done chan struct{} // closed when the program has exited and been waited for
	err  error         // result of cmd.Wait, valid after done is closed
}

// PID is the program's process id.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Exited reports whether the program has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// startProcess starts program with args in dir (the working directory), with
// its output in a log file under logDir, a cleaned environment (see
// programEnv) and a death signal so it never outlives the test binary. It
// registers a cleanup that kills and waits for the program and, when the
// test failed, logs the tail of every log.
func startProcess(t testing.TB, logDir, dir, program string, args ...string) (*Process, error) {
	t.Helper()
	logFile, err := os.CreateTemp(logDir, program+"-*.log")
	if err != nil {
		return nil, fmt.Errorf("create log for %s: %w", program, err)
	}
	defer logFile.Close() // the child holds its own copy of the descriptor

	cmd := exec.Command(program, args...)
	cmd.Dir = dir
	cmd.Env = programEnv(logDir)
	cmd.Stdin = nil
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", program, err)
	}
	p := &Process{Name: program, LogPath: logFile.Name(), cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("%s (pid %d) logs:\n%s", p.Name, p.PID(), p.logTails())
		}
	})
	return p, nil
}

// stop kills the program (SIGKILL: nothing here needs a graceful shutdown,
// and a kill cannot hang) and waits until it has been reaped.
func (p *Process) stop() {
	if !p.Exited() {
		_ = p.cmd.Process.Kill()
	}
	<-p.done
}

// logTails returns the last lines of every log of the program.
func (p *Process) logTails() string {
	var b strings.Builder
	for _, path := range append([]string{p.LogPath}, p.Logs...) {
		fmt.Fprintf(&b, "--- %s (last %d lines)\n%s\n", path, logTailLines, tail(path, logTailLines))
	}
	return b.String()
}

// tail returns the last n lines of the file at path, or why it cannot.
func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(cannot read: %v)", err)
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// programEnv is the environment of every started program: the test's own,
// minus proxy settings (aria2 and Qt honour http_proxy/all_proxy, which
// would send tracker requests through a proxy off this machine), with HOME
// and the XDG directories pointing into the test's temporary directory so
// nothing is read from or written to the user's real profile.
func programEnv(home string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch strings.ToLower(name) {
		case "http_proxy", "https_proxy", "ftp_proxy", "all_proxy", "no_proxy",
			"home", "xdg_config_home", "xdg_data_home", "xdg_cache_home":
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_DATA_HOME="+filepath.Join(home, ".local", "share"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
	)
}

// errStopWaiting marks an error of a readiness check that will not go away
// by waiting (see stopWaiting).
type errStopWaiting struct{ error }

func (e errStopWaiting) Unwrap() error { return e.error }

// stopWaiting wraps err so that waitReady returns it at once instead of
// polling until its timeout.
func stopWaiting(err error) error { return errStopWaiting{err} }

// waitReady polls ready every 50 ms until it returns nil or an error made by
// stopWaiting, the program exits, or timeout passes. The error says which,
// with ready's last complaint.
func (p *Process) waitReady(timeout time.Duration, what string, ready func() error) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		err := ready()
		if err == nil {
			return nil
		}
		if errors.As(err, new(errStopWaiting)) {
			return fmt.Errorf("%s: not %s: %w", p.Name, what, err)
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s exited before %s (%v): %w", p.Name, what, p.err, err)
		case <-ctx.Done():
			return fmt.Errorf("%s: not %s after %v: %w", p.Name, what, timeout, err)
		case <-tick.C:
		}
	}
}

// listening reports whether a program itself listens at addr: its log at
// logPath has the line ok, and the port accepts connections. The port
// alone is not enough: another program may take it between freePort and
// the program's bind. A log line with failed stops the wait (startWithRetry
// then takes another port).
func listening(logPath string, addr netip.AddrPort, ok, failed string) error {
	if err := logSays(logPath, ok, failed); err != nil {
		return err
	}
	return dialable(addr.String())
}

// logSays reports whether the log at logPath has the line ok; one with
// failed stops the wait.
func logSays(logPath, ok, failed string) error {
	log, err := os.ReadFile(logPath)
	switch {
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return stopWaiting(err)
	case bytes.Contains(log, []byte(failed)):
		return stopWaiting(fmt.Errorf("its log says %q", failed))
	case !bytes.Contains(log, []byte(ok)):
		return fmt.Errorf("its log does not say %q yet", ok)
	}
	return nil
}

// dialable reports whether something accepts TCP connections at addr.
func dialable(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, 500*time.Millisecond)
	if err != nil {
		return err
	}
	return conn.Close()
}

// freePort returns a port that is free on 127.0.0.1 for both TCP and UDP
// right now (qBittorrent and opentracker can use both on the same number).
// It picks one below the kernel's ephemeral range (ephemeralLow): every
// test's own listener (port 0) and every outgoing connection gets a port in
// that range, so none of them can take the port before the program binds
// it, as happened with go test running four packages at once (a fake
// tracker got qBittorrent's Web UI port). Another program started this way
// may still pick the same number; the Start functions then retry.
func freePort() (int, error) {
	const lowest = 10000
	high := ephemeralLow()
	for range 50 {
		port := lowest + rand.IntN(high-lowest)
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		_ = l.Close()
		u, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue // TCP port free but UDP taken: pick another
		}
		_ = u.Close()
		return port, nil
	}
	return 0, fmt.Errorf("find free port: none free for both TCP and UDP in %d..%d after 50 tries", lowest, high-1)
}

// ephemeralLow is the first port of the range the kernel hands out for
// port 0 and outgoing connections (Linux: net.ipv4.ip_local_port_range),
// or 32768 (Linux's default) when it cannot be read or leaves no room below.
func ephemeralLow() int {
	var low int
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range") // "32768	60999"
	if err == nil {
		_, err = fmt.Sscan(string(b), &low)
	}
	if err != nil || low <= 12000 {
		return 32768
	}
	return low
}

// startWithRetry runs start up to startAttempts times, each time with a
// fresh port, until it succeeds. A failed attempt's program is already
// stopped by start; its error is logged so a flaky port shows in the output.
func startWithRetry[T any](t testing.TB, program string, start func(port int) (T, error)) T {
	t.Helper()
	var errs []error
	for attempt := 1; attempt <= startAttempts; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatalf("realbt: %v", err)
		}
		v, err := start(port)
		if err == nil {
			return v
		}
		errs = append(errs, fmt.Errorf("attempt %d (port %d): %w", attempt, port, err))
		t.Logf("realbt: start %s: attempt %d on port %d failed: %v", program, attempt, port, err)
	}
	t.Fatalf("realbt: could not start %s:\n%v", program, errors.Join(errs...))
	var zero T
	return zero
}

// killAfterFailedStart stops a program that did not come up and returns err
// with the program's log tail, so the reason is visible in the test output.
func (p *Process) killAfterFailedStart(err error) error {
	p.stop()
	return fmt.Errorf("%w\n%s", err, p.logTails())
}

// signal sends sig to the program (used to make opentracker reload its
// whitelist).
func (p *Process) signal(sig syscall.Signal) error {
	if p.Exited() {
		return fmt.Errorf("%s has exited: %v", p.Name, p.err)
	}
	return p.cmd.Process.Signal(sig)
}
