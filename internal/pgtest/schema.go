package pgtest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
)

// Schema returns a database URL of STEMMASTER_TEST_POSTGRES whose
// search_path is a fresh schema, dropped when the test ends, so tests on
// the same database never see each other's rows (every process opened on
// the URL shares the schema); "" when the variable is unset.
func Schema(t testing.TB) string {
	t.Helper()
	base := os.Getenv("STEMMASTER_TEST_POSTGRES")
	if base == "" {
		return ""
	}
	var b [4]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		db.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Exec("DROP SCHEMA " + schema + " CASCADE")
		db.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
