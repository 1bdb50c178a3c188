package service

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"time"

	"stemmaster"
	"stemmaster/internal/faultpoint"
	"stemmaster/internal/safego"
	"stemmaster/jobs"
	"stemmaster/store"
)

// Render runs a render job: the outputs go to this attempt's own key space
// and become visible only through the one switch of PublishRender.
func (r *Runner) Render(ctx context.Context, a jobs.RenderArgs, attempt, maxAttempts int) error {
	start := time.Now()
	job, last, err := r.begin(ctx, "render", a.ProjectID, a.JobID, attempt, maxAttempts)
	if job == nil {
		return err
	}
	log := r.jobLog(job).With("attempt", job.Attempt)
	ph := newPhases(job.CreatedAt)
	defer func() { log.Info("render phases", ph.attrs()...) }()
	// Nothing of this job is published (it is not done): what earlier,
	// interrupted attempts wrote is clutter.
	if err := r.Blobs.DeletePrefix(ctx, store.JobPrefix(a.ProjectID, job.ID)); err != nil {
		return r.retry(ctx, job, last, err)
	}
	_, files, err := r.Meta.FileSet(ctx, a.ProjectID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return r.retry(ctx, job, last, err)
	}
	p, err := r.Meta.Project(ctx, a.ProjectID)
	if err != nil {
		return r.retry(ctx, job, last, err)
	}
	// The render's scratch (input copies, outputs, preview, stem spools)
	// is reserved before its first byte is written, and held until the
	// job ends however it ends, so that renders and uploads running
	// together never take more disk than the watermark leaves them.
	scratch := renderScratch(p.Session, files)
	need := scratch.Total() + r.inputCopies(files)
	release, err := r.Disk.Reserve(need)
	if err != nil {
		// Put off, not failed: the renders and uploads holding the disk
		// now end and give it back, and the next attempt may run here or
		// on another worker. The last attempt fails saying how much is
		// short.
		log.Warn("render put off: free disk below the watermark with the reservations in flight",
			"scratch_bytes", need, "stem_spool_bytes", scratch.StemSpool, "reserved_bytes", r.Disk.Reserved(), "error", err)
		return r.failLastOrPutOff(ctx, job, last, "", err, errWaitingForDisk, err)
	}
	defer release()
	work, err := r.workDir(ctx, store.JobRender, job)
	if err != nil {
		return r.retry(ctx, job, last, err)
	}
	defer os.RemoveAll(work)
	out := filepath.Join(work, "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return r.retry(ctx, job, last, err)
	}
	src, err := r.renderFiles(ctx, files, work)
	if errors.Is(err, store.ErrNotFound) {
		// A stem was deleted while this render started: its input is gone.
		return r.fail(ctx, job, errors.New("a stem was deleted while the render started; render again"))
	}
	if err != nil {
		return r.retry(ctx, job, last, err)
	}
	defer src.done()
	stems, mix := src.stems, src.mix
	ph.mark("setup")
	if len(stems) == 0 {
		return r.fail(ctx, job, errors.New("no stems uploaded"))
	}
	mixName := ""
	if mix != "" {
		mixName = filepath.Base(mix)
	}
	// The session is parsed here, once, in line with the files fetched;
	// the revision records it as rendered.
	session := Sessions{}.ReconcileSession(p.Session, baseNames(stems), mixName)
	// The engine calls progress from its hot path: it only records the
	// latest value; a goroutine of its own writes it to the database.
	rep := newProgressReporter()
	// Every file goes to this attempt's key space as soon as it is final,
	// while the render goes on: the A/B player's plain sum (handed over by
	// the render as it decodes the stems, so they are read once) when the
	// sum is complete, the deliverables when the engine has committed
	// them, the report and pictures last. A Renderer that does not hand
	// the sum over (or a song at another rate than most of its stems')
	// leaves it to be summed here, after the render.
	prefix := store.AttemptPrefix(a.ProjectID, job.ID, job.Attempt)
	up := r.newUploader(ctx, prefix)
	defer up.abandon()
	preview := filepath.Join(work, jobs.PreviewName)
	plain := jobs.NewPreviewWriter(preview)
	faultpoint.Hit("render-started")
	progress := r.newJobProgress(job)
	stopProgress := r.reportProgress(ctx, progress, rep)
	res, err := noPanic(r.Log(), func() (*stemmaster.Report, error) {
		defer stopProgress() // under noPanic: the reporter's panic fails the job
		return r.Renderer.Render(ctx, RenderInput{Session: session, Dir: src.dir, Open: src.open, OutDir: out, Confirmed: a.Confirmed,
			PlainSum: previewUpload{PreviewWriter: plain, path: preview, up: up},
			Finished: func(name string) { up.put(name, filepath.Join(out, name)) },
			Progress: func(stage string, f float64) {
				// The render takes the first 90 %; the preview and the upload the rest.
				rep.set(stage, 0.9*clamp01(f))
				if f > 0.3 {
					faultpoint.Hit("render-midway")
				}
			}})
	})
	ph.mark("engine")
	if err != nil {
		plain.Result() // removes a partial file
		up.abandon()   // before the sweeper may be told of this attempt
		return r.workFailed(ctx, job, start, last, err, src, work)
	}
	if err := up.putDir(out); err != nil {
		return r.retry(ctx, job, last, err)
	}
	progress.write(ctx, "preview", 0.92)
	sumLUFS, perr := plain.Result()
	if pe := (*safego.PanicError)(nil); errors.As(perr, &pe) {
		// A bug encoding the preview: the job fails naming it (summed
		// again, the preview would meet it again).
		return r.failBug(ctx, job, pe)
	}
	if perr != nil {
		sumLUFS, perr = jobs.WriteSumPreviewFrom(ctx, preview, stems, src.open)
		if perr == nil {
			up.put(jobs.PreviewName, preview)
		}
	}
	if perr != nil {
		log.Warn("sum preview failed", "error", perr)
	}
	ph.mark("preview")
	progress.write(ctx, "upload", 0.95)
	report, figures := encodeReport(res, work)
	outputs, err := up.wait(figures, sumLUFS)
	if err != nil {
		return r.retry(ctx, job, last, err)
	}
	ph.mark("upload")
	faultpoint.Hit("render-uploaded")
	// Every published render is a revision: its session, report, outputs
	// and the client's note, recorded with the switch.
	rev := &store.Revision{Note: a.Note, Session: encodeSession(session), Report: report}
	pub, err := r.Meta.PublishRender(ctx, job.ID, job.Attempt, report, outputs, rev)
	if errors.Is(err, store.ErrNotFound) {
		// The project, and the job with it, was deleted while this render
		// ran: its delete has removed the blobs, and what this attempt
		// stored since (every upload is done) goes too.
		log.Info("render of a deleted project: its outputs are dropped")
		if derr := r.Blobs.DeletePrefix(context.WithoutCancel(ctx), r.droppedPrefix(ctx, a.ProjectID, job.ID)); derr != nil {
			log.Warn("delete the outputs of a deleted project's render", "error", derr)
		}
		return nil
	}
	if err != nil {
		return r.retry(ctx, job, last, err)
	}
	ph.mark("publish")
	switch {
	case pub.Finished:
		log.Warn("render ended while this attempt published (cancelled, or finished by another attempt); this attempt's outputs are dropped")
		if err := r.Blobs.DeletePrefix(ctx, prefix); err != nil {
			log.Warn("delete dropped attempt", "error", err)
		}
		return nil
	case pub.Superseded:
		log.Info("job done, superseded: a newer render is already published", "state", store.StateDone)
	default:
		log.Info("job done: render published", "state", store.StateDone, "outputs", len(outputs), "replaced", pub.Previous)
		// Revisions past the kept window go to the sweeper (a crash before
		// this is made up for by the next publication).
		r.sweepOldRevisions(ctx, a.ProjectID)
	}
	faultpoint.Hit("render-published")
	r.Sweep(ctx)
	return nil
}

