package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	_ "modernc.org/sqlite"             // SQLite driver "sqlite"
)

// Dialect names a SQL database family.
type Dialect string

// Supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// SQL is the Metadata store over database/sql.
type SQL struct {
	db      *sql.DB
	dialect Dialect
	// dsn opens the PostgreSQL connection that listens for job changes.
	dsn   string
	watch jobWatch
	// clock is the database's clock as this process keeps it (Now).
	clock *dbClock
}

var _ Metadata = (*SQL)(nil)

// SQLiteDSN is the connection string stemmaster uses for a SQLite file:
// WAL journal, a busy timeout, foreign keys, and BEGIN IMMEDIATE so that two
// writers wait for each other instead of failing. Every commit syncs the
// journal (synchronous FULL): with NORMAL a WAL commit is synced only at
// the next checkpoint, so a power cut could take back whatever the kernel
// had not yet written back (Linux waits up to 30 s), a render published
// and downloaded among it, whose files the orphan sweep would then delete.
func SQLiteDSN(file string) string {
	return "file:" + file + "?_pragma=busy_timeout(20000)&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_txlock=immediate"
}

// OpenSQL opens the metadata database and applies pending migrations.
// url is "sqlite:PATH" (or a bare path) or "postgres://…".
func OpenSQL(ctx context.Context, url string) (*SQL, error) {
	return openSQL(ctx, url, true, (*SQL).Clock)
}

// DialectOf says which database a URL of OpenSQL's names.
func DialectOf(url string) Dialect {
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		return Postgres
	}
	return SQLite
}

// openSQL opens the database of url, migrating it when migrate says so;
// readClock is how the handle reads the database's clock (SQL.Clock; the
// store's tests give one that fails, as a database that does not answer).
func openSQL(ctx context.Context, url string, migrate bool, readClock func(*SQL, context.Context) (time.Time, error)) (*SQL, error) {
	dialect, dsn := DialectOf(url), url
	path := strings.TrimPrefix(url, "sqlite:")
	if scheme, _, ok := strings.Cut(url, "://"); ok && dialect == SQLite && scheme != "sqlite" && scheme != "file" {
		// mysql://… would otherwise be taken for a SQLite file of that
		// name and fail as "unable to open database file". Only the scheme
		// is named: the rest may hold a password.
		return nil, fmt.Errorf("store: a database of scheme %q is not supported: give sqlite:PATH (or a file path) or postgres://…", scheme)
	}
	if dialect == SQLite {
		dsn = SQLiteDSN(path)
	}
	driver := "sqlite"
	if dialect == Postgres {
		driver = "pgx"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s database: %w", dialect, err)
	}
	if dialect == SQLite {
		// One writer at a time is all SQLite allows; a few connections let
		// reads proceed beside it under WAL.
		db.SetMaxOpenConns(4)
	}
	s := &SQL{db: db, dialect: dialect}
	if dialect == Postgres {
		s.dsn = dsn
	}
	s.clock = newDBClock(func(ctx context.Context) (time.Time, error) { return readClock(s, ctx) })
	// Nothing may read Now before the database's clock was read: a
	// project's expiry, a lease, River's leader term taken on this
	// machine's clock would stand on a clock minutes or days off, and
	// stay stored so. A database that does not answer at open fails the
	// open, as the migrations' queries would.
	failed := func(err error) (*SQL, error) {
		db.Close()
		if dialect == SQLite {
			return nil, fmt.Errorf("store: SQLite database %s: %w", path, err)
		}
		return nil, err
	}
	if err := s.clock.sync(ctx); err != nil {
		return failed(fmt.Errorf("reading its clock at open: %w", err))
	}
	if !migrate {
		return s, nil
	}
	if err := s.migrate(ctx); err != nil {
		return failed(err)
	}
	return s, nil
}

// DB returns the underlying database handle: for the tests of store and
// of the packages above it, which set up what the API never writes (a
// project of no recorded client, a job's timestamps); the program does not
// call it.
func (s *SQL) DB() *sql.DB { return s.db }

// Close stops listening for job changes and closes the database.
func (s *SQL) Close() error {
	s.watch.stopListening()
	return s.db.Close()
}

