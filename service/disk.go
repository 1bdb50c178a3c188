package service

import (
	"fmt"
	"sync/atomic"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/engine"
	"stemmaster/store"
)

// Disk reserves the local disk that jobs are about to take, against the
// same free-disk watermark that guards uploads: a render reserves the
// scratch it will write (engine.EstimateScratch) before it writes its
// first byte and releases it when it ends. Without it a few renders of
// long songs started together pass a free-space check each and then fill
// the disk between them, and die half-way.
//
// The server's uploads in flight reserve their bytes on their side (see
// Share) and read Reserved into their own check, so renders and uploads
// see each other. A nil *Disk reserves nothing and refuses nothing.
type Disk struct {
	// FreeBytes is the free space of the disk jobs work on; nil: no check.
	FreeBytes func() (uint64, error)
	// MinFreeBytes is the free space every reservation must leave; 0 or
	// less: no check (the reservations are still counted).
	MinFreeBytes int64

	total  atomic.Int64
	others atomic.Pointer[func() int64]
}

// Share counts others, the bytes reserved by others on the same disk (the
// server's uploads in flight), in every reservation from now on. others
// must not call into Disk but Reserved. Jobs may already run: the server
// is built after the queue resumes.
func (d *Disk) Share(others func() int64) {
	if d != nil {
		d.others.Store(&others)
	}
}

// Reserved is the bytes the renders hold now. It takes no lock, so the
// uploads' check may read it under their own.
func (d *Disk) Reserved() int64 {
	if d == nil {
		return 0
	}
	return d.total.Load()
}

// Reserve takes n bytes; release gives them back (once, however often it
// is called). The bytes are added before the check and taken back when it
// fails, so two reservations racing each see the other: at worst both are
// refused, never both let through past the watermark.
func (d *Disk) Reserve(n int64) (release func(), err error) {
	if d == nil || n <= 0 {
		return func() {}, nil
	}
	d.total.Add(n)
	var done atomic.Bool
	release = func() {
		if done.CompareAndSwap(false, true) {
			d.total.Add(-n)
		}
	}
	if d.MinFreeBytes <= 0 || d.FreeBytes == nil {
		return release, nil
	}
	free, ferr := d.FreeBytes()
	if ferr != nil {
		return release, nil // the space unknown: as the uploads, no check
	}
	others := int64(0)
	if f := d.others.Load(); f != nil {
		others = (*f)()
	}
	spare := int64(min(free, 1<<62)) - d.MinFreeBytes - others - (d.total.Load() - n)
	if spare < n {
		release()
		return nil, &DiskShortError{Need: n, Spare: max(spare, 0)}
	}
	return release, nil
}

// DiskShortError is a job refused for want of disk: it needs Need bytes
// and the disk has Spare to give beyond its watermark and what others
// hold.
type DiskShortError struct {
	Need, Spare int64
}

func (e *DiskShortError) Error() string {
	return fmt.Sprintf("the server is short of disk space for this render: it needs %s of working space and %s is free above the reserve the server keeps (%s short); try again later",
		megabytes(e.Need), megabytes(e.Spare), megabytes(e.Need-e.Spare))
}

// megabytes is n in MB, rounded up so that a shortfall never reads 0 MB.
func megabytes(n int64) string { return fmt.Sprintf("%d MB", (n+999_999)/1_000_000) }

// renderScratch bounds the local disk a render of the project's files
// with session text takes (engine.EstimateScratch), from the frame counts
// the store recorded at upload: nothing is read to know it.
func renderScratch(session []byte, files []store.File) engine.Scratch {
	var stems []string
	mix := ""
	inputs := map[string]audio.Info{}
	for _, f := range files {
		fi := DecodeFileInfo(f)
		inputs[f.Name] = audio.Info{Container: fi.Container, Frames: fi.Frames,
			Format: audio.Format{SampleRate: fi.SampleRate, Channels: fi.Channels, BitDepth: fi.BitDepth}}
		if f.Kind == store.KindMix {
			mix = f.Name
		} else {
			stems = append(stems, f.Name)
		}
	}
	if len(stems) == 0 && mix != "" {
		stems, mix = []string{mix}, "" // a stereo master, as fetch lays it out
	}
	s := Sessions{}.ReconcileSession(session, stems, mix)
	return engine.EstimateScratch(s, inputs)
}

// OutputBytes bounds what a render of sess over fs stores in the blob
// store and keeps as a revision: its deliverables, the A/B preview and
// the report with its pictures (engine.EstimateScratch).
func (fs Files) OutputBytes(sess *stemmaster.Session) int64 {
	sc := renderScratch(encodeSession(sess), fs)
	return sc.Deliverables + sc.Preview + sc.Report
}

// inputCopies is the disk the render's copies of its inputs take: their
// stored sizes, or nothing when they are read in place.
func (r *Runner) inputCopies(files []store.File) int64 {
	if r.ReadInPlace {
		return 0
	}
	var n int64
	for _, f := range files {
		n += f.Size
	}
	return n
}
