// Command realswarm runs a real swarm on 127.0.0.1 until it is stopped: an
// opentracker and real seeders (aria2c, qbittorrent-nox) serving a generated
// file, for scripts and lessons that need real peers outside a Go test
// (the stage 10 lesson downloads a piece from it).
//
//	go run ./testkit/realbt/cmd/realswarm -size 1073741824 -dir /tmp/swarm
//
// It prints one "key value" line per fact, then "ready", then waits for
// SIGINT or SIGTERM and stops everything it started:
//
//	announce http://127.0.0.1:41235/announce
//	torrent /tmp/swarm/realswarm.torrent
//	content /tmp/swarm/seed/realswarm.bin
//	info_hash 5c1f…
//	seeder aria2c 127.0.0.1:40371
//	seeder qbittorrent-nox 127.0.0.1:38375
//	ready
//
// Everything stays on loopback with the same settings and socket checks as the
// tests (package realbt). Progress and problems go to stderr.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"workbook/testkit/realbt"
	"workbook/testkit/torrentfile"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) (code int) {
	fs := flag.NewFlagSet("realswarm", flag.ContinueOnError)
	fs.SetOutput(stderr)
	size := fs.Int64("size", 64<<20, "size of the generated file in bytes")
	pieceLength := fs.Int64("piece-length", 256<<10, "piece length in bytes")
	seed := fs.Uint64("seed", 1, "content seed (same seed, same bytes)")
	dir := fs.String("dir", "", "directory for the .torrent and the content (default: a temporary one, removed at exit)")
	seeders := fs.String("seeders", "aria2c,qbittorrent-nox", "comma-separated real seeders to start")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	logger := log.New(stderr, "realswarm: ", log.Ltime)

	tb, err := newCmdTB(logger)
	if err != nil {
		logger.Print(err)
		return 1
	}
	defer tb.runCleanups()
	defer func() {
		if r := recover(); r != nil {
			if !errors.Is(asError(r), errStop) {
				panic(r)
			}
			code = 1
		}
	}()

	if *dir == "" {
		*dir = tb.TempDir()
	}
	// Catch the stop signals before the first line is printed, so a script
	// that stops us as soon as it has read what it needs cannot kill us
	// before the cleanups run.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(stop)

	if err := startSwarm(tb, stdout, *dir, *size, *pieceLength, *seed, strings.Split(*seeders, ",")); err != nil {
		logger.Print(err)
		return 1
	}
	fmt.Fprintln(stdout, "ready")
	logger.Printf("swarm ready; stop with Ctrl-C or SIGTERM (pid %d)", os.Getpid())
	<-stop
	logger.Print("stopping")
	if tb.Failed() {
		return 1
	}
	return 0
}

// startSwarm generates the content and torrent, starts the tracker and the
// seeders, waits until the tracker lists them all, and prints the facts.
func startSwarm(tb *cmdTB, stdout io.Writer, dir string, size, pieceLength int64, seed uint64, seeders []string) error {
	tr := realbt.StartOpentracker(tb)
	fmt.Fprintln(stdout, "announce", tr.AnnounceURL)

	start := time.Now()
	tor, err := torrentfile.Build(torrentfile.Options{
		Seed: seed, Name: "realswarm.bin", Length: size, PieceLength: pieceLength, Announce: tr.AnnounceURL,
	})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	torrentPath := filepath.Join(dir, "realswarm.torrent")
	if err := os.WriteFile(torrentPath, tor.Bytes, 0o644); err != nil {
		return err
	}
	seedDir := filepath.Join(dir, "seed")
	if err := tor.WriteContent(seedDir); err != nil {
		return err
	}
	tb.Logf("generated %d bytes and their torrent in %v", size, time.Since(start).Round(time.Millisecond))
	fmt.Fprintln(stdout, "torrent", torrentPath)
	fmt.Fprintln(stdout, "content", tor.ContentPath(seedDir))
	fmt.Fprintln(stdout, "info_hash", tor.InfoHashHex())
	tr.Allow(tb, tor.InfoHash)

	var started []string
	for _, name := range seeders {
		start := time.Now()
		switch strings.TrimSpace(name) {
		case "aria2c":
			a := realbt.StartAria2Seeder(tb, torrentPath, seedDir)
			started = append(started, "aria2c "+a.Addr.String())
			tr.WaitForPeers(tb, tor.InfoHash, time.Minute, a.Addr)
		case "qbittorrent-nox":
			q := realbt.StartQBittorrentSeeder(tb, torrentPath, seedDir)
			started = append(started, "qbittorrent-nox "+q.Addr.String())
			tr.WaitForPeers(tb, tor.InfoHash, time.Minute, q.Addr)
		case "":
		default:
			return fmt.Errorf("unknown seeder %q (want aria2c or qbittorrent-nox)", name)
		}
		tb.Logf("%s seeding and announced after %v", name, time.Since(start).Round(time.Millisecond))
	}
	for _, s := range started {
		fmt.Fprintln(stdout, "seeder", s)
	}
	return nil
}
