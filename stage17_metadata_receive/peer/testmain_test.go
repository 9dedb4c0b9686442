package peer_test

import (
	"testing"

	"workbook/testkit/cli"
)

func TestMain(m *testing.M) { cli.UnitTestMain(m) }
