package lessons

import (
	"regexp"
	"strings"
)

// The parts of an output that change from run to run, and what each becomes.
// Order matters: speeds before durations (so "MiB/s" stays whole).
var rules = []struct {
	re   *regexp.Regexp
	with string
}{
	// Ports on loopback: every fake and real peer or tracker listens on a
	// random one.
	{regexp.MustCompile(`127\.0\.0\.1:\d+`), "127.0.0.1:PORT"},
	// The same inside a magnet link, percent-encoded (tr=http%3A%2F%2F...).
	{regexp.MustCompile(`127\.0\.0\.1%3[Aa]\d+`), "127.0.0.1%3APORT"},
	// An absolute path into a stage: the repository is elsewhere on every
	// machine (test failures print /work/main/stage01_x/decode_test.go:34).
	{regexp.MustCompile(`(?:/[^\s/:'"]+)+/(stage\d\d_\w+/)`), "$1"},
	// Digits of temporary names (os.MkdirTemp, the client's .part files).
	{regexp.MustCompile(`(/tmp/\S*?)\d{5,}`), "${1}N"},
	// Speeds, then durations: 262.6 MiB/s, 487ms, 0.441s, 0m15.216s, (cached).
	{regexp.MustCompile(`\b\d+(\.\d+)? ?([KMGT]i?)?B/s\b`), "SPEED"},
	{regexp.MustCompile(`\b(\d+(\.\d+)?(ns|µs|us|ms|s|m|h))+\b`), "DURATION"},
	{regexp.MustCompile(`\(cached\)`), "DURATION"},
	// The seed a randomised CLI test prints so a failure can be replayed.
	{regexp.MustCompile(`(random [a-z ]*seed) \d+`), "$1 N"},
}

// Normalise rewrites the parts of one output line that change from run to
// run (see rules) and drops trailing white space, which editors strip from
// lessons.
func Normalise(line string) string {
	for _, r := range rules {
		line = r.re.ReplaceAllString(line, r.with)
	}
	return strings.TrimRight(line, " \t")
}

// normaliseAll normalises lines and drops trailing empty ones.
func normaliseAll(lines []string) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		out = append(out, Normalise(l))
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// ellipsis in a lesson's output stands for any number of lines.
const ellipsis = "…"

// match reports whether got fits want, where a want line "…" matches any
// run of lines (including none).
func match(want, got []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if want[0] == ellipsis {
		for i := 0; i <= len(got); i++ {
			if match(want[1:], got[i:]) {
				return true
			}
		}
		return false
	}
	return len(got) > 0 && want[0] == got[0] && match(want[1:], got[1:])
}
