package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestMigrate runs migrate twice on a fresh data directory (the second run
// changes nothing), and shows that serve --no-migrate refuses a database
// that was never migrated, naming the command to run.
func TestMigrate(t *testing.T) {
	data := t.TempDir()
	for i := 0; i < 2; i++ {
		var out, errb bytes.Buffer
		if code := run([]string{"migrate", "--data", data}, &out, &errb); code != exitOK {
			t.Fatalf("migrate run %d: exit %d: %s", i+1, code, errb.String())
		}
		if !strings.Contains(errb.String(), "migrated") {
			t.Errorf("migrate says %q", errb.String())
		}
	}
	fresh := t.TempDir()
	var out, errb bytes.Buffer
	code := run([]string{"serve", "--addr", "127.0.0.1:0", "--data", fresh, "--db", "sqlite:" + filepath.Join(fresh, "m.sqlite"), "--no-migrate"}, &out, &errb)
	if code != exitInputError || !strings.Contains(errb.String(), "stemmaster migrate") {
		t.Errorf("serve --no-migrate on a fresh database: exit %d, %q; want 1 naming `stemmaster migrate`", code, errb.String())
	}
}
