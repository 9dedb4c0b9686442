#!/usr/bin/env bash
# Times this stage's `download` against aria2c on the same torrent, from the
# same real seeders (aria2c and qbittorrent-nox behind opentracker, all on
# 127.0.0.1), alternating runs, and prints both wall times, their ratio and
# both peak RSS figures (/usr/bin/time -v).
#
# Usage: stage16_metadata_request/bench/compare.sh [SIZE_MiB] [RUNS]
#        defaults: 1024 MiB (the target size), 3 runs of each client
# Needs: opentracker aria2 qbittorrent-nox iproute2 time (Debian packages).
set -euo pipefail
size=${1:-1024}
runs=${2:-3}
if [[ ! -x /usr/bin/time ]]; then
  echo "compare.sh: /usr/bin/time is missing; installing the Debian package 'time'" >&2
  apt-get install -y time >&2
fi
cd "$(dirname "$0")"
# -tags compare: the measurement is not part of `go test ./...`. No package
# argument: go test then shows the printed figures even when it passes.
exec go test -tags compare -run '^TestCompareWithAria2$' -count=1 -timeout 0 -args -size "$size" -runs "$runs"
