package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

// secondProcess opens the same database as s a second time, as another
// serve process would: its own connections, nothing shared in memory.
func secondProcess(t *testing.T, name string, s *SQL) *SQL {
	t.Helper()
	url := os.Getenv("STEMMASTER_TEST_POSTGRES")
	if name == "sqlite" {
		if err := s.db.QueryRow(`SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&url); err != nil {
			t.Fatal(err)
		}
	}
	o, err := OpenSQL(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	return o
}

// TestReferencesShareTheProjectQuota: reference tracks and files share
// the project's total size, checked in the transaction that records each,
// so that stems uploaded after the references count them and the other
// way round, and the reference count holds, across processes at once.
func TestReferencesShareTheProjectQuota(t *testing.T) {
	t.Parallel()
	if os.Getenv("STEMMASTER_TEST_POSTGRES") == "" {
		t.Log("STEMMASTER_TEST_POSTGRES is not set: SQLite only (scripts/test.sh runs PostgreSQL too)")
	}
	for name, s := range openTestStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			now := time.Now().UTC()
			const total, maxRefs = 100, 2
			lim := FileLimits{MaxFiles: 8, MaxTotalBytes: total}
			ref := func(s *SQL, pid, n string, size int64) error {
				_, err := s.PutReferenceWithin(ctx, &ReferenceTrack{ProjectID: pid, Name: n, Size: size, BlobKey: "k/" + n, Weight: 1, CreatedAt: now}, maxRefs, total)
				return err
			}
			stem := func(s *SQL, pid, n string, size int64) error {
				_, err := s.PutFileWithin(ctx, &File{ProjectID: pid, Kind: KindStem, Name: n, Size: size, BlobKey: "k/" + n, CreatedAt: now}, lim)
				return err
			}
			var qe *QuotaError
			var ce *ReferenceCountError

			// One at a time: each side counts the other.
			p := createProject(t, s, fmt.Sprintf("share-%s-%d", name, now.UnixNano()), now)
			if err := ref(s, p.ID, "ref.wav", 60); err != nil {
				t.Fatal(err)
			}
			if err := stem(s, p.ID, "drums.wav", 50); !errors.As(err, &qe) {
				t.Errorf("a 50-byte stem beside a 60-byte reference in 100 bytes: %v, want a QuotaError", err)
			}
			if err := stem(s, p.ID, "drums.wav", 40); err != nil {
				t.Errorf("a 40-byte stem beside a 60-byte reference in 100 bytes: %v", err)
			}
			if err := ref(s, p.ID, "ref.wav", 60); err != nil {
				t.Errorf("replacing a reference counts only the new one: %v", err)
			}
			if err := ref(s, p.ID, "other.wav", 1); !errors.As(err, &qe) {
				t.Errorf("a reference over the total: %v, want a QuotaError", err)
			}
			if _, err := s.DeleteReferenceTrack(ctx, p.ID, "ref.wav"); err != nil {
				t.Fatal(err)
			}
			if err := stem(s, p.ID, "bass.wav", 60); err != nil {
				t.Errorf("a deleted reference gives its room back: %v", err)
			}
			if err := s.SetReferenceWeight(ctx, p.ID, "ref.wav", 2); !errors.Is(err, ErrNotFound) {
				t.Errorf("weight of a deleted reference: %v, want ErrNotFound", err)
			}

			// The reference count.
			q := createProject(t, s, fmt.Sprintf("count-%s-%d", name, now.UnixNano()), now)
			for i := range maxRefs {
				if err := ref(s, q.ID, fmt.Sprintf("r%d.wav", i), 1); err != nil {
					t.Fatal(err)
				}
			}
			if err := ref(s, q.ID, "r9.wav", 1); !errors.As(err, &ce) || ce.Limit != maxRefs {
				t.Errorf("reference %d: %v, want a ReferenceCountError", maxRefs+1, err)
			}
			if err := s.SetReferenceWeight(ctx, q.ID, "r0.wav", 3); err != nil {
				t.Fatal(err)
			}
			refs, err := s.ReferenceTracks(ctx, q.ID)
			if err != nil || len(refs) != maxRefs || refs[0].Weight != 3 {
				t.Errorf("references %+v, %v: want %d, the first at weight 3", refs, err, maxRefs)
			}

			// Two processes at once, stems and references racing: 12
			// uploads of 30 bytes each against 100 bytes store 3, of which
			// at most 2 references.
			other := secondProcess(t, name, s)
			r := createProject(t, s, fmt.Sprintf("race-%s-%d", name, now.UnixNano()), now)
			var wg sync.WaitGroup
			var mu sync.Mutex
			stored := 0
			for i := range 12 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					db := []*SQL{s, other}[i%2]
					var qe *QuotaError
					var ce *ReferenceCountError
					var err error
					if i%3 == 0 {
						err = stem(db, r.ID, fmt.Sprintf("s%d.wav", i), 30)
					} else {
						err = ref(db, r.ID, fmt.Sprintf("r%d.wav", i), 30)
					}
					switch {
					case err == nil:
						mu.Lock()
						stored++
						mu.Unlock()
					case errors.As(err, &qe), errors.As(err, &ce):
					default:
						t.Errorf("upload %d: %v", i, err)
					}
				}()
			}
			wg.Wait()
			files, err := s.Files(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			refs, err = s.ReferenceTracks(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			var bytes int64
			for _, f := range files {
				bytes += f.Size
			}
			for _, x := range refs {
				bytes += x.Size
			}
			if bytes > total || len(refs) > maxRefs || len(files)+len(refs) != stored || stored != 3 {
				t.Errorf("%d files and %d references stored (%d bytes; %d uploads answered stored), want 3 in all within %d bytes, at most %d references",
					len(files), len(refs), bytes, stored, total, maxRefs)
			}

			// The project's deletion takes its references.
			if err := s.DeleteProject(ctx, r.ID); err != nil {
				t.Fatal(err)
			}
			if refs, err := s.ReferenceTracks(ctx, r.ID); err != nil || len(refs) != 0 {
				t.Errorf("references of a deleted project: %v, %v", refs, err)
			}
		})
	}
}
