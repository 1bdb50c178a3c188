package service

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"stemmaster"
	"stemmaster/engine"
	"stemmaster/internal/faultpoint"
	"stemmaster/internal/safego"
	"stemmaster/jobs"
	"stemmaster/store"
)

// uploadsAtOnce bounds the files of one render copied to the blob store at
// once: enough to keep a remote store's round trips overlapped, few
// enough not to crowd the render still running beside them.
const uploadsAtOnce = 4

// outputUploader copies a render's files to this attempt's key space as
// each is finished, several at once, while the render goes on. Nothing it
// writes is visible before PublishRender switches to the attempt.
type outputUploader struct {
	ctx    context.Context
	cancel context.CancelFunc
	blobs  *store.Blobs
	prefix string
	slots  chan struct{}
	wg     sync.WaitGroup

	mu    sync.Mutex
	sizes map[string]int64 // by name, once stored
	begun map[string]bool
	err   error
}

func (r *Runner) newUploader(ctx context.Context, prefix string) *outputUploader {
	ctx, cancel := context.WithCancel(ctx)
	return &outputUploader{ctx: ctx, cancel: cancel, blobs: r.Blobs, prefix: prefix, slots: make(chan struct{}, uploadsAtOnce),
		sizes: map[string]int64{}, begun: map[string]bool{}}
}

// put starts copying the file at path to the output name; a name already
// begun is not copied again.
func (u *outputUploader) put(name, path string) {
	u.mu.Lock()
	if u.begun[name] {
		u.mu.Unlock()
		return
	}
	u.begun[name] = true
	u.mu.Unlock()
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		defer safego.Recover("render's upload of "+name, u.failed)
		faultpoint.Hit("render.upload")
		select {
		case u.slots <- struct{}{}:
		case <-u.ctx.Done():
			u.failed(u.ctx.Err())
			return
		}
		defer func() { <-u.slots }()
		n, err := u.blobs.PutFile(u.ctx, u.prefix+name, jobs.ContentType(name), path)
		u.mu.Lock()
		defer u.mu.Unlock()
		if err != nil {
			u.failLocked(err)
			return
		}
		u.sizes[name] = n
	}()
}

// putDir starts copying every file of dir not begun yet.
func (u *outputUploader) putDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		u.put(e.Name(), filepath.Join(dir, e.Name()))
	}
	return nil
}

func (u *outputUploader) failed(err error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.failLocked(err)
}

// failLocked records the first error and stops the other copies.
func (u *outputUploader) failLocked(err error) {
	if u.err == nil {
		u.err = err
		u.cancel()
	}
}

// abandon stops the copies and waits for them; what they wrote is
// clutter of an unpublished attempt, removed with it.
func (u *outputUploader) abandon() {
	u.cancel()
	u.wg.Wait()
}

// wait waits for every copy begun and describes the stored files by name,
// with their loudness figures (JSON) by file name and the preview's
// integrated loudness.
func (u *outputUploader) wait(figures map[string][]byte, sumLUFS float64) ([]store.Output, error) {
	u.wg.Wait()
	defer u.cancel()
	if u.err != nil {
		return nil, u.err
	}
	outputs := make([]store.Output, 0, len(u.sizes))
	for name, n := range u.sizes {
		o := store.Output{Name: name, Kind: jobs.OutputKind(name), ContentType: jobs.ContentType(name), BlobKey: u.prefix + name, Size: n}
		o.Figures = figures[name]
		if name == jobs.PreviewName {
			lufs, _ := stemmaster.Level(sumLUFS).MarshalJSON()
			o.Figures = fmt.Appendf(nil, `{"integrated_lufs":%s}`, lufs)
		}
		outputs = append(outputs, o)
	}
	slices.SortFunc(outputs, func(a, b store.Output) int { return strings.Compare(a.Name, b.Name) })
	return outputs, nil
}

// previewUpload is the render's plain-sum sink (engine.PlainSink): a
// jobs.PreviewWriter whose file starts uploading the moment the sum is
// complete, while the render goes on with its targeting and deliverables.
type previewUpload struct {
	*jobs.PreviewWriter
	path string
	up   *outputUploader
}

func (p previewUpload) End() error {
	if err := p.PreviewWriter.End(); err != nil {
		return err
	}
	p.up.put(jobs.PreviewName, p.path)
	return nil
}

var _ engine.PlainSink = previewUpload{}