// progressReporter holds the latest progress of a render; set never
// blocks on anything but a short mutex.
type progressReporter struct {
	mu    sync.Mutex
	stage string
	f     float64
	dirty bool
}

func newProgressReporter() *progressReporter { return &progressReporter{} }

// set records the stage and its fraction. The engine's stages each count
// from 0 (every version runs the master and its deliverables again), but a
// job's progress only grows: a bar never runs backwards.
func (p *progressReporter) set(stage string, f float64) {
	p.mu.Lock()
	p.stage, p.f, p.dirty = stage, max(p.f, f), true
	p.mu.Unlock()
}

func (p *progressReporter) take() (string, float64, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	d := p.dirty
	p.dirty = false
	return p.stage, p.f, d
}

// reportProgress writes the reporter's latest value every progress
// interval until the returned function is called, which panics with the
// reporter's panic, if it had one.
func (r *Runner) reportProgress(ctx context.Context, w *jobProgress, p *progressReporter) func() {
	done := make(chan struct{})
	stopped := make(chan struct{})
	var bug safego.Carry
	go func() {
		defer close(stopped)
		defer safego.Recover("render's progress report", bug.Keep)
		faultpoint.Hit("render.progress")
		t := time.NewTicker(r.progressInterval())
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				if stage, f, ok := p.take(); ok {
					w.write(ctx, stage, f)
				}
			}
		}
	}()
	return func() { close(done); <-stopped; bug.Check() }
}
