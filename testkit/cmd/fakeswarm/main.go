// Command fakeswarm runs a whole BitTorrent swarm on 127.0.0.1, made of the
// workbook's fakes: the fake tracker (testkit/tracker) and fake seeders
// (testkit/swarm), some honest, some lying. It writes the torrents they
// serve into a folder, prints how to use them, and runs until Ctrl-C, so the
// lessons of stages 8 to 11 can be followed on a machine that has nothing
// but Go (no aria2c, opentracker or qbittorrent-nox).
//
// From the repository root:
//
//	go run ./testkit/cmd/fakeswarm -dir /tmp/swarm
//
// The folder then holds:
//
//	sample.torrent   1000000 bytes in 256 KiB pieces (the last one short);
//	                 the tracker lists a seeder sending corrupt blocks, one
//	                 announcing a 4 GiB message, and honest ones
//	sample.bin       the content sample.torrent describes, to compare with
//	bad.torrent      a torrent whose every seeder lies (corrupt blocks,
//	                 a 4 GiB message, never unchoking): nothing can be
//	                 downloaded
//	multi.torrent    a multi-file torrent (its files under multi/) with
//	                 honest seeders
//	peers/<Fault>    the address of a seeder of sample.torrent with that
//	                 fault, one per fault of testkit/swarm (peers/Honest,
//	                 peers/WrongInfoHash, ...), for `handshake`
//	announce         the tracker's announce URL
//
// With -magnet, for the magnet-link lessons (stages 12 to 19), it also
// writes and prints each torrent's magnet link (sample.magnet, bad.magnet,
// multi.magnet, all announcing to the fake tracker) and serves three more:
//
//	large.torrent    a torrent of 4100 pieces (64 MiB, content not written)
//	large.magnet     whose info dictionary (its metadata) spans 6 pieces of
//	                 16 KiB, with honest seeders
//	badmeta.magnet   a torrent whose every seeder lies about the metadata
//	                 (-badmeta: wrong bytes, reject, a 4 GiB metadata_size)
//	hostile.magnet   metadata that hashes right but is a hostile torrent
//	                 (a file path climbing out of the download folder)
//
// peers/<Fault> covers the extension and metadata faults too
// (peers/NoUTMetadata, peers/MetadataWrongBytes, ...): add the address to a
// magnet link as x.pe, or list them for a torrent with -sample.
//
// The content is generated from fixed seeds and the seeders' peer ids are
// fixed, so the info hashes, piece hashes and peer ids are the same on every
// run; only the ports change. -for stops it after a while (for scripts).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"workbook/testkit/swarm"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "fakeswarm: %v\n", err)
		os.Exit(1)
	}
}

// config is what the flags choose.
type config struct {
	dir         string
	samplePeers []swarm.Fault // what the tracker lists for sample.torrent, in order
	badPeers    []swarm.Fault // what it lists for bad.torrent
	stopAfter   time.Duration // 0: until Ctrl-C
	magnet      bool          // serve the magnet lessons' torrents too
	badMeta     []swarm.Fault // what the tracker lists for badmeta.magnet
}

func parseFlags(args []string) (config, error) {
	flags := flag.NewFlagSet("fakeswarm", flag.ContinueOnError)
	dir := flags.String("dir", "", "folder for the torrents and the seeders' addresses (created if missing; required)")
	sample := flags.String("sample", "CorruptBlock,HugeLength,Honest,Honest", "the seeders the tracker lists for sample.torrent, in order: faults of testkit/swarm")
	bad := flags.String("bad", "CorruptBlock,HugeLength,NeverUnchoke", "the seeders it lists for bad.torrent, in order")
	stopAfter := flags.Duration("for", 0, "stop after this long (default: run until Ctrl-C)")
	magnet := flags.Bool("magnet", false, "also write magnet links and serve the magnet lessons' torrents (large, badmeta, hostile)")
	badMeta := flags.String("badmeta", "MetadataWrongBytes,MetadataReject,HugeMetadataSize", "with -magnet, the seeders the tracker lists for badmeta.magnet, in order")
	if err := flags.Parse(args); err != nil {
		return config{}, err
	}
	if *dir == "" {
		return config{}, errors.New("-dir is required: the folder to write the torrents to, e.g. -dir /tmp/swarm")
	}
	cfg := config{dir: *dir, stopAfter: *stopAfter, magnet: *magnet}
	var err error
	if cfg.samplePeers, err = parseFaults(*sample); err != nil {
		return config{}, fmt.Errorf("-sample: %w", err)
	}
	if cfg.badPeers, err = parseFaults(*bad); err != nil {
		return config{}, fmt.Errorf("-bad: %w", err)
	}
	if cfg.badMeta, err = parseFaults(*badMeta); err != nil {
		return config{}, fmt.Errorf("-badmeta: %w", err)
	}
	return cfg, nil
}

// parseFaults reads a comma-separated list of fault names, such as
// "CorruptBlock,Honest".
func parseFaults(s string) ([]swarm.Fault, error) {
	var faults []swarm.Fault
	for _, name := range strings.Split(s, ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		f, ok := faultByName(name)
		if !ok {
			return nil, fmt.Errorf("unknown fault %q; the faults are %s", name, faultNames())
		}
		faults = append(faults, f)
	}
	if len(faults) == 0 {
		return nil, errors.New("no seeders: name at least one fault (Honest for an honest seeder)")
	}
	return faults, nil
}

func faultByName(name string) (swarm.Fault, bool) {
	for _, f := range swarm.AllFaults() {
		if strings.EqualFold(f.String(), name) {
			return f, true
		}
	}
	return 0, false
}

func faultNames() string {
	var names []string
	for _, f := range swarm.AllFaults() {
		names = append(names, f.String())
	}
	return strings.Join(names, ", ")
}

func run(args []string, stdout io.Writer) error {
	cfg, err := parseFlags(args)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cfg.stopAfter > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.stopAfter)
		defer cancel()
	}
	sw, err := start(cfg, stdout)
	if err != nil {
		return err
	}
	defer sw.close()
	<-ctx.Done()
	return nil
}
