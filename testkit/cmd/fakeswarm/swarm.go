package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"workbook/testkit/swarm"
	"workbook/testkit/torrentfile"
	faketracker "workbook/testkit/tracker"
)

// The torrents, generated from fixed seeds so their hashes never change.
var (
	sampleOptions = torrentfile.Options{Seed: 11, Name: "sample.bin", Length: 1000000, PieceLength: 256 << 10}
	badOptions    = torrentfile.Options{Seed: 12, Name: "bad.bin", Length: 1000000, PieceLength: 256 << 10}
	multiOptions  = torrentfile.Options{Seed: 13, Name: "multi", PieceLength: 64 << 10, Files: []torrentfile.FileSpec{
		{Path: []string{"README.txt"}, Length: 1200},
		{Path: []string{"disc1", "01-intro.flac"}, Length: 300000},
		{Path: []string{"disc1", "02-outro.flac"}, Length: 200000},
	}}
	multiPeers = []swarm.Fault{swarm.Honest, swarm.Honest}
)

// The magnet lessons' torrents (-magnet).
var (
	badMetaOptions = torrentfile.Options{Seed: 14, Name: "badmeta.bin", Length: 1000000, PieceLength: 256 << 10}
	// hostileInfo is the info dictionary hostile.magnet's seeders serve.
	hostileInfo = "file-path-traversal"
)

// fakeSwarm is the running tracker and seeders.
type fakeSwarm struct {
	dir     string
	out     io.Writer
	tracker *faketracker.Tracker
	seeders []*swarm.Seeder
}

