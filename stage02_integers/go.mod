module workbook/stage02_integers

go 1.25.0

require workbook/testkit v0.0.0

// The tests share fixtures, fake trackers and fake peers from testkit; the
// replace lets this stage build on its own too (GOWORK=off).
replace workbook/testkit => ../testkit
