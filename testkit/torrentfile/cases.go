package torrentfile

// Case is a named, valid torrent for table-driven tests.
type Case struct {
	Name    string
	Options Options
}

// Cases returns the valid torrents the metainfo stages test every parser
// feature with: piece-boundary edges, single and multi-file layouts, tracker
// URL forms, extra info keys, and info keys out of order.
func Cases() []Case {
	const tracker2 = "http://127.0.0.1:6970/announce"
	return []Case{
		{"single file, short last piece", Options{Seed: 1, Name: "sample.txt", Length: 92063, PieceLength: 16384}},
		{"single file, exact pieces", Options{Seed: 2, Length: 4 * 32768, PieceLength: 32768}},
		{"single file, one byte past a piece boundary", Options{Seed: 3, Length: 32769, PieceLength: 32768}},
		{"single file, one byte", Options{Seed: 4, Length: 1}},
		{"single file, one piece bigger than the file", Options{Seed: 5, Length: 1000, PieceLength: 1 << 20}},
		{"multi-file, nested paths and an empty file", Options{Seed: 6, Name: "album", PieceLength: 32768, Files: []FileSpec{
			{Path: []string{"README.txt"}, Length: 1200},
			{Path: []string{"disc 1", "01 intro.flac"}, Length: 70000},
			{Path: []string{"disc 2", "empty.cue"}, Length: 0},
			{Path: []string{"disc 2", "art", "cover.jpg"}, Length: 12345},
		}}},
		{"multi-file, small files inside one piece", Options{Seed: 7, PieceLength: 16384, Files: []FileSpec{
			{Path: []string{"a"}, Length: 100}, {Path: []string{"b", "c"}, Length: 0}, {Path: []string{"d"}, Length: 30000},
		}}},
		{"multi-file, one file", Options{Seed: 8, Files: []FileSpec{{Path: []string{"only"}, Length: 5}}}},
		{"announce with a passkey query", Options{Seed: 9, Length: 5000,
			Announce: "http://127.0.0.1:6969/announce?passkey=0123456789abcdef"}},
		{"announce-list tiers (BEP 12)", Options{Seed: 10, Length: 5000, AnnounceList: [][]string{
			{DefaultAnnounce}, {tracker2, "udp://127.0.0.1:6971"}}}},
		{"announce-list only, no announce (BEP 12)", Options{Seed: 14, Length: 5000, NoAnnounce: true, AnnounceList: [][]string{
			{tracker2}, {DefaultAnnounce}}}},
		{"extra info keys private and source", Options{Seed: 11, Length: 5000, Private: true, Source: "workbook"}},
		{"info keys out of order", Options{Seed: 12, Length: 5000, Private: true, UnsortedInfo: true}},
		{"comment outside info", Options{Seed: 13, Length: 5000, Comment: "made by a test"}},
	}
}
