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
	eachStore(t, func(t *testing.T, name string, s *SQL, ctx context.Context, now time.Time) {
		const total, maxRefs = 100, 2
		lim := FileLimits{MaxFiles: 8, MaxTotalBytes: total}
		ref := func(s *SQL, pid, n string, size int64) error {
			_, err := s.PutReferenceWithin(ctx, &ReferenceTrack{ProjectID: pid, Name: n, Size: size, BlobKey: "k/" + n, Weight: 1, CreatedAt: now}, maxRefs, total, ClientLimits{})
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

		// A file counts for its preview when that is larger (File.Counted),
		// on both sides.
		cp := createProject(t, s, fmt.Sprintf("counted-%s-%d", name, now.UnixNano()), now)
		if _, err := s.PutFileWithin(ctx, &File{ProjectID: cp.ID, Kind: KindStem, Name: "fx.flac", Size: 10, Counted: 70, BlobKey: "k/fx", CreatedAt: now}, lim); err != nil {
			t.Fatal(err)
		}
		if err := ref(s, cp.ID, "ref.wav", 40); !errors.As(err, &qe) {
			t.Errorf("a 40-byte reference beside a 10-byte file counted as 70: %v, want a QuotaError", err)
		}
		if err := stem(s, cp.ID, "bass.wav", 40); !errors.As(err, &qe) {
			t.Errorf("a 40-byte stem beside a 10-byte file counted as 70: %v, want a QuotaError", err)
		}
		if err := stem(s, cp.ID, "bass.wav", 30); err != nil {
			t.Errorf("a 30-byte stem beside a file counted as 70, in 100: %v", err)
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

// TestAdoptReferenceWithin: adopting records a reference only under a name
// the project does not hold, never replacing a row, within the same limits
// as an upload; two processes adopting the same reference at once record
// it once.
func TestAdoptReferenceWithin(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, name string, s *SQL, ctx context.Context, now time.Time) {
		const total, maxRefs = 100, 2
		p := createProject(t, s, fmt.Sprintf("adopt-%s-%d", name, now.UnixNano()), now)
		ref := func(n, key string, size int64, w float64) *ReferenceTrack {
			return &ReferenceTrack{ProjectID: p.ID, Name: n, Size: size, BlobKey: key, Info: []byte(`{}`), Weight: w, CreatedAt: now}
		}
		if ex, err := s.AdoptReferenceWithin(ctx, ref("a.wav", "old/a", 10, 2), maxRefs, total); err != nil || ex != nil {
			t.Fatalf("first adoption: existing %+v, %v", ex, err)
		}
		// Again, or under a name an upload took: the row stays.
		if ex, err := s.AdoptReferenceWithin(ctx, ref("a.wav", "old/other", 10, 3), maxRefs, total); err != nil || ex == nil || ex.BlobKey != "old/a" {
			t.Fatalf("second adoption: existing %+v, %v; want the first row", ex, err)
		}
		if _, err := s.PutReferenceWithin(ctx, ref("b.wav", "new/b", 10, 1), maxRefs, total, ClientLimits{}); err != nil {
			t.Fatal(err)
		}
		if ex, err := s.AdoptReferenceWithin(ctx, ref("b.wav", "old/b", 10, 5), maxRefs, total); err != nil || ex == nil || ex.BlobKey != "new/b" {
			t.Fatalf("adopting over an upload: existing %+v, %v; want the upload", ex, err)
		}
		// The count and the total hold.
		var ce *ReferenceCountError
		if _, err := s.AdoptReferenceWithin(ctx, ref("c.wav", "old/c", 1, 1), maxRefs, total); !errors.As(err, &ce) {
			t.Fatalf("third reference of at most %d: %v", maxRefs, err)
		}
		var qe *QuotaError
		if _, err := s.AdoptReferenceWithin(ctx, ref("c.wav", "old/c", 81, 1), 0, total); !errors.As(err, &qe) {
			t.Fatalf("over the total: %v", err)
		}
		refs, err := s.ReferenceTracks(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(refs) != 2 || refs[0].BlobKey != "old/a" || refs[0].Weight != 2 || refs[1].BlobKey != "new/b" || refs[1].Weight != 1 {
			t.Fatalf("rows %+v", refs)
		}

		// Two processes at once: one records, the other finds its row.
		o := secondProcess(t, name, s)
		var wg sync.WaitGroup
		ex := make([]*ReferenceTrack, 2)
		errs := make([]error, 2)
		for i, db := range []*SQL{s, o} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ex[i], errs[i] = db.AdoptReferenceWithin(ctx, ref("d.wav", fmt.Sprintf("old/d%d", i), 1, 1), 0, total)
			}()
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil || (ex[0] == nil) == (ex[1] == nil) {
			t.Fatalf("concurrent adoption: existing %+v %+v, errors %v %v; want exactly one recorded", ex[0], ex[1], errs[0], errs[1])
		}
		refs, err = s.ReferenceTracks(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(refs) != 3 {
			t.Fatalf("after concurrent adoption: %+v", refs)
		}
	})
}
