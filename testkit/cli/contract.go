package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// This file holds the checks that make the CLI tests a contract for a
// program in any language (CONTRACT.md): they compare what the course asks
// for, in any form a correct program may print it, never Go's incidental
// bytes.

// RequireJSON checks a successful run whose stdout must be one line holding
// one JSON value equal to want. Values are compared, not bytes: spacing,
// the order of an object's keys and the choice between a character and its
// \u escape (`é` or `\u00e9`, the replacement character or `\ufffd`) do not
// matter; numbers are compared exactly, however many digits they have.
func RequireJSON(t testing.TB, res Result, want, hint string) {
	t.Helper()
	if res.ExitCode != 0 {
		t.Fatalf("%s\nwant exit code 0 and the JSON value %s on stdout\n%s", hint, want, res)
	}
	if err := jsonLineEqual(res.Stdout, want); err != nil {
		t.Fatalf("%s\nwant the JSON value %s and a newline on stdout (any spacing, any key order): %v\n%s", hint, want, err, res)
	}
}

// jsonLineEqual reports how out differs from one line holding the JSON
// value want (nil when it does not).
func jsonLineEqual(out, want string) error {
	line, ok := strings.CutSuffix(out, "\n")
	switch {
	case out == "":
		return errors.New("stdout is empty")
	case !ok || strings.Contains(line, "\n"):
		return errors.New("stdout must be exactly one line, ending with a newline")
	case !utf8.ValidString(line):
		return errors.New("stdout is not valid UTF-8: JSON is Unicode text; print a byte that is not UTF-8 as the replacement character U+FFFD (or its escape \\ufffd)")
	}
	got, err := parseJSON(line)
	if err != nil {
		return fmt.Errorf("stdout is not one JSON value: %w", err)
	}
	w, err := parseJSON(want)
	if err != nil {
		return fmt.Errorf("the test's own want %q: %w", want, err)
	}
	if !jsonValuesEqual(got, w) {
		return errors.New("that is a different value")
	}
	return nil
}

// parseJSON decodes exactly one JSON value, keeping numbers as text.
func parseJSON(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("more after the first value")
	}
	return v, nil
}

// jsonValuesEqual compares two decoded JSON values; numbers compare as exact
// rationals (52, 52.0 and 5.2e1 are one number; 2^63 is not 2^63-1).
func jsonValuesEqual(a, b any) bool {
	switch a := a.(type) {
	case json.Number:
		b, ok := b.(json.Number)
		if !ok {
			return false
		}
		x, okx := new(big.Rat).SetString(a.String())
		y, oky := new(big.Rat).SetString(b.String())
		return okx && oky && x.Cmp(y) == 0
	case []any:
		b, ok := b.([]any)
		return ok && slices.EqualFunc(a, b, jsonValuesEqual)
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, va := range a {
			vb, ok := b[k]
			if !ok || !jsonValuesEqual(va, vb) {
				return false
			}
		}
		return true
	default: // string, bool, nil
		return a == b
	}
}

// RequireLines checks a successful run whose stdout must hold the lines of
// want, a text made of labelled sections: a line "Label: value" or
// "Label:", followed by its items (lines that are indented or hold no
// "label: "), such as "Piece Hashes:" and its hashes. Each section of want
// must appear exactly as written and in the same order; a section whose
// label want does not have is a later stage's and is skipped, so a program
// that already prints later stages' lines keeps passing.
func RequireLines(t testing.TB, res Result, want, hint string) {
	t.Helper()
	if res.ExitCode != 0 {
		t.Fatalf("%s\nwant exit code 0\n%s", hint, res)
	}
	if err := linesMatch(res.Stdout, want); err != nil {
		t.Fatalf("%s\n%v\nwant these lines, in this order (lines of later stages may come between them):\n%s%s", hint, err, indent(want), res)
	}
}

// section is one labelled line and its items.
type section struct {
	label string // "" for lines before the first label
	lines []string
}

// labelLine matches a section's first line and captures its label.
var labelLine = regexp.MustCompile(`^([^\s:][^:]*):(?: |$)`)

func parseSections(text string) []section {
	var secs []section
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if m := labelLine.FindStringSubmatch(line); m != nil || len(secs) == 0 {
			label := ""
			if m != nil {
				label = m[1]
			}
			secs = append(secs, section{label: label})
		}
		secs[len(secs)-1].lines = append(secs[len(secs)-1].lines, line)
	}
	return secs
}

// linesMatch reports how out breaks the sections of want (nil when it
// does not).
func linesMatch(out, want string) error {
	if out != "" && !strings.HasSuffix(out, "\n") {
		return errors.New("stdout must end with a newline")
	}
	wantSecs := parseSections(want)
	checked := map[string]bool{}
	for _, s := range wantSecs {
		checked[s.label] = true
	}
	next := 0
	for _, got := range parseSections(out) {
		if !checked[got.label] {
			if got.label == "" {
				return fmt.Errorf("unexpected line %q: every line must be a \"Label: value\" line or an item under one", got.lines[0])
			}
			continue // a later stage's section
		}
		if next == len(wantSecs) {
			return fmt.Errorf("%q appears again after every line this stage asks for", got.lines[0])
		}
		w := wantSecs[next]
		if got.label != w.label {
			return fmt.Errorf("want %q next, got %q", w.lines[0], got.lines[0])
		}
		if !slices.Equal(got.lines, w.lines) {
			return fmt.Errorf("the %q lines differ:\nwant:\n%s\ngot:\n%s", w.label, strings.Join(w.lines, "\n"), strings.Join(got.lines, "\n"))
		}
		next++
	}
	if next < len(wantSecs) {
		return fmt.Errorf("missing %q", wantSecs[next].lines[0])
	}
	return nil
}

// Mentions reports whether text contains word, ignoring case.
func Mentions(text, word string) bool {
	return strings.Contains(strings.ToLower(text), strings.ToLower(word))
}

// RequireMentionsAny checks that text names at least one of words, ignoring
// case: an error caused by several keys may name any of them.
func RequireMentionsAny(t testing.TB, res Result, text string, words []string, hint string) {
	t.Helper()
	if !slices.ContainsFunc(words, func(w string) bool { return Mentions(text, w) }) {
		if len(words) == 1 {
			t.Fatalf("%s\nthe message should mention %q (any case)\n%s", hint, words[0], res)
		}
		t.Fatalf("%s\nthe message should mention one of %q (any case)\n%s", hint, words, res)
	}
}

// indent indents every line of text by four spaces.
func indent(text string) string {
	return "    " + strings.ReplaceAll(strings.TrimSuffix(text, "\n"), "\n", "\n    ") + "\n"
}
