#!/usr/bin/env bash
# Times this stage's client against aria2c on the same torrent, from the
# same real seeders (aria2c and qbittorrent-nox behind opentracker, all on
# 127.0.0.1), alternating runs, and prints both wall times, their ratio and
# both peak RSS figures (/usr/bin/time -v). With -magnet both clients start
# from the torrent's magnet link (ours: magnet_download; aria2c: the link),
# so each fetches the metadata from the seeders first; without it, from the
# .torrent file (download).
#
# Usage: stage19_magnet_download/bench/compare.sh [SIZE_MiB] [RUNS] [-magnet]
#        defaults: 1024 MiB (the target size), 3 runs of each client, .torrent
# Needs: opentracker aria2 qbittorrent-nox iproute2 time (Debian packages).
set -euo pipefail
size=${1:-1024}
runs=${2:-3}
magnet=false
case "${3:-}" in
  "") ;;
  -magnet) magnet=true ;;
  *) echo "compare.sh: third argument ${3}: want -magnet or nothing" >&2; exit 2 ;;
esac
if [[ ! -x /usr/bin/time ]]; then
  echo "compare.sh: /usr/bin/time is missing; installing the Debian package 'time'" >&2
  apt-get install -y time >&2
fi
cd "$(dirname "$0")"
# -tags compare: the measurement is not part of `go test ./...`. No package
# argument: go test then shows the printed figures even when it passes.
exec go test -tags compare -run '^TestCompareWithAria2$' -count=1 -timeout 0 -args -size "$size" -runs "$runs" -magnet="$magnet"
