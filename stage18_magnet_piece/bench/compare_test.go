//go:build compare

// Package bench_test compares this stage's client with aria2c on the same
// torrent and the same real seeders. It is a measurement, not a test: the
// build tag keeps it out of `go test ./...`; compare.sh runs it.
//
//	stage18_magnet_piece/bench/compare.sh 1024 3   # 1 GiB, 3 runs of each
package bench_test

import (
	"bytes"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"workbook/testkit/realbt"
	"workbook/testkit/torrentfile"
)

var (
	sizeMiB = flag.Int64("size", 1024, "size of the generated file in MiB")
	runs    = flag.Int("runs", 3, "downloads by each client, alternating")
)

// measurement is one download: wall time and peak resident memory, as
// /usr/bin/time -v reports them.
type measurement struct {
	wall   time.Duration
	maxRSS int64 // KiB
}

func TestCompareWithAria2(t *testing.T) {
	realbt.Require(t, "opentracker", "aria2c", "qbittorrent-nox")
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		t.Fatal("needs /usr/bin/time (apt-get install -y time)")
	}
	size := *sizeMiB << 20
	o := torrentfile.Options{Seed: 7, Name: "compare.bin", Length: size, PieceLength: 256 << 10}
	hash := torrentfile.MustBuild(t, o).InfoHash
	tr := realbt.StartOpentracker(t, hash)
	o.Announce = tr.AnnounceURL
	tor := torrentfile.MustBuild(t, o)

	seedDir := t.TempDir()
	require.NoError(t, tor.WriteContent(seedDir))
	torrentPath := tor.WriteTorrent(t)
	a := realbt.StartAria2Seeder(t, torrentPath, seedDir)
	q := realbt.StartQBittorrentSeeder(t, torrentPath, seedDir)
	tr.WaitForPeers(t, hash, 30*time.Second, a.Addr, q.Addr)
	fmt.Printf("seeding %d MiB (%d pieces of %d KiB) from aria2c %v and qbittorrent-nox %v via opentracker %s\n",
		*sizeMiB, tor.NumPieces(), tor.PieceLength>>10, a.Addr, q.Addr, tr.AnnounceURL)

	ours := filepath.Join(t.TempDir(), "download")
	build := exec.Command("go", "build", "-o", ours, "..")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "build the stage's client: %s", out)

	home := t.TempDir() // aria2c must not read the user's config
	var mine, theirs []measurement
	for i := range *runs {
		runOurs := func() {
			dir := t.TempDir()
			path := filepath.Join(dir, tor.Name)
			m := timed(t, exec.Command(ours, "download", "-o", path, torrentPath))
			require.NoError(t, tor.VerifyContent(path), "our download")
			require.NoError(t, os.RemoveAll(dir))
			mine = append(mine, m)
			fmt.Printf("run %d  ours    %8.2fs  peak RSS %6.1f MiB\n", i+1, m.wall.Seconds(), float64(m.maxRSS)/1024)
		}
		runAria2 := func() {
			dir := t.TempDir()
			cmd := exec.Command("aria2c", realbt.Aria2DownloadArgs(torrentPath, dir, freePort(t))...)
			cmd.Env = append(os.Environ(), "HOME="+home)
			m := timed(t, cmd)
			require.NoError(t, tor.VerifyContent(filepath.Join(dir, tor.Name)), "aria2c's download")
			require.NoError(t, os.RemoveAll(dir))
			theirs = append(theirs, m)
			fmt.Printf("run %d  aria2c  %8.2fs  peak RSS %6.1f MiB\n", i+1, m.wall.Seconds(), float64(m.maxRSS)/1024)
		}
		// Alternate who goes first, so neither always meets a warm cache.
		if i%2 == 0 {
			runOurs()
			runAria2()
		} else {
			runAria2()
			runOurs()
		}
	}
	om, am := median(mine), median(theirs)
	fmt.Printf("\nmedian of %d runs, %d MiB:\n", *runs, *sizeMiB)
	fmt.Printf("  ours    %.2fs  %.0f MiB/s  peak RSS %.1f MiB\n", om.wall.Seconds(), float64(*sizeMiB)/om.wall.Seconds(), float64(om.maxRSS)/1024)
	fmt.Printf("  aria2c  %.2fs  %.0f MiB/s  peak RSS %.1f MiB\n", am.wall.Seconds(), float64(*sizeMiB)/am.wall.Seconds(), float64(am.maxRSS)/1024)
	fmt.Printf("  wall time ratio ours/aria2c = %.2f (target <= 1.00); our peak RSS %.1f MiB (target <= 64 MiB for 1 GiB)\n",
		om.wall.Seconds()/am.wall.Seconds(), float64(om.maxRSS)/1024)
}

var (
	wallRE = regexp.MustCompile(`Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)`)
	rssRE  = regexp.MustCompile(`Maximum resident set size \(kbytes\): (\d+)`)
)

// timed runs cmd under /usr/bin/time -v and returns its wall time and peak
// RSS.
func timed(t *testing.T, cmd *exec.Cmd) measurement {
	t.Helper()
	cmd.Args = append([]string{"/usr/bin/time", "-v"}, cmd.Args...)
	cmd.Path = "/usr/bin/time"
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	require.NoError(t, cmd.Run(), "%s:\n%s", strings.Join(cmd.Args, " "), stderr.String())
	w := wallRE.FindStringSubmatch(stderr.String())
	r := rssRE.FindStringSubmatch(stderr.String())
	require.NotNil(t, w, "no wall time in:\n%s", stderr.String())
	require.NotNil(t, r, "no peak RSS in:\n%s", stderr.String())
	rss, _ := strconv.ParseInt(r[1], 10, 64)
	return measurement{wall: parseClock(t, w[1]), maxRSS: rss}
}

// parseClock reads time's "m:ss.cc" or "h:mm:ss".
func parseClock(t *testing.T, s string) time.Duration {
	var d time.Duration
	for _, part := range strings.Split(s, ":") {
		v, err := strconv.ParseFloat(part, 64)
		require.NoError(t, err, "clock %q", s)
		d = d*60 + time.Duration(v*float64(time.Second))
	}
	return d
}

func median(ms []measurement) measurement {
	walls := make([]time.Duration, len(ms))
	rss := make([]int64, len(ms))
	for i, m := range ms {
		walls[i], rss[i] = m.wall, m.maxRSS
	}
	slices.Sort(walls)
	slices.Sort(rss)
	return measurement{wall: walls[len(walls)/2], maxRSS: rss[len(rss)/2]}
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return int(netip.MustParseAddrPort(l.Addr().String()).Port())
}
