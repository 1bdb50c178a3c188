package service_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"stemmaster"
	"stemmaster/audio"
	_ "stemmaster/audio/wav" // registers the WAV codec
	"stemmaster/internal/audiotest"
	"stemmaster/jobs"
	"stemmaster/service"
	"stemmaster/store"
)

// The job runner inside one process, as `stemmaster serve` runs it: the
// store (SQLite and a blob directory), a Runner that does the work, and a
// River queue on SQLite that hands it the jobs. Here a check job runs on one
// uploaded stem; a render job runs the same way with a Renderer.
func Example_runner() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "jobs-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	meta, err := store.OpenSQL(ctx, filepath.Join(dir, "stemmaster.sqlite"))
	if err != nil {
		log.Fatal(err)
	}
	defer meta.Close()
	blobs, err := store.OpenBlobs(ctx, filepath.Join(dir, "blobs"))
	if err != nil {
		log.Fatal(err)
	}
	defer blobs.Close()

	// A project with one uploaded 16-bit stem and a queued check job.
	now := time.Now()
	if err := meta.CreateProject(ctx, &store.Project{ID: "p1", TokenHash: []byte{1}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		log.Fatal(err)
	}
	stem := filepath.Join(dir, "bass.wav")
	f := audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 16, SampleFormat: audio.Int}
	if err := audiotest.Write(stem, "wav", f, audiotest.WhiteNoise(1, 2, 48000, -12)); err != nil {
		log.Fatal(err)
	}
	key := store.UploadKey("p1", store.KindStem, "u1", "bass.wav")
	if _, err := blobs.PutFile(ctx, key, "audio/wav", stem); err != nil {
		log.Fatal(err)
	}
	if err := meta.PutFile(ctx, &store.File{ProjectID: "p1", Kind: store.KindStem, Name: "bass.wav", BlobKey: key, CreatedAt: now}); err != nil {
		log.Fatal(err)
	}
	if err := meta.CreateJob(ctx, &store.Job{ID: "j1", ProjectID: "p1", Kind: store.JobCheck, State: store.StateQueued, CreatedAt: now}); err != nil {
		log.Fatal(err)
	}

	runner := &service.Runner{Meta: meta, Blobs: blobs, Checker: service.StemChecker{}, WorkDir: dir}
	q, err := jobs.OpenSQLiteQueue(ctx, filepath.Join(dir, "river.sqlite"), runner, jobs.QueueOptions{Work: true, PollInterval: 50 * time.Millisecond})
	if err != nil {
		log.Fatal(err)
	}
	defer q.Close()
	if err := q.Start(ctx); err != nil {
		log.Fatal(err)
	}
	if err := q.Enqueue(ctx, jobs.CheckArgs{ProjectID: "p1", JobID: "j1"}); err != nil {
		log.Fatal(err)
	}
	job := waitForJob(ctx, meta, "p1", "j1")
	stopCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	q.Stop(stopCtx)

	p, err := meta.Project(ctx, "p1")
	if err != nil {
		log.Fatal(err)
	}
	var rep stemmaster.CheckReport
	if err := json.Unmarshal(p.Check, &rep); err != nil {
		log.Fatal(err)
	}
	fmt.Println("job:", job.State)
	for _, f := range rep.Findings {
		fmt.Println("finding:", f.Code, f.File)
	}
	// Output:
	// job: done
	// finding: bit_depth_low bass.wav
	// finding: single_stem bass.wav
}

// waitForJob polls the store until the job has ended (a web page polls
// GET /api/projects/{id}/jobs/{job} the same way).
func waitForJob(ctx context.Context, meta store.Metadata, projectID, jobID string) *store.Job {
	deadline := time.Now().Add(30 * time.Second)
	for {
		j, err := meta.Job(ctx, projectID, jobID)
		if err != nil {
			log.Fatal(err)
		}
		if j.State == store.StateDone || j.State == store.StateFailed || time.Now().After(deadline) {
			return j
		}
		time.Sleep(20 * time.Millisecond)
	}
}
