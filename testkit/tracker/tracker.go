// Package faketracker is a fake HTTP BitTorrent tracker (BEP 3) for tests.
// It listens on 127.0.0.1 (httptest), checks every announce it receives
// against what the test expects (info_hash as 20 raw bytes, peer_id, port,
// uploaded, downloaded, left, compact=1 and any query the announce URL
// already carried; a magnet-link client, which cannot know left yet, may
// send any positive placeholder when the test sets Expect.UnknownLeft) and answers in the way the test chose: compact peers
// (BEP 23), dictionary peers, peers6 (BEP 7), a failure reason, a warning,
// or one of the faults a real tracker can show (HTTP 500, a body that is not
// bencode, no answer at all, an oversized body, a broken peers string).
//
// Import it as:
//
//	import faketracker "workbook/testkit/tracker"
//
// One Tracker serves any number of torrents (Add), each with its own
// expectations and answer, which a test may change while it runs (a download
// test adds seeders as they start). Every request is logged (Requests).
package faketracker

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackpal/bencode-go"
)

// DefaultPath is the path of the announce URL unless Config.Path says otherwise.
const DefaultPath = "/announce"

// Config sets up a Tracker. The zero value is a tracker at
// http://127.0.0.1:<port>/announce that reports problems to nobody.
type Config struct {
	// Path of the announce URL ("" means DefaultPath).
	Path string
	// Query is a query the announce URL already carries, such as
	// "passkey=xyz" on a private tracker. Every announce must keep it.
	Query string
	// Report receives one message per problem found in an announce (a
	// wrong parameter, an unknown info hash). New sets it to t.Errorf so a
	// bad request fails the test. The announcing client also gets the
	// problem back as a `failure reason`.
	Report func(problem string)
}

// Tracker is a running fake tracker. Its methods are safe for concurrent use.
type Tracker struct {
	cfg     Config
	srv     *httptest.Server
	closing chan struct{} // closed by Close: releases handlers that hang
	once    sync.Once

	mu       sync.Mutex
	torrents map[[20]byte]*Swarm
	requests []Request
}

// New starts a tracker for a test: problems in announces fail the test
// (t.Errorf, unless cfg.Report is set) and the tracker stops when the test
// ends.
func New(t testing.TB, cfg Config) *Tracker {
	t.Helper()
	if cfg.Report == nil {
		cfg.Report = func(problem string) { t.Errorf("fake tracker: %s", problem) }
	}
	tr, err := Start(cfg)
	if err != nil {
		t.Fatalf("starting the fake tracker: %v", err)
	}
	t.Cleanup(tr.Close)
	return tr
}

// Start starts a tracker outside a test (the demo uses it). Call Close when
// done.
func Start(cfg Config) (*Tracker, error) {
	if cfg.Path == "" {
		cfg.Path = DefaultPath
	}
	if _, err := url.ParseQuery(cfg.Query); err != nil {
		return nil, fmt.Errorf("config query %q: %w", cfg.Query, err)
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen on 127.0.0.1: %w", err)
	}
	tr := &Tracker{
		cfg:      cfg,
		closing:  make(chan struct{}),
		torrents: make(map[[20]byte]*Swarm),
	}
	tr.srv = &httptest.Server{
		Listener: ln,
		Config:   &http.Server{Handler: http.HandlerFunc(tr.serve), ReadHeaderTimeout: 10 * time.Second},
	}
	tr.srv.Start()
	return tr, nil
}

// URL is the announce URL to put in a torrent, query included.
func (tr *Tracker) URL() string {
	u := tr.srv.URL + tr.cfg.Path
	if tr.cfg.Query != "" {
		u += "?" + tr.cfg.Query
	}
	return u
}

// Addr is the tracker's host:port.
func (tr *Tracker) Addr() string { return tr.srv.Listener.Addr().String() }

// Close stops the tracker. Handlers that hang (the Hang reply) return first,
// so Close never blocks on them. Calling Close again does nothing.
func (tr *Tracker) Close() {
	tr.once.Do(func() {
		close(tr.closing)
		tr.srv.Close()
	})
}

// Add registers a torrent by info hash: announces for it must match want,
// and get answer. Adding the same info hash again replaces both.
func (tr *Tracker) Add(infoHash [20]byte, want Expect, answer Answer) *Swarm {
	s := &Swarm{infoHash: infoHash, want: want, answer: answer}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.torrents[infoHash] = s
	return s
}

