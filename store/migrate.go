package store

import (
	"cmp"
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// OpenSQLNoMigrate opens the metadata database without applying
// migrations, for processes started with --no-migrate after a separate
// `stemmaster migrate`; it fails when the schema is older than this
// binary's, naming the command that brings it up to date.
func OpenSQLNoMigrate(ctx context.Context, url string) (*SQL, error) {
	s, err := openSQL(ctx, url, false, (*SQL).Clock)
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

// latestMigration is the highest migration version embedded.
func (s *SQL) latestMigration() (int, error) {
	list, err := readMigrations(s.dialect)
	if err != nil || len(list) == 0 {
		return 0, err
	}
	return list[len(list)-1].version, nil
}

// The migrations are written once for both dialects: a placeholder stands
// for each column type whose name differs, and columnTypes fills in the
// dialect's. The text each dialect runs never changes once released
// (databases have run it); TestMigrationsAsReleased holds it to that.
//
//go:embed migrations/*.sql
var migrations embed.FS

// columnTypes names the dialect's column types in a migration.
var columnTypes = map[Dialect]*strings.Replacer{
	Postgres: strings.NewReplacer("{{dialect}}", "PostgreSQL", "{{bytes}}", "BYTEA", "{{int64}}", "BIGINT", "{{float64}}", "DOUBLE PRECISION"),
	SQLite:   strings.NewReplacer("{{dialect}}", "SQLite", "{{bytes}}", "BLOB", "{{int64}}", "INTEGER", "{{float64}}", "REAL"),
}

// migration is one embedded migration in a dialect's text.
type migration struct {
	name    string // file name, "001_init.sql"
	version int    // the number the name starts with
	body    string
}

// readMigrations returns the embedded migrations in d's text, by version.
func readMigrations(d Dialect) ([]migration, error) {
	types, ok := columnTypes[d]
	if !ok {
		return nil, fmt.Errorf("store: no migrations for dialect %q", d)
	}
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	var list []migration
	for _, e := range entries {
		version, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("store: migration %s: name must start with a number", e.Name())
		}
		body, err := migrations.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		list = append(list, migration{e.Name(), version, types.Replace(string(body))})
	}
	slices.SortFunc(list, func(a, b migration) int { return cmp.Compare(a.version, b.version) })
	return list, nil
}

// migrate applies, in order, every embedded migration not yet recorded in
// stemmaster_migrations.
func (s *SQL) migrate(ctx context.Context) error {
	if s.dialect == Postgres {
		// Several processes (a web front end, workers) may start at once:
		// one migrates, the others wait and then find nothing to do.
		unlock, err := AdvisoryLock(ctx, s.db, "stemmaster-migrate")
		if err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		defer unlock()
	}
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS stemmaster_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	list, err := readMigrations(s.dialect)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	for _, m := range list {
		if err := s.apply(ctx, m.version, m.body); err != nil {
			return fmt.Errorf("store: migration %s: %w", m.name, err)
		}
	}
	return nil
}

func (s *SQL) apply(ctx context.Context, version int, body string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM stemmaster_migrations WHERE version = ?`), version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	for _, stmt := range strings.Split(body, ";") {
		if strings.TrimSpace(stripComments(stmt)) == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO stemmaster_migrations (version, applied_at) VALUES (?, ?)`), version, ms(s.Now())); err != nil {
		return err
	}
	return tx.Commit()
}

func stripComments(stmt string) string {
	var b strings.Builder
	for _, line := range strings.Split(stmt, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}
