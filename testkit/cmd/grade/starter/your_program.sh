#!/bin/sh
# your_program.sh is what the grader runs, with the command's arguments:
#   ./your_program.sh decode 5:hello
# It builds the Go program in this folder (quick when nothing changed: Go
# caches the build) and runs it. Another language? Keep the idea: build if
# your language needs it, then exec your program with "$@", e.g.
#   exec python3 "$(dirname "$0")/main.py" "$@"
set -e
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/.build"
# Tests run the program several times at once: each run builds to its own
# file, then moves it into place (a move is atomic).
tmp=$(mktemp "$here/.build/build.XXXXXX")
if ! (cd "$here" && GOWORK=off go build -o "$tmp" .); then
	rm -f "$tmp"
	exit 1
fi
mv -f "$tmp" "$here/.build/your_program"
exec "$here/.build/your_program" "$@"
