package store

import (
	"context"
	"fmt"
)

// Stats are the figures an operator watches: jobs by kind and state, and
// bytes stored (uploaded files, and the outputs of published renders).
type Stats struct {
	Jobs        map[[2]string]int // {kind, state} → count
	Projects    int
	FileBytes   int64
	OutputBytes int64
}

// Stats counts jobs by kind and state and sums stored bytes.
func (s *SQL) Stats(ctx context.Context) (*Stats, error) {
	st := &Stats{Jobs: map[[2]string]int{}}
	rows, err := s.db.QueryContext(ctx, `SELECT kind, state, COUNT(*) FROM jobs GROUP BY kind, state`)
	if err != nil {
		return nil, fmt.Errorf("store: stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, state string
		var n int
		if err := rows.Scan(&kind, &state, &n); err != nil {
			return nil, fmt.Errorf("store: stats: %w", err)
		}
		st.Jobs[[2]string{kind, state}] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: stats: %w", err)
	}
	err = s.db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM projects),
		(SELECT COALESCE(SUM(size), 0) FROM files),
		(SELECT COALESCE(SUM(size), 0) FROM outputs)`).Scan(&st.Projects, &st.FileBytes, &st.OutputBytes)
	if err != nil {
		return nil, fmt.Errorf("store: stats: %w", err)
	}
	return st, nil
}

// Ping checks that the database answers.
func (s *SQL) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("store: database: %w", RedactURLError(err))
	}
	return nil
}
