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
// The seeders speak the extension protocol (BEP 10) and serve the metadata
// (BEP 9) of a Content with Info (FromTorrent sets it): they set the
// extension bit, send a client that set it too an extension handshake
// (ut_metadata DefaultUTMetadataID or Options.UTMetadataID, metadata_size
// the true size or Options.MetadataSize), and answer metadata requests with
// 16 KiB pieces, sent with the ut_metadata id the client chose. They record
// the client's reserved bytes (Handshakes), its extension handshake
// (ExtensionHandshakes) and the pieces it requested (MetadataRequests).
// ExtensionFaults and MetadataFaults lie about each; MetadataContent serves
// any info dictionary, hostile ones included, under its own hash:
//
//	s := swarm.Start(t, swarm.FromTorrent(tor), swarm.Options{Fault: swarm.MetadataWrongBytes})
//
// Start closes the seeder when the test ends; Listen is the same without a
// test (the demo command uses it). Close stops every goroutine a seeder
// started, so tests can check for leaks with goleak.
//
// What a seeder received is recorded (Handshakes, Requests, Cancels,
// Violations, ...). Close it before reading the records when the client may
// still be talking: after Close they are final.
//
// Specifications: https://www.bittorrent.org/beps/bep_0003.html,
// https://www.bittorrent.org/beps/bep_0010.html and
// https://www.bittorrent.org/beps/bep_0009.html
package swarm