// q rewrites ? placeholders as $1, $2 … for PostgreSQL.
func (s *SQL) q(query string) string {
	if s.dialect != Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func ms(t time.Time) int64     { return t.UnixMilli() }
func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func notFound(what, id string) error { return fmt.Errorf("%w: %s %s", ErrNotFound, what, id) }

// CreateProject inserts a new project.
func (s *SQL) CreateProject(ctx context.Context, p *Project) error {
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO projects (id, token_hash, created_at, expires_at, session, client, client_net) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		p.ID, p.TokenHash, ms(p.CreatedAt), ms(p.ExpiresAt), p.Session, p.Client, p.ClientNet)
	if err != nil {
		return fmt.Errorf("store: create project: %w", err)
	}
	return nil
}

// Project loads one project.
func (s *SQL) Project(ctx context.Context, id string) (*Project, error) {
	var p Project
	var created, expires int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT id, token_hash, created_at, expires_at, session, check_job, check_json, render_job, report_json, render_gen, files_gen, check_gen FROM projects WHERE id = ?`), id).
		Scan(&p.ID, &p.TokenHash, &created, &expires, &p.Session, &p.CheckJob, &p.Check, &p.RenderJob, &p.Report, &p.RenderGen, &p.FilesGen, &p.CheckGen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("project", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: project %s: %w", id, err)
	}
	p.CreatedAt, p.ExpiresAt = fromMS(created), fromMS(expires)
	return &p, nil
}

// DeleteProject removes a project with its files, jobs and outputs records.
func (s *SQL) DeleteProject(ctx context.Context, id string) error {
	return s.execOne(ctx, "project "+id, `DELETE FROM projects WHERE id = ?`, id)
}

// ExpireProject sets the project's expiry to the Unix epoch: every reader
// treats it as gone from then on, and ExpiredProjects lists it for the
// expiry sweep, which finishes its deletion if the caller cannot. The
// epoch, not the caller's clock, is past on every machine however far
// their clocks disagree.
func (s *SQL) ExpireProject(ctx context.Context, id string) error {
	return s.execOne(ctx, "project "+id, `UPDATE projects SET expires_at = 0 WHERE id = ?`, id)
}

// Clock reads the database's clock: the one every front end and worker
// shares, however far their machines' own clocks disagree.
func (s *SQL) Clock(ctx context.Context) (time.Time, error) {
	var v int64
	if err := s.db.QueryRowContext(ctx, `SELECT `+s.nowMS()).Scan(&v); err != nil {
		return time.Time{}, fmt.Errorf("store: clock: %w", err)
	}
	return fromMS(v), nil
}

// nowMS is the SQL expression of the database's clock (Clock) in Unix
// milliseconds, for statements that compare with it where they run.
func (s *SQL) nowMS() string {
	if s.dialect == Postgres {
		return `CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)`
	}
	return `CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)`
}

// ExpiredProjects lists projects that expired before now.
func (s *SQL) ExpiredProjects(ctx context.Context, now time.Time) ([]string, error) {
	return queryAll(ctx, s.db, "expired projects", func(rows *sql.Rows) (string, error) {
		var id string
		err := rows.Scan(&id)
		return id, err
	}, s.q(`SELECT id FROM projects WHERE expires_at < ? ORDER BY expires_at`), ms(now))
}

// SetSession stores the project's session document; ErrNotFound when
// the project is gone or its retention has ended (the database's clock,
// as SetCheck's): a session saved as the project is being deleted would
// otherwise land in it.
func (s *SQL) SetSession(ctx context.Context, projectID string, session []byte) error {
	return s.execOne(ctx, "project "+projectID, `UPDATE projects SET session = ? WHERE id = ? AND expires_at >= `+s.nowMS(), session, projectID)
}

// SetCheck stores the project's check report and the job that made it;
// ErrNotFound when the project is gone or its retention has ended (the
// database's clock, as lockProject's): a record never lands in a project
// being deleted.
func (s *SQL) SetCheck(ctx context.Context, projectID, jobID string, check []byte) error {
	return s.execOne(ctx, "project "+projectID, `UPDATE projects SET check_job = ?, check_json = ? WHERE id = ? AND expires_at >= `+s.nowMS(), jobID, check, projectID)
}

// PutFile records an uploaded file, replacing one of the same kind and
// name; the project's files generation moves on and its check is dropped.
func (s *SQL) PutFile(ctx context.Context, f *File) error {
	return s.tx(ctx, "put file "+f.Name, func(tx *sql.Tx) error {
		if err := s.lockProject(ctx, tx, f.ProjectID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO files (project_id, kind, name, size, blob_key, info_json, created_at, original_name, counted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (project_id, kind, name) DO UPDATE SET size = excluded.size, blob_key = excluded.blob_key, info_json = excluded.info_json, created_at = excluded.created_at, original_name = excluded.original_name, counted = excluded.counted`),
			f.ProjectID, f.Kind, f.Name, f.Size, f.BlobKey, f.Info, ms(f.CreatedAt), f.OriginalName, f.Counted); err != nil {
			return err
		}
		return s.filesChanged(ctx, tx, f.ProjectID)
	})
}

