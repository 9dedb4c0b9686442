package realbt

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// CIEnv names the environment variable that marks a CI run. When it is set
// (to anything), a missing program fails the test instead of skipping it:
// CI must never pass by silently skipping the real-program tests.
const CIEnv = "CI"

// debianPackage names the Debian package that installs each program, for
// the message that tells a reader what to install.
var debianPackage = map[string]string{
	"opentracker":     "opentracker",
	"aria2c":          "aria2",
	"qbittorrent-nox": "qbittorrent-nox",
	"ss":              "iproute2",
}

// Require checks that every program is installed (found on PATH). A missing
// program skips the test with the Debian package to install, except when
// the CI environment variable is set: then the test fails, because a CI run
// that skips the real-program tests proves nothing.
//
// The Start functions call Require themselves; call it first in a test to
// skip before doing any setup work.
func Require(t testing.TB, programs ...string) {
	t.Helper()
	var missing, install []string
	for _, p := range programs {
		if _, err := exec.LookPath(p); err != nil {
			missing = append(missing, p)
			pkg := debianPackage[p]
			if pkg == "" {
				pkg = p
			}
			install = append(install, pkg)
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := "real-program test needs " + strings.Join(missing, ", ") +
		" (install with: apt-get install -y " + strings.Join(install, " ") + ")"
	if os.Getenv(CIEnv) != "" {
		t.Fatalf("%s; %s is set, so this is a failure, not a skip", msg, CIEnv)
	}
	t.Skip(msg)
}
