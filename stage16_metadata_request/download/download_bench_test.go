package download_test

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"workbook/stage16_metadata_request/download"
	"workbook/stage16_metadata_request/torrent"
	"workbook/testkit/swarm"
	"workbook/testkit/torrentfile"
)

// BenchmarkDownload downloads a 256 MiB generated file from 3 in-process
// fake seeders on loopback, the way the download command does (temporary
// file, fsync, rename). It reports MB/s (b.SetBytes) and the peak Go heap
// seen during the download: the memory bound of the lesson, pieces in flight
// rather than the file size. The heap includes the in-process seeders' own
// buffers, so the client's share is lower still.
//
//	go test -run '^$' -bench 'Download$' -benchtime 3x ./download/
func BenchmarkDownload(b *testing.B) {
	const size = 256 << 20
	tor := torrentfile.MustBuild(b, torrentfile.Options{Seed: 256, Name: "bench.bin", Length: size, PieceLength: 256 << 10})
	content := swarm.FromTorrent(tor)
	var peers []netip.AddrPort
	for range 3 {
		s, err := swarm.Listen(content, swarm.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		peers = append(peers, s.AddrPort())
	}
	m := parseBench(b, tor)
	dir := b.TempDir()

	b.SetBytes(size)
	var peak uint64
	b.ResetTimer()
	for i := range b.N {
		out := filepath.Join(dir, "out")
		stop := samplePeakHeap(&peak)
		_, err := download.Download(context.Background(), m, peers, out, download.Options{})
		stop()
		if err != nil {
			b.Fatalf("download %d: %v", i, err)
		}
		b.StopTimer()
		os.Remove(out)
		b.StartTimer()
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

func parseBench(b *testing.B, tor *torrentfile.Torrent) *torrent.Metainfo {
	b.Helper()
	m, err := torrent.Parse(tor.Bytes)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// samplePeakHeap records the largest live heap seen until stop is called.
// runtime/metrics reads it without stopping the world.
func samplePeakHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			*peak = max(*peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() { close(done); wg.Wait() }
}
