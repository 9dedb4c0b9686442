package download

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"workbook/stage19_magnet_download/peer"
	"workbook/stage19_magnet_download/torrent"
)

// Progress is how far a download is.
type Progress struct {
	Done, Total int64 // bytes verified and written, of all
	Peers       int   // peers connected now
}

// Stats describes a finished download.
type Stats struct {
	Bytes                 int64
	Elapsed               time.Duration
	PeersUsed, PeersTried int   // peers that sent a verified piece, of those dialled
	PeakBuffered          int64 // most bytes of piece buffers held at once: <= MaxBuffered, or one piece
}

// Download fetches every piece of m from peers, several at once, and writes
// the torrent to outPath: a file, or a directory for a multi-file torrent.
// outPath gets the download only when every piece is verified. Every
// goroutine Download starts has ended when it returns.
func Download(ctx context.Context, m *torrent.Metainfo, peers []netip.AddrPort, outPath string, opts Options) (Stats, error) {
	start := time.Now()
	if len(peers) == 0 {
		return Stats{}, ErrNoPeers
	}
	store, err := newStorage(&m.Info, outPath)
	if err != nil {
		return Stats{}, err
	}
	defer store.abort() // after commit: at most the empty temporary directory
	q := newQueue(m.Info.NumPieces(), m.Info.PieceSize, cmp.Or(opts.MaxBuffered, 64<<20))
	d := &downloader{m: m, opts: &opts, q: q, store: store}
	if err := d.run(ctx, peers); err != nil {
		return Stats{}, err
	}
	if err := store.commit(); err != nil {
		return Stats{}, err
	}
	return Stats{Bytes: m.Info.Length, Elapsed: time.Since(start), PeersUsed: int(d.used.Load()),
		PeersTried: int(d.tried.Load()), PeakBuffered: q.peakBuffered}, nil
}

// downloader is the state of one Download shared by its workers.
type downloader struct {
	m     *torrent.Metainfo
	opts  *Options
	q     *queue
	store *storage
	stop  context.CancelFunc // ends every worker and dial

	connected, tried, used atomic.Int32 // peers connected now, dialled, that sent a verified piece

	mu    sync.Mutex
	done  int64   // bytes verified, for Progress
	errs  []error // why each failed peer failed
	fatal error   // a failure no peer can fix (our disk)
}

// run works with up to opts.MaxPeers peers at a time, taking the next
// address whenever one fails, until every piece is done or no peer is left.
func (d *downloader) run(parent context.Context, peers []netip.AddrPort) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	d.stop = cancel
	addrs := make(chan netip.AddrPort, len(peers))
	for _, a := range peers {
		addrs <- a
	}
	close(addrs)
	var wg sync.WaitGroup
	for range min(cmp.Or(d.opts.MaxPeers, 16), len(peers)) {
		wg.Go(func() {
			for addr := range addrs {
				if ctx.Err() != nil || d.q.complete() {
					return
				}
				if err := d.fetchFrom(ctx, addr); err != nil {
					d.fail(addr, err)
				}
			}
		})
	}
	wg.Wait()
	switch {
	case d.q.complete():
		return nil
	case d.fatal != nil:
		return d.fatal
	case parent.Err() != nil:
		return fmt.Errorf("download stopped: %w", parent.Err())
	}
	return &PeersError{Errors: d.errs}
}

// fail records why a peer failed, unless the download is complete or our
// disk failed: then the others only stopped.
func (d *downloader) fail(addr netip.AddrPort, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fatal != nil || d.q.complete() {
		return
	}
	d.errs = append(d.errs, fmt.Errorf("%s: %w", addr, err))
	if d.opts.Log != nil {
		fmt.Fprintf(d.opts.Log, "peer %v: %v\n", addr, err)
	}
}

// diskFailed stops the whole download: no peer can fix our own disk.
func (d *downloader) diskFailed(err error) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fatal == nil {
		d.fatal = err
		d.stop()
	}
	return err
}

// fetchFrom fetches pieces from one peer. One that delivered and then lost
// the connection (not bad data, a broken rule or a stall) is dialled once
// more a second later: real clients close connections for their own reasons.
func (d *downloader) fetchFrom(ctx context.Context, addr netip.AddrPort) error {
	d.tried.Add(1)
	delivered, err := d.connect(ctx, addr)
	if delivered == 0 {
		return err
	}
	d.used.Add(1)
	// A disk failure or Ctrl-C has cancelled ctx: no retry either.
	if err != nil && !errors.Is(err, ErrProtocol) && !errors.Is(err, ErrHashMismatch) && !errors.Is(err, ErrStalled) {
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
			_, err = d.connect(ctx, addr)
		}
	}
	return err
}

// connect returns how many verified pieces the peer sent.
func (d *downloader) connect(ctx context.Context, addr netip.AddrPort) (int, error) {
	conn, err := peer.Dial(ctx, addr.String(), d.m.InfoHash, d.opts.PeerID, d.opts.Timeouts)
	if err != nil {
		return 0, err
	}
	d.connected.Add(1)
	defer d.connected.Add(-1)
	w := newWorker(conn, d)
	err = w.run(ctx)
	return w.delivered, err
}

// progress counts a verified piece and reports it, one call at a time; after
// the last piece it stops the peers still connecting or waiting.
func (d *downloader) progress(n int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.done += n
	if d.opts.Progress != nil {
		d.opts.Progress(Progress{Done: d.done, Total: d.m.Info.Length, Peers: int(d.connected.Load())})
	}
	if d.q.complete() {
		d.stop()
	}
}
