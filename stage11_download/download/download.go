package download

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"workbook/stage11_download/peer"
	"workbook/stage11_download/torrent"
)

// Options tune Download. The zero value works: every field has a default.
type Options struct {
	// PeerID is our peer ID in every handshake (peer.NewID makes one).
	PeerID [20]byte
	// MaxPeers is how many peers are connected at once (default 16).
	MaxPeers int
	// Pipeline is how many block requests each peer has in flight
	// (default PipelineDepth, stage 10's pipelining).
	Pipeline int
	// StallTimeout drops a peer that gives us nothing we need for this long:
	// it keeps us choked, stops sending blocks or has no piece we need
	// (default 30s). It bounds how long a download can hang on bad peers.
	StallTimeout time.Duration
	// DialTimeout bounds connecting and the handshake (default 10s).
	DialTimeout time.Duration
	// MaxBuffered bounds the memory a download holds: the bytes of the
	// pieces all peers are fetching at once, each in a buffer of the
	// piece's size until it is verified and written (default 64 MiB). A
	// piece bigger than the bound is fetched alone.
	MaxBuffered int64
	// Progress, if set, is called after every verified piece. Calls never
	// overlap.
	Progress func(Progress)
}

// Progress is how far a download is.
type Progress struct {
	Done, Total int64 // bytes verified and written, of all
	Peers       int   // peers connected now
}

// Stats describes a finished download.
type Stats struct {
	Bytes      int64
	Elapsed    time.Duration
	PeersUsed  int // peers that sent at least one verified piece
	PeersTried int
	// MaxBuffered is the most bytes of piece buffers held at once: at most
	// Options.MaxBuffered, or one piece when a piece is bigger.
	MaxBuffered int64
}

// DefaultMaxBuffered is Options.MaxBuffered's default. For the 256 KiB to
// 2 MiB pieces most torrents use it is no limit at all: a worker's 64
// requests in flight span at most 2 pieces of 2 MiB, and 16 workers x 4 MiB
// is 64 MiB. Torrents with bigger pieces are fetched by fewer peers at once
// rather than with more memory.
const DefaultMaxBuffered = 64 << 20

// ErrNoPeers is returned when Download gets no peer address at all.
var ErrNoPeers = errors.New("no peers to download from")

// PeersFailedError is returned when every peer failed before the download
// was complete. Errors holds why, one per peer tried.
type PeersFailedError struct{ Errors []error }

// Unwrap lets errors.Is and errors.As look at each peer's error (for
// example ErrHashMismatch).
func (e *PeersFailedError) Unwrap() []error { return e.Errors }

func (e *PeersFailedError) Error() string {
	const show = 5
	var b strings.Builder
	fmt.Fprintf(&b, "every peer failed (%d tried)", len(e.Errors))
	for i, err := range e.Errors {
		if i == show {
			fmt.Fprintf(&b, "; and %d more", len(e.Errors)-show)
			break
		}
		fmt.Fprintf(&b, "; %v", err)
	}
	return b.String()
}

func (o *Options) setDefaults() {
	if o.MaxPeers <= 0 {
		o.MaxPeers = 16
	}
	if o.Pipeline <= 0 {
		o.Pipeline = PipelineDepth
	}
	if o.StallTimeout <= 0 {
		o.StallTimeout = 30 * time.Second
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = 10 * time.Second
	}
	if o.MaxBuffered <= 0 {
		o.MaxBuffered = DefaultMaxBuffered
	}
}

// Download fetches every piece of m from peers, several at once, and writes
// the torrent to outPath: a file for a single-file torrent, a directory
// holding the files for a multi-file torrent.
//
// Each peer connection gets a worker; the workers share one queue of pieces.
// A piece that fails its SHA-1 check, or that a peer failed to finish, goes
// back to the queue for another peer. Verified pieces are written at their
// offsets into a temporary file (or directory) beside outPath, which is moved
// to outPath only when every piece is verified: outPath never holds a partial
// download. Every goroutine Download starts has ended when it returns.
func Download(ctx context.Context, m *torrent.Metainfo, peers []netip.AddrPort, outPath string, opts Options) (Stats, error) {
	start := time.Now()
	opts.setDefaults()
	if len(peers) == 0 {
		return Stats{}, ErrNoPeers
	}
	store, err := newStorage(&m.Info, outPath)
	if err != nil {
		return Stats{}, err
	}
	committed := false
	defer func() {
		if !committed {
			store.abort()
		}
	}()

	q := newQueue(m.Info.NumPieces(), m.Info.PieceSize, opts.MaxBuffered)
	d := &downloader{m: m, opts: &opts, q: q, store: store}
	if err := d.run(ctx, peers); err != nil {
		return Stats{}, err
	}
	if err := store.commit(); err != nil {
		return Stats{}, err
	}
	committed = true
	return Stats{
		Bytes:       m.Info.Length,
		Elapsed:     time.Since(start),
		PeersUsed:   int(d.used.Load()),
		PeersTried:  int(d.tried.Load()),
		MaxBuffered: q.peak(),
	}, nil
}

