package jobs

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"stemmaster/store"
)

// MigratePostgres applies River's migrations to a PostgreSQL database,
// serialised with other processes migrating at the same time; applying
// them twice does nothing.
func MigratePostgres(ctx context.Context, url string) error {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return fmt.Errorf("jobs: open queue database: %w", store.RedactURLError(err))
	}
	defer pool.Close()
	lockDB := stdlib.OpenDBFromPool(pool)
	defer lockDB.Close()
	unlock, err := store.AdvisoryLock(ctx, lockDB, "stemmaster-river-migrate")
	if err != nil {
		return fmt.Errorf("jobs: river migrations: %w", err)
	}
	defer unlock()
	return migrate(ctx, riverpgxv5.New(pool))
}

// MigrateSQLite applies River's migrations to the queue's SQLite file.
func MigrateSQLite(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", store.SQLiteDSN(path))
	if err != nil {
		return fmt.Errorf("jobs: open queue database: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	return migrate(ctx, riversqlite.New(db))
}

func migrateUnless[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], skip bool) error {
	if skip {
		return nil
	}
	return migrate(ctx, driver)
}
