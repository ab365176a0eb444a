package telegram

import (
	"testing"

	"github.com/otklik/otklik/store/storetest"
)

// TestMain runs the package's tests on SQLite and, when OTKLIK_TEST_POSTGRES
// is set, again on PostgreSQL.
func TestMain(m *testing.M) { storetest.Main(m) }