// downloader is the state of one Download shared by its workers.
type downloader struct {
	m     *torrent.Metainfo
	opts  *Options
	q     *queue
	store *storage

	connected atomic.Int32 // peers connected now
	tried     atomic.Int32 // peers dialled
	used      atomic.Int32 // peers that delivered a verified piece

	mu    sync.Mutex
	done  int64   // bytes verified, for Progress
	errs  []error // why each failed peer failed
	fatal error   // a failure no peer can fix (our disk)
}

// run connects to up to opts.MaxPeers peers at a time, taking the next
// address whenever a peer fails, until every piece is done or no peer is
// left.
func (d *downloader) run(parent context.Context, peers []netip.AddrPort) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	addrs := make(chan netip.AddrPort, len(peers))
	for _, a := range peers {
		addrs <- a
	}
	close(addrs)

	// Once every piece is done, stop the peers still connecting or
	// waiting: a handshake that hangs must not delay the end.
	var watcher sync.WaitGroup
	watcher.Go(func() {
		select {
		case <-d.q.finished:
			cancel()
		case <-ctx.Done():
		}
	})
	var wg sync.WaitGroup
	for range min(d.opts.MaxPeers, len(peers)) {
		wg.Go(func() {
			for addr := range addrs {
				if ctx.Err() != nil || d.q.complete() {
					return
				}
				if err := d.fetchFrom(ctx, addr); err != nil {
					d.fail(addr, err, cancel)
				}
			}
		})
	}
	wg.Wait()
	cancel()
	watcher.Wait()

	switch {
	case d.q.complete():
		return nil
	case d.fatal != nil:
		return d.fatal
	case parent.Err() != nil:
		return fmt.Errorf("download stopped: %w", parent.Err())
	}
	return &PeersFailedError{Errors: d.errs}
}

// fail records why a peer failed; a disk failure stops the whole download.
func (d *downloader) fail(addr netip.AddrPort, err error, stop context.CancelFunc) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var se storageError
	if errors.As(err, &se) {
		if d.fatal == nil {
			d.fatal = se.err
		}
		stop()
		return
	}
	if d.fatal == nil { // after a disk failure the others only stopped
		d.errs = append(d.errs, fmt.Errorf("%s: %w", addr, err))
	}
}

// reconnectPause is the wait before dialling again a peer that dropped the
// connection after sending good pieces.
const reconnectPause = time.Second

// fetchFrom fetches pieces from one peer. A peer that sent verified pieces
// and then lost the connection (a network error, not bad data, a broken
// rule or a stall) is dialled once more after a pause: real clients close
// connections for reasons of their own (too many peers, idle ones, a
// restart).
func (d *downloader) fetchFrom(ctx context.Context, addr netip.AddrPort) error {
	d.tried.Add(1)
	delivered, err := d.connect(ctx, addr)
	if err != nil && delivered > 0 && worthRetrying(err) {
		pause := time.NewTimer(reconnectPause)
		defer pause.Stop()
		select {
		case <-ctx.Done():
			return err
		case <-pause.C:
		}
		var more int
		more, err = d.connect(ctx, addr)
		delivered += more
	}
	if delivered > 0 {
		d.used.Add(1)
	}
	return err
}

// worthRetrying reports whether err may be the network's fault rather than
// the peer's (or ours).
func worthRetrying(err error) bool {
	var disk storageError
	return !errors.Is(err, ErrProtocol) && !errors.Is(err, ErrHashMismatch) &&
		!errors.Is(err, ErrStalled) && !errors.As(err, &disk) &&
		!errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// connect dials addr and runs a worker on the connection until it ends. It
// returns how many verified pieces the peer sent.
func (d *downloader) connect(ctx context.Context, addr netip.AddrPort) (int, error) {
	dialCtx, cancel := context.WithTimeout(ctx, d.opts.DialTimeout)
	conn, err := peer.Dial(dialCtx, addr.String(), d.m.InfoHash, d.opts.PeerID)
	cancel()
	if err != nil {
		return 0, err
	}
	d.connected.Add(1)
	defer d.connected.Add(-1)
	w := newWorker(conn, &d.m.Info, d.q, d.store, d.opts, d.progress)
	err = w.run(ctx)
	return w.delivered, err
}

// progress counts a verified piece and reports it; the lock keeps the calls
// to opts.Progress from overlapping.
func (d *downloader) progress(n int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.done += n
	if d.opts.Progress != nil {
		d.opts.Progress(Progress{Done: d.done, Total: d.m.Info.Length, Peers: int(d.connected.Load())})
	}
}
