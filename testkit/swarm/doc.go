// Package swarm runs fake BitTorrent peers on 127.0.0.1 for tests: seeders
// that serve real content over the peer wire protocol (BEP 3), each with an
// optional fault that makes it misbehave the way real peers do.
//
// The fake peers are written from the protocol, not from the workbook's own
// code, so a bug in a stage cannot hide itself by being on both ends of the
// connection.
//
// A typical test:
//
//	content := swarm.NewContent(infoHash, pieceLength, data)
//	honest := swarm.Start(t, content, swarm.Options{})
//	corrupt := swarm.Start(t, content, swarm.Options{Fault: swarm.CorruptBlock})
//	// point the client at honest.Addr() and corrupt.Addr() ...
//
// Options.Link puts a seeder far away, the way peers on the internet are: a
// delay each way (with jitter), an upload rate and losses, all done in the
// seeder with seeded randomness, so a wide-area swarm runs on loopback:
//
//	far := swarm.Start(t, content, swarm.Options{Link: swarm.Link{
//		Delay: 150 * time.Millisecond, Rate: 5 << 20, Seed: 1}})
//
// Start closes the seeder when the test ends; Listen is the same without a
// test (the demo command uses it). Close stops every goroutine a seeder
// started, so tests can check for leaks with goleak.
//
// What a seeder received is recorded (Handshakes, Requests, Cancels,
// Violations, ...). Close it before reading the records when the client may
// still be talking: after Close they are final.
//
// Specification: https://www.bittorrent.org/beps/bep_0003.html
package swarm
