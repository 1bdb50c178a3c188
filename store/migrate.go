package store

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// OpenSQLNoMigrate opens the metadata database without applying
// migrations, for processes started with --no-migrate after a separate
// `stemmaster migrate`; it fails when the schema is older than this
// binary's, naming the command that brings it up to date.
func OpenSQLNoMigrate(ctx context.Context, url string) (*SQL, error) {
	s, err := openSQL(ctx, url, false)
	if err != nil {
		return nil, err
	}
	if err := s.SchemaCurrent(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Migrate applies pending migrations; applying them twice does nothing.
func (s *SQL) Migrate(ctx context.Context) error { return s.migrate(ctx) }

// SchemaCurrent reports an error when a migration embedded in this binary
// is not applied to the database.
func (s *SQL) SchemaCurrent(ctx context.Context) error {
	want, err := s.latestMigration()
	if err != nil {
		return err
	}
	var have int
	err = s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM stemmaster_migrations`).Scan(&have)
	if err != nil {
		have = 0
	}
	if have < want {
		return fmt.Errorf("store: the %s schema is at version %d, this binary needs %d: run `stemmaster migrate`", s.dialect, have, want)
	}
	return nil
}

// latestMigration is the highest migration version embedded for the
// dialect.
func (s *SQL) latestMigration() (int, error) {
	entries, err := fs.ReadDir(migrations, path.Join("migrations", string(s.dialect)))
	if err != nil {
		return 0, err
	}
	latest := 0
	for _, e := range entries {
		v, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
		if err != nil {
			return 0, fmt.Errorf("store: migration %s: name must start with a number", e.Name())
		}
		latest = max(latest, v)
	}
	return latest, nil
}