// start writes the torrents to cfg.dir, starts the tracker and the seeders
// and says what is where on out.
func start(cfg config, out io.Writer) (_ *fakeSwarm, err error) {
	// out/ is where the lessons download to: the client wants the folder
	// of its output path to exist.
	for _, sub := range []string{"peers", "out"} {
		if err := os.MkdirAll(filepath.Join(cfg.dir, sub), 0o755); err != nil {
			return nil, err
		}
	}
	tr, err := faketracker.Start(faketracker.Config{})
	if err != nil {
		return nil, err
	}
	sw := &fakeSwarm{dir: cfg.dir, out: out, tracker: tr}
	defer func() {
		if err != nil {
			sw.close()
		}
	}()
	fmt.Fprintf(out, "fake tracker at %s (also in %s)\n", tr.URL(), sw.path("announce"))
	if err := sw.write("announce", []byte(tr.URL()+"\n")); err != nil {
		return nil, err
	}
	sample, listed, err := sw.serve("sample.torrent", sampleOptions, cfg.samplePeers, true)
	if err != nil {
		return nil, err
	}
	bad, _, err := sw.serve("bad.torrent", badOptions, cfg.badPeers, false)
	if err != nil {
		return nil, err
	}
	multi, _, err := sw.serve("multi.torrent", multiOptions, multiPeers, true)
	if err != nil {
		return nil, err
	}
	if err := sw.seedEveryFault(sample, cfg.samplePeers, listed); err != nil {
		return nil, err
	}
	if cfg.magnet {
		if err := sw.serveMagnets(cfg, []*torrentfile.Torrent{sample, bad, multi}); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(out, "try: go run ./stage11_download download -o %s %s\n", sw.path("out", "sample.bin"), sw.path("sample.torrent"))
	fmt.Fprintln(out, "ready; Ctrl-C stops")
	return sw, nil
}

// serve builds a torrent announcing to the tracker, writes it (and its
// content when withContent), starts one seeder per fault and has the
// tracker list them in that order. It returns the torrent and its seeders.
func (sw *fakeSwarm) serve(name string, o torrentfile.Options, faults []swarm.Fault, withContent bool) (*torrentfile.Torrent, []*swarm.Seeder, error) {
	o.Announce = sw.tracker.URL()
	tor, err := torrentfile.Build(o)
	if err != nil {
		return nil, nil, err
	}
	if err := sw.write(name, tor.Bytes); err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(sw.out, "wrote %s: %s, info hash %x\n", sw.path(name), describe(tor), tor.InfoHash)
	if withContent {
		if err := tor.WriteContent(sw.dir); err != nil {
			return nil, nil, err
		}
		fmt.Fprintf(sw.out, "  its content: %s\n", tor.ContentPath(sw.dir))
	}
	var seeders []*swarm.Seeder
	var addrs, listed []string
	for _, f := range faults {
		s, err := sw.seed(tor, f)
		if err != nil {
			return nil, nil, err
		}
		seeders = append(seeders, s)
		addrs = append(addrs, s.Addr())
		listed = append(listed, s.Addr()+" "+f.String())
	}
	sw.tracker.Add(tor.InfoHash, faketracker.Expect{AnyProgress: true}, faketracker.Answer{Peers: faketracker.Peers(addrs...)})
	fmt.Fprintf(sw.out, "  the tracker lists: %s\n", strings.Join(listed, ", "))
	return tor, seeders, nil
}

// seedEveryFault writes peers/<Fault> for every fault of testkit/swarm: the
// address of a seeder of sample that misbehaves that way: the first of the
// listed seeders (seeders[i] has faults[i]) with that fault, or a new one.
func (sw *fakeSwarm) seedEveryFault(sample *torrentfile.Torrent, faults []swarm.Fault, seeders []*swarm.Seeder) error {
	for _, f := range swarm.AllFaults() {
		var addr string
		for i, g := range faults {
			if g == f {
				addr = seeders[i].Addr()
				break
			}
		}
		if addr == "" {
			s, err := sw.seed(sample, f)
			if err != nil {
				return err
			}
			addr = s.Addr()
		}
		if err := sw.write(filepath.Join("peers", f.String()), []byte(addr+"\n")); err != nil {
			return err
		}
	}
	fmt.Fprintf(sw.out, "one seeder of sample.torrent per fault: %s holds its address (e.g. %s)\n",
		sw.path("peers", "<Fault>"), sw.path("peers", swarm.WrongInfoHash.String()))
	return nil
}

// serveMagnets writes the magnet links of torrents, then serves and writes
// the magnet lessons' own torrents: large (metadata over 16 KiB), badmeta
// (every seeder lies about the metadata) and hostile (metadata that hashes
// right but is a hostile torrent).
func (sw *fakeSwarm) serveMagnets(cfg config, torrents []*torrentfile.Torrent) error {
	for _, tor := range torrents {
		if err := sw.writeMagnet(strings.TrimSuffix(tor.Name, ".bin")+".magnet", tor.MagnetLink()); err != nil {
			return err
		}
	}
	large, _, err := sw.serve("large.torrent", torrentfile.LargeOptions, multiPeers, false)
	if err != nil {
		return err
	}
	badMeta, _, err := sw.serve("badmeta.torrent", badMetaOptions, cfg.badMeta, false)
	if err != nil {
		return err
	}
	for _, tor := range []*torrentfile.Torrent{large, badMeta} {
		if err := sw.writeMagnet(strings.TrimSuffix(tor.Name, ".bin")+".magnet", tor.MagnetLink()); err != nil {
			return err
		}
	}
	return sw.serveHostile()
}

// serveHostile serves hostileInfo as metadata from two honest seeders and
// writes hostile.magnet.
func (sw *fakeSwarm) serveHostile() error {
	var info []byte
	for _, h := range torrentfile.HostileInfoCases() {
		if h.Name == hostileInfo {
			info = h.Bytes
		}
	}
	content := swarm.MetadataContent(info)
	var addrs []string
	for range multiPeers {
		s, err := sw.start(content, swarm.Honest)
		if err != nil {
			return err
		}
		addrs = append(addrs, s.Addr())
	}
	sw.tracker.Add(content.InfoHash, faketracker.Expect{AnyProgress: true}, faketracker.Answer{Peers: faketracker.Peers(addrs...)})
	fmt.Fprintf(sw.out, "hostile metadata (%s), info hash %x: the tracker lists %s\n", hostileInfo, content.InfoHash, strings.Join(addrs, ", "))
	link := torrentfile.Magnet{InfoHash: content.InfoHash, Name: "hostile", Trackers: []string{sw.tracker.URL()}}
	return sw.writeMagnet("hostile.magnet", link.String())
}

// writeMagnet writes a magnet link to name and prints it.
func (sw *fakeSwarm) writeMagnet(name, link string) error {
	fmt.Fprintf(sw.out, "wrote %s: %s\n", sw.path(name), link)
	return sw.write(name, []byte(link+"\n"))
}

// seed starts a seeder of tor with fault f. Its peer id is fixed
// ("-SW0001-" and its number), so a lesson can show it.
func (sw *fakeSwarm) seed(tor *torrentfile.Torrent, f swarm.Fault) (*swarm.Seeder, error) {
	return sw.start(swarm.FromTorrent(tor), f)
}

// start starts a seeder of content with fault f and a fixed peer id.
func (sw *fakeSwarm) start(content swarm.Content, f swarm.Fault) (*swarm.Seeder, error) {
	var id [20]byte
	copy(id[:], fmt.Sprintf("-SW0001-%012d", len(sw.seeders)+1))
	s, err := swarm.Listen(content, swarm.Options{PeerID: id, Fault: f})
	if err != nil {
		return nil, fmt.Errorf("start a %s seeder: %w", f, err)
	}
	sw.seeders = append(sw.seeders, s)
	return s, nil
}

func (sw *fakeSwarm) close() error {
	var errs []error
	for _, s := range sw.seeders {
		errs = append(errs, s.Close())
	}
	sw.tracker.Close()
	return errors.Join(errs...)
}

func (sw *fakeSwarm) path(elem ...string) string {
	return filepath.Join(append([]string{sw.dir}, elem...)...)
}

func (sw *fakeSwarm) write(name string, data []byte) error {
	return os.WriteFile(sw.path(name), data, 0o644)
}

// describe says what a torrent holds, e.g. "1 file of 1000000 bytes, 4
// pieces of 262144".
func describe(tor *torrentfile.Torrent) string {
	files := "1 file"
	if tor.Files != nil {
		files = fmt.Sprintf("%d files", len(tor.Files))
	}
	return fmt.Sprintf("%s, %d bytes in %d pieces of %d", files, tor.Length, tor.NumPieces(), tor.PieceLength)
}
