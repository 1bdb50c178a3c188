package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"stemmaster/jobs"
	"stemmaster/store"
)

func newMigrateCmd() *cobra.Command {
	var data, db, blobs string
	cmd := newCommand("migrate", cobra.NoArgs, func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		dbURL := db
		if dbURL == "" {
			dbURL = "sqlite:" + filepath.Join(data, "stemmaster.sqlite")
		}
		if !isPostgres(db) {
			if err := mkdirAll(data); err != nil {
				return inputError(err)
			}
		}
		meta, err := store.OpenSQL(ctx, dbURL)
		if err != nil {
			return inputError(store.RedactURLError(err))
		}
		meta.Close()
		if isPostgres(db) {
			err = jobs.MigratePostgres(ctx, db)
		} else {
			err = jobs.MigrateSQLite(ctx, filepath.Join(data, "river.sqlite"))
		}
		if err != nil {
			return inputError(store.RedactURLError(err))
		}
		if blobs != "" {
			if err := store.EnsureBucket(ctx, blobs); err != nil {
				return inputError(err)
			}
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "stemmaster: %s migrated\n", store.RedactURL(dbURL))
		return nil
	})
	f := cmd.Flags()
	f.StringVar(&data, "data", "./stemmaster-data", "data directory of an embedded (SQLite) service")
	f.StringVar(&db, "db", "", "metadata and queue database: sqlite:PATH or postgres://… (default: SQLite in --data)")
	f.StringVar(&blobs, "blobs", "", "blob store URL; an s3:// bucket is created when missing")
	return cmd
}

func isPostgres(db string) bool { return store.DialectOf(db) == store.Postgres }

func mkdirAll(dir string) error { return os.MkdirAll(dir, 0o755) }
