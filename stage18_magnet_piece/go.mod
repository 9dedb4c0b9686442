module workbook/stage18_magnet_piece

go 1.25.0

require (
	github.com/jackpal/bencode-go v1.0.2
	github.com/schollz/progressbar/v3 v3.19.0
	github.com/stretchr/testify v1.11.1
	go.uber.org/goleak v1.3.0
	golang.org/x/term v0.28.0
	workbook/testkit v0.0.0
)

require (
	github.com/davecgh/go-spew v1.1.1 // indirect
	github.com/mitchellh/colorstring v0.0.0-20190213212951-d06e56a500db // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	github.com/rivo/uniseg v0.4.7 // indirect
	golang.org/x/sys v0.29.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

// The tests share fixtures, fake trackers and fake peers from testkit; the
// replace lets this stage build on its own too (GOWORK=off).
replace workbook/testkit => ../testkit
