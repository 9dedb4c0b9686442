// Command demo is the workbook's main job, end to end on one machine with no
// internet: it generates a sample file and its .torrent, starts a local fake
// tracker and a few seeders on 127.0.0.1 (one of them sends corrupt data),
// builds stage 11's client and runs its `download` command against them,
// the real client path with its progress bar, then checks the SHA-1 of what
// arrived and says where the file is.
//
// With -magnet the client starts from the sample's magnet link instead:
// stage 19's `magnet_download` gets the info dictionary from the seeders
// (BEP 9) before it downloads, as a client given only a link must.
//
// From the repository root:
//
//	go run ./testkit/cmd/demo
//	go run ./testkit/cmd/demo -size 1GiB -seeders 4
//	go run ./testkit/cmd/demo -magnet
//
// Nothing here imports stage code: the client is built with `go build` and
// run as a program, as a learner would run it.
package main

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"

	"workbook/testkit/gobuild"
	"workbook/testkit/swarm"
	"workbook/testkit/torrentfile"
	faketracker "workbook/testkit/tracker"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "demo: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	flags := flag.NewFlagSet("demo", flag.ContinueOnError)
	size := flags.String("size", "128MiB", "size of the generated sample (e.g. 64MiB, 1GiB)")
	seeders := flags.Int("seeders", 3, "honest seeders to start")
	bad := flags.Int("bad", 1, "seeders that send corrupt blocks (the client must drop them)")
	outDir := flags.String("dir", "", "directory for the sample, the .torrent and the download (default: a new temporary directory)")
	stage := flags.String("stage", "stage11_download", "the stage whose client downloads (with -magnet: stage19_magnet_download)")
	magnet := flags.Bool("magnet", false, "start from the sample's magnet link (magnet_download) instead of its .torrent (download)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *magnet && !flagSet(flags, "stage") {
		*stage = "stage19_magnet_download"
	}
	length, err := parseSize(*size)
	if err != nil {
		return err
	}
	if *seeders < 1 {
		return errors.New("-seeders must be at least 1: someone has to serve the file")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	root, err := repoRoot()
	if err != nil {
		return err
	}
	dir := *outDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "workbook-demo-"); err != nil {
			return err
		}
	}

	step("building %s's client", *stage)
	client := filepath.Join(dir, "bittorrent-client")
	if err := gobuild.Program(root, "./"+*stage, client); err != nil {
		return err
	}

	step("generating a %s sample and its .torrent", *size)
	tr, err := faketracker.Start(faketracker.Config{})
	if err != nil {
		return err
	}
	defer tr.Close()
	tor, err := torrentfile.Build(torrentfile.Options{
		Seed: 1, Name: "sample.bin", Length: length, PieceLength: 256 << 10, Announce: tr.URL(),
	})
	if err != nil {
		return err
	}
	torrentPath := filepath.Join(dir, "sample.torrent")
	if err := os.WriteFile(torrentPath, tor.Bytes, 0o644); err != nil {
		return err
	}

	step("starting a fake tracker at %s with %d honest seeders and %d bad one(s)", tr.URL(), *seeders, *bad)
	var addrs []string
	for i := range *seeders + *bad {
		opts := swarm.Options{}
		if i >= *seeders {
			opts.Fault = swarm.CorruptBlock
		}
		s, err := swarm.Listen(swarm.FromTorrent(tor), opts)
		if err != nil {
			return err
		}
		defer s.Close()
		addrs = append(addrs, s.Addr())
	}
	tr.Add(tor.InfoHash, faketracker.Expect{AnyProgress: true}, faketracker.Answer{Peers: faketracker.Peers(addrs...)})

	out := filepath.Join(dir, "sample.bin")
	os.Remove(out) // a second run into the same -dir starts over
	cmdArgs := []string{"download", "-o", out, torrentPath}
	if *magnet {
		cmdArgs = []string{"magnet_download", "-o", out, tor.MagnetLink()}
	}
	step("running: %s %s", filepath.Base(client), shellWords(cmdArgs))
	dl := exec.CommandContext(ctx, client, cmdArgs...)
	dl.Stdin, dl.Stdout, dl.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := dl.Run(); err != nil {
		return fmt.Errorf("the download failed: %w", err)
	}

	step("checking the download")
	got, err := fileSHA1(out)
	if err != nil {
		return err
	}
	want, err := contentSHA1(tor.Content)
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("SHA-1 of %s is %s, want %s: the client wrote something else than the seeders served", out, got, want)
	}
	fmt.Printf("SHA-1 %s matches the generated sample.\n", got)
	fmt.Printf("The file is at %s (the .torrent beside it; remove %s when done).\n", out, dir)
	return nil
}

// shellWords joins args for a shell, quoting those it would split or
// expand (a magnet link holds & and ?).
func shellWords(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = a
		if strings.ContainsAny(a, "&?*; ") {
			quoted[i] = "'" + a + "'"
		}
	}
	return strings.Join(quoted, " ")
}

// flagSet reports whether the command line set the flag name.
func flagSet(flags *flag.FlagSet, name string) bool {
	set := false
	flags.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// step announces what the demo does next, on stderr like the client's
// progress.
func step(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "==> "+format+"\n", args...)
}

// repoRoot is the directory of the go.work file: the demo builds the stage
// from there, wherever it was started.
func repoRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOWORK").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOWORK: %w", err)
	}
	work := strings.TrimSpace(string(out))
	if work == "" || work == "off" {
		return "", errors.New("run the demo inside the workbook (no go.work found): cd to the repository root and `go run ./testkit/cmd/demo`")
	}
	return filepath.Dir(work), nil
}

func fileSHA1(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha1.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func contentSHA1(c torrentfile.Content) (string, error) {
	h := sha1.New()
	if _, err := io.Copy(h, c.Reader()); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// parseSize reads sizes like 1048576, 64KiB, 128MiB or 1GiB.
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return 0, fmt.Errorf("size %q: want a positive size such as 64MiB or 1GiB", s)
	}
	return n * mult, nil
}
