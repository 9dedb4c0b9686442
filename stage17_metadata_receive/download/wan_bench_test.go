package download_test

import (
	"context"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"workbook/stage17_metadata_receive/download"
	"workbook/stage17_metadata_receive/torrent"
	"workbook/testkit/swarm"
	"workbook/testkit/torrentfile"
)

var (
	wanMiB      = flag.Int64("wan.mib", 128, "BenchmarkDownloadWAN: MiB to download")
	wanMinDelay = flag.Duration("wan.min-delay", 50*time.Millisecond, "BenchmarkDownloadWAN: one-way delay of the nearest seeder")
	wanMaxDelay = flag.Duration("wan.max-delay", 300*time.Millisecond, "BenchmarkDownloadWAN: one-way delay of the farthest seeder")
)

// wanRates pairs the seeders, nearest first, with their upload rates in
// Mbit/s: 5 to 40 in steps of 35/11, shuffled so that near and far peers
// are both slow and fast (the farthest is the fastest).
var wanRates = [12]int{6, 0, 9, 3, 10, 1, 7, 4, 2, 8, 5, 11}

// BenchmarkDownloadWAN downloads from an emulated wide-area swarm: 12 fake
// seeders, one-way delays from 50 to 300 ms (round trips of 100 to 600 ms)
// with 10 % jitter, upload rates from 5 to 40 Mbit/s. No client can beat
// the payload over the sum of the seeders' rates; x-limit is the wall time
// as a multiple of that limit. "far" is that swarm; "nodelay", run first,
// has the same rates and no delay: what this machine can do at all (the
// seeders pace themselves with timers, which a busy machine wakes late),
// and it takes the first run's extra costs off "far". The gap between the
// two is what distance costs: a far, fast seeder needs more requests in
// flight than the session's fixed depth (its bandwidth-delay product).
// A shell loop interleaves runs:
//
//	for i in 1 2 3; do go test -run '^$' -bench DownloadWAN -benchtime 1x ./download/; done
//	go test -run '^$' -bench DownloadWAN -benchtime 1x ./download/ -args -wan.mib 32 -wan.max-delay 150ms
func BenchmarkDownloadWAN(b *testing.B) {
	size := *wanMiB << 20
	tor := torrentfile.MustBuild(b, torrentfile.Options{Seed: 12, Name: "wan.bin", Length: size, PieceLength: 256 << 10})
	content := swarm.FromTorrent(tor)
	far, sum := wanSeeders(b, content, true)
	near, _ := wanSeeders(b, content, false)
	limit := float64(size) / sum
	m := parseBench(b, tor)
	dir := b.TempDir()
	for _, sw := range []struct {
		name  string
		peers []netip.AddrPort
	}{{"nodelay", near}, {"far", far}} {
		for _, engine := range []struct {
			name  string
			depth int
		}{{"fixed", download.PipelineDepth}, {"adaptive", 0}} {
			b.Run(sw.name+"/"+engine.name, func(b *testing.B) {
				benchWAN(b, m, sw.peers, filepath.Join(dir, "out"), download.Options{FixedDepth: engine.depth}, limit)
			})
		}
	}
}

// benchWAN downloads to out b.N times and reports the mean wall time as a
// multiple of limit, and the peak heap.
func benchWAN(b *testing.B, m *torrent.Metainfo, peers []netip.AddrPort, out string, opts download.Options, limit float64) {
	b.SetBytes(m.Info.Length)
	var peak uint64
	var total time.Duration
	for b.Loop() {
		stop := samplePeakHeap(&peak)
		stats, err := download.Download(context.Background(), m, peers, out, opts)
		stop()
		if err != nil {
			b.Fatal(err)
		}
		total += stats.Elapsed
		os.Remove(out)
	}
	b.ReportMetric(total.Seconds()/float64(b.N)/limit, "x-limit")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// wanSeeders starts the 12 seeders of the profile, far away or with their
// rates only, and returns their addresses and the sum of their rates in
// bytes per second.
func wanSeeders(b *testing.B, content swarm.Content, far bool) ([]netip.AddrPort, float64) {
	var peers []netip.AddrPort
	var sum float64
	for i, r := range wanRates {
		var delay time.Duration
		if far {
			delay = *wanMinDelay + (*wanMaxDelay-*wanMinDelay)*time.Duration(i)/time.Duration(len(wanRates)-1)
		}
		rate := (5 + 35*float64(r)/11) * 1e6 / 8
		s, err := swarm.Listen(content, swarm.Options{Link: swarm.Link{
			Delay: delay, Jitter: delay / 10, Rate: int64(rate), Seed: uint64(i)}})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		peers = append(peers, s.AddrPort())
		sum += rate
	}
	return peers, sum
}