// Requests returns every announce the tracker received so far, in order,
// for any torrent (including ones it rejected).
func (tr *Tracker) Requests() []Request {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]Request(nil), tr.requests...)
}

// ClosedURL returns an announce URL on 127.0.0.1 where nothing listens
// (connection refused): a dead tracker for BEP 12 tier tests.
func ClosedURL(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on 127.0.0.1: %v", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatalf("close listener: %v", err)
	}
	return "http://" + addr + DefaultPath
}

// Swarm is one torrent on the tracker: what its announces must carry and
// how the tracker answers them.
type Swarm struct {
	infoHash [20]byte

	mu       sync.Mutex
	want     Expect
	answer   Answer
	requests []Request
}

// SetAnswer changes how the tracker answers the next announces.
func (s *Swarm) SetAnswer(a Answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answer = a
}

// SetPeers changes only the peer list of the answer.
func (s *Swarm) SetPeers(peers ...Peer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answer.Peers = append([]Peer(nil), peers...)
}

// SetExpect changes what the next announces must carry.
func (s *Swarm) SetExpect(want Expect) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.want = want
}

// Requests returns the announces received for this torrent so far.
func (s *Swarm) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func (s *Swarm) snapshot() (Expect, Answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.answer
	a.Peers = append([]Peer(nil), a.Peers...)
	return s.want, a
}

func (s *Swarm) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
}

// serve handles one announce: parse and check the query, log it, answer.
func (tr *Tracker) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != tr.cfg.Path {
		tr.report(fmt.Sprintf("request for path %q, the announce URL's path is %q", r.URL.Path, tr.cfg.Path))
		http.NotFound(w, r)
		return
	}
	req := parseRequest(r)
	if r.Method != http.MethodGet {
		req.Problems = append(req.Problems, fmt.Sprintf("method %s, an announce is an HTTP GET", r.Method))
	}
	req.Problems = append(req.Problems, tr.checkKeptQuery(r.URL.RawQuery)...)

	tr.mu.Lock()
	swarm := tr.torrents[req.InfoHash]
	tr.mu.Unlock()
	if swarm == nil && len(req.Problems) == 0 {
		req.Problems = append(req.Problems, fmt.Sprintf("unknown info_hash %x: the test did not Add this torrent (is the info hash computed from the raw info dict bytes?)", req.InfoHash))
	}
	var want Expect
	var answer Answer
	if swarm != nil {
		want, answer = swarm.snapshot()
		if len(req.Problems) == 0 {
			req.Problems = append(req.Problems, want.check(req)...)
		}
	}

	tr.mu.Lock()
	tr.requests = append(tr.requests, req)
	tr.mu.Unlock()
	if swarm != nil {
		swarm.record(req)
	}
	for _, p := range req.Problems {
		tr.report(p)
	}
	if len(req.Problems) > 0 {
		writeBencode(w, map[string]any{"failure reason": "fake tracker: " + strings.Join(req.Problems, "; ")})
		return
	}
	tr.answer(w, r, answer)
}

func (tr *Tracker) report(problem string) {
	if tr.cfg.Report != nil {
		tr.cfg.Report(problem)
	}
}

// checkKeptQuery checks that every parameter of Config.Query came back
// unchanged: a client that rebuilds the URL from scratch loses a private
// tracker's passkey.
func (tr *Tracker) checkKeptQuery(rawQuery string) []string {
	if tr.cfg.Query == "" {
		return nil
	}
	want, _ := url.ParseQuery(tr.cfg.Query) // checked by Start
	got, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil // parseRequest already reported the broken query
	}
	var problems []string
	for key, values := range want {
		if fmt.Sprint(got[key]) != fmt.Sprint(values) {
			problems = append(problems, fmt.Sprintf("%s=%q, want %q: keep the query the announce URL already has (%q) and add the announce parameters after it with &", key, got[key], values, tr.cfg.Query))
		}
	}
	return problems
}

// writeBencode writes v as a 200 bencoded body.
func writeBencode(w http.ResponseWriter, v any) {
	var buf bytes.Buffer
	if err := bencode.Marshal(&buf, v); err != nil {
		http.Error(w, "fake tracker: encode: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write(buf.Bytes()) // a client that hung up is not our problem
}

// looksHex reports whether s is 40 hex digits: an info hash sent as text.
func looksHex(s string) bool {
	if len(s) != 40 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