// filesChanged moves a project's files generation on and drops its check.
func (s *SQL) filesChanged(ctx context.Context, tx *sql.Tx, projectID string) error {
	_, err := tx.ExecContext(ctx, s.q(`UPDATE projects SET files_gen = files_gen + 1, check_job = '', check_json = NULL WHERE id = ?`), projectID)
	return err
}

// tx runs f in a transaction.
//
// A transaction that changes a project's rows and its jobs' or files'
// takes the project's row first (lockProject, or CreateJobWithin's no-op
// update), then the others: with one order, two requests of a project
// wait for each other instead of deadlocking (PostgreSQL).
func (s *SQL) tx(ctx context.Context, what string, f func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	defer tx.Rollback()
	if err := f(tx); err != nil {
		if errors.Is(err, ErrNotFound) {
			return err
		}
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	return nil
}

// Files lists a project's uploaded files, stems first, by name.
func (s *SQL) Files(ctx context.Context, projectID string) ([]File, error) {
	return queryAll(ctx, s.db, "files", func(rows *sql.Rows) (File, error) {
		var f File
		var created int64
		err := rows.Scan(&f.ProjectID, &f.Kind, &f.Name, &f.Size, &f.BlobKey, &f.Info, &created, &f.OriginalName, &f.Counted)
		f.CreatedAt = fromMS(created)
		return f, err
	}, s.q(`SELECT project_id, kind, name, size, blob_key, info_json, created_at, original_name, counted FROM files WHERE project_id = ? ORDER BY kind DESC, name`), projectID)
}

// DeleteFile removes a file record; the files generation moves on.
func (s *SQL) DeleteFile(ctx context.Context, projectID, kind, name string) error {
	return s.tx(ctx, "delete "+kind+" "+name, func(tx *sql.Tx) error {
		if err := s.lockProject(ctx, tx, projectID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM files WHERE project_id = ? AND kind = ? AND name = ?`), projectID, kind, name)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("%w: %s %s", ErrNotFound, kind, name)
		}
		return s.filesChanged(ctx, tx, projectID)
	})
}

// CreateJob inserts a job with the next generation of its project
// (j.Gen is set).
func (s *SQL) CreateJob(ctx context.Context, j *Job) error {
	return s.tx(ctx, "create job", func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, s.q(`UPDATE projects SET job_seq = job_seq + 1 WHERE id = ? RETURNING job_seq`), j.ProjectID).Scan(&j.Gen); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("project", j.ProjectID)
			}
			return err
		}
		confirmed, err := encodeConfirmed(j.Confirmed)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO jobs (id, project_id, kind, state, progress, stage, error, attempt, gen, created_at, updated_at, confirmed, note, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			j.ID, j.ProjectID, j.Kind, j.State, j.Progress, j.Stage, j.Error, j.Attempt, j.Gen, ms(j.CreatedAt), ms(j.CreatedAt), confirmed, j.Note, j.RequestID)
		return err
	})
}

const jobColumns = `id, project_id, kind, state, progress, stage, error, attempt, gen, created_at, updated_at, confirmed, note, request_id`

func scanJob(sc interface{ Scan(...any) error }) (Job, error) {
	var j Job
	var created, updated int64
	var confirmed string
	err := sc.Scan(&j.ID, &j.ProjectID, &j.Kind, &j.State, &j.Progress, &j.Stage, &j.Error, &j.Attempt, &j.Gen, &created, &updated, &confirmed, &j.Note, &j.RequestID)
	j.CreatedAt, j.UpdatedAt = fromMS(created), fromMS(updated)
	if err == nil && confirmed != "" {
		if jerr := json.Unmarshal([]byte(confirmed), &j.Confirmed); jerr != nil {
			err = fmt.Errorf("job %s: confirmed: %w", j.ID, jerr)
		}
	}
	return j, err
}

// encodeConfirmed is the confirmed column of a job: a JSON array, or ”
// for none (every check job, most renders).
func encodeConfirmed(c []string) (string, error) {
	if len(c) == 0 {
		return "", nil
	}
	b, err := json.Marshal(c)
	return string(b), err
}

// Job loads one job of a project.
func (s *SQL) Job(ctx context.Context, projectID, jobID string) (*Job, error) {
	j, err := scanJob(s.db.QueryRowContext(ctx, s.q(`SELECT `+jobColumns+` FROM jobs WHERE project_id = ? AND id = ?`), projectID, jobID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, s.missingJob(ctx, projectID, jobID)
	}
	if err != nil {
		return nil, fmt.Errorf("store: job %s: %w", jobID, err)
	}
	return &j, nil
}

// missingJob is the error for a job the project does not hold: ErrPruned
// when its tombstone is kept, else ErrNotFound.
func (s *SQL) missingJob(ctx context.Context, projectID, jobID string) error {
	var n int
	err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM pruned_jobs WHERE project_id = ? AND id = ?`), projectID, jobID).Scan(&n)
	if err != nil {
		return fmt.Errorf("store: job %s: %w", jobID, err)
	}
	if n > 0 {
		return fmt.Errorf("%w: job %s", ErrPruned, jobID)
	}
	return notFound("job", jobID)
}

// Jobs lists a project's jobs, oldest first.
func (s *SQL) Jobs(ctx context.Context, projectID string) ([]Job, error) {
	return s.queryJobs(ctx, "jobs", `WHERE project_id = ? ORDER BY created_at, id`, projectID)
}

// queryJobs lists the jobs the SQL after the column list selects; what
// names the listing in errors.
func (s *SQL) queryJobs(ctx context.Context, what, where string, args ...any) ([]Job, error) {
	return queryAll(ctx, s.db, what, func(rows *sql.Rows) (Job, error) { return scanJob(rows) },
		s.q(`SELECT `+jobColumns+` FROM jobs `+where), args...)
}

// UpdateJob changes a job's state, progress, stage and error.
func (s *SQL) UpdateJob(ctx context.Context, jobID string, u JobUpdate) error {
	// A cancelled job stays cancelled, stage and progress too: its worker
	// may still report progress for a moment before it notices, and then
	// that it will retry.
	err := s.execOne(ctx, "job "+jobID, `UPDATE jobs SET
		state = CASE WHEN ? = '' OR state = 'cancelled' THEN state ELSE ? END,
		progress = CASE WHEN state = 'cancelled' THEN progress ELSE ? END,
		stage = CASE WHEN ? = '' OR state = 'cancelled' THEN stage ELSE ? END,
		error = CASE WHEN state = 'cancelled' THEN error ELSE ? END,
		attempt = CASE WHEN ? = 0 THEN attempt ELSE ? END,
		updated_at = ?
		WHERE id = ? AND (? = 0 OR (attempt = ? AND state NOT IN ('done', 'failed')))`,
		u.State, u.State, u.Progress, u.Stage, u.Stage, u.Error, u.Attempt, u.Attempt, ms(s.Now()), jobID, u.IfAttempt, u.IfAttempt)
	if err == nil {
		s.jobsChanged(ctx, jobID)
	}
	return err
}

// Outputs lists the outputs of the project's current render, by name.
func (s *SQL) Outputs(ctx context.Context, projectID string) ([]Output, error) {
	return queryAll(ctx, s.db, "outputs", func(rows *sql.Rows) (Output, error) {
		var o Output
		err := rows.Scan(&o.ProjectID, &o.JobID, &o.Name, &o.Kind, &o.Size, &o.ContentType, &o.BlobKey, &o.Figures)
		return o, err
	}, s.q(`SELECT o.project_id, o.job_id, o.name, o.kind, o.size, o.content_type, o.blob_key, o.figures_json
		FROM outputs o JOIN projects p ON p.id = o.project_id AND p.render_job = o.job_id WHERE o.project_id = ? ORDER BY o.name`), projectID)
}

// queryAll runs query on db (a *sql.DB or a *sql.Tx) and returns every row
// read by scan. A failing query is wrapped naming what; the errors of scan
// and of the rows are returned as they are.
func queryAll[T any](ctx context.Context, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, what string, scan func(*sql.Rows) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// execOne runs a statement that must touch exactly one row.
func (s *SQL) execOne(ctx context.Context, what, query string, args ...any) error {
	res, err := s.db.ExecContext(ctx, s.q(query), args...)
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("%w: %s", ErrNotFound, what)
	}
	return nil
}

// AdvisoryLock takes a PostgreSQL session-level advisory lock named by key
// on a connection of its own, waiting for it; the returned function
// releases it.
func AdvisoryLock(ctx context.Context, db *sql.DB, key string) (func(), error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(hashtext($1))`, key); err != nil {
		conn.Close()
		return nil, err
	}
	return func() {
		conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(hashtext($1))`, key)
		conn.Close()
	}, nil
}
