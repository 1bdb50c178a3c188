package engine

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/check"
	"stemmaster/internal/atomicfile"
	"stemmaster/internal/safego"
	"stemmaster/loudness"
)

// checkOutDir fails early, before any audio is processed, when the output
// directory is missing or not writable.
func checkOutDir(dir string) error {
	if dir == "" {
		return errors.New("engine: no output directory")
	}
	return atomicfile.CheckDir(dir, "output directory")
}

// lockOutDir holds the output directory for one render at a time: two
// renders committing into it at once could leave one's report beside the
// other's masters, and one could take the other's temporary files, if
// they wait long enough, for a killed render's (removeStale). The second
// is refused at once rather than queued behind a render of unknown length.
// Where no lock can be taken (a file system without flock, a directory
// that can be written but not listed) the render goes on without one
// (held is false): the lock guards against a mistake, it is no condition
// of rendering.
func lockOutDir(dir string) (unlock func(), held bool, err error) {
	unlock, err = atomicfile.LockDir(dir)
	switch {
	case errors.Is(err, atomicfile.ErrLocked):
		return nil, false, fmt.Errorf("output directory %s is in use by another render: wait for it to end, or choose another output directory", dir)
	case err != nil:
		return func() {}, false, nil
	}
	return unlock, true, nil
}

// readHeaders reads every stem's header: the rates must agree (or the stem
// consents to resampling: songRate), stems are
// mono or stereo, and the song is as long as the longest stem with its
// offset.
func (r *renderer) readHeaders() error {
	var errs []error
	for i, st := range r.s.Stems {
		p := r.s.Path(st.File)
		r.stamp(p)
		info, err := r.opt.OpenInput.stat(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if c := info.Format.Channels; c != 1 && c != 2 {
			errs = append(errs, &audio.FileError{Path: p, Err: fmt.Errorf("%d channels: stems must be mono or stereo", c)})
			continue
		}
		if info.Frames < 0 {
			// Written to a pipe (a FLAC's STREAMINFO without its total):
			// the song's length needs the count.
			if info.Frames, err = r.countFrames(p, info); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		r.inputs = append(r.inputs, stemInput{index: i, spec: st, path: p, info: info, open: r.opt.OpenInput, rangeGuard: r.opt.SkipCheck})
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if err := r.songRate(); err != nil { // stemfix.go
		return err
	}
	// The strips and the master meter with package loudness, which refuses
	// (panics on) a rate it cannot meter: refuse such stems here, by name.
	if err := loudness.CheckFormat(float64(r.rate), busChannels); err != nil {
		return &audio.FileError{Path: r.inputs[0].path, Err: fmt.Errorf("sample rate %d Hz: stemmaster renders %d … %d Hz",
			r.rate, loudness.MinSampleRate, loudness.MaxSampleRate)}
	}
	for _, in := range r.inputs {
		r.frames = max(r.frames, in.info.Frames+in.spec.OffsetSamples)
	}
	if r.frames <= 0 {
		return noAudio(r.inputs)
	}
	for _, w := range offsetOut(r.inputs) {
		r.warn(w)
	}
	for _, v := range r.s.Versions {
		if why := r.s.AsMain(v); why != "" {
			r.warn(fmt.Sprintf("the %s version plays every stem main plays (%s): it is the main master again; give the vocal stems their role", v, why))
		}
	}
	maxS := r.maxDurationS()
	if limit := int64(min(maxS*float64(r.rate), math.MaxInt32)); r.frames > limit {
		return fmt.Errorf("the song would be %.1f s long (stems and offset_samples); the engine renders at most %.0f s",
			float64(r.frames)/float64(r.rate), float64(limit)/float64(r.rate))
	}
	r.hash = sessionHash(r.s, r.inputs)
	return nil
}

// maxDurationS is the longest song the render takes, in seconds.
func (r *renderer) maxDurationS() float64 {
	if r.opt.MaxDurationS > 0 {
		return r.opt.MaxDurationS
	}
	return DefaultMaxDurationS
}

// countFrames decodes the stem at p, whose header does not give its
// length, to count its frames: as far as just past the longest song, which
// the length check then refuses.
func (r *renderer) countFrames(p string, info audio.Info) (int64, error) {
	f, err := r.opt.OpenInput.openAudio(p)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n, err := CountFrames(f, int64(r.maxDurationS()*float64(info.Format.SampleRate)))
	var fe *audio.FileError
	if err != nil && !errors.As(err, &fe) {
		err = &audio.FileError{Path: p, Err: err}
	}
	return n, err
}

// CountFrames reads r to its end, or until more than limit frames, and
// returns the frames read: the length of a stream whose header does not
// give it. Memory stays one block.
func CountFrames(r audio.Reader, limit int64) (int64, error) {
	buf := audio.NewBuffer(r.Info().Format.Channels, BlockSize)
	var n int64
	for n <= limit {
		got, err := r.Read(buf)
		n += int64(got)
		if err == io.EOF || err == nil && got == 0 {
			break
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// startCheck runs the stem checks (package check) on the stems and the
// mix beside the render and returns a function that waits for their
// findings. Error-severity findings do not stop a render — the session may
// already correct them (offset_samples, polarity) — they are reported.
func (r *renderer) startCheck() func() (*stemmaster.CheckReport, error) {
	var paths []string
	for _, in := range r.inputs {
		paths = append(paths, in.path)
	}
	srcs := r.opt.OpenInput.sources(paths)
	r.tees = make([]*tee, len(srcs))
	for i := range srcs {
		r.tees[i] = newTee()
		srcs[i] = r.tees[i].source(srcs[i])
	}
	mix := ""
	if r.s.Mix != "" {
		mix = r.s.Path(r.s.Mix)
	}
	type result struct {
		rep *stemmaster.CheckReport
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer safego.Recover("check", func(err error) { done <- result{nil, err} })
		defer r.clk.begin("check")()
		rep, err := check.Run(r.ctx, srcs, r.opt.OpenInput.mixSource(mix), check.Options{NoStemTruePeak: true})
		done <- result{rep, err}
	}()
	return func() (*stemmaster.CheckReport, error) {
		res := <-done
		return res.rep, res.err
	}
}

// checkOverwrite refuses a render whose outputs would replace one of its
// inputs (a stem called main.wav rendered into its own directory): the
// local inputs as readHeaders stamped them.
func (r *renderer) checkOverwrite() error {
	for _, v := range r.s.Versions {
		for _, o := range r.s.Outputs {
			p := filepath.Join(r.opt.OutDir, o.FileName(v))
			fi, err := os.Stat(p)
			if err != nil {
				continue
			}
			if in, ok := r.stamped(fi); ok {
				return fmt.Errorf("output %s would overwrite the input %s: choose another output directory", p, in)
			}
		}
	}
	return nil
}

// sessionHash identifies a render: SHA-256 over the session as JSON and each
// stem's header figures. It seeds the dither. The session is hashed with its
// files reduced to their base names (and no directory), so the same stems
// named by relative or absolute paths, or from another working directory,
// give the same hash and the same bytes.
func sessionHash(s *stemmaster.Session, in []stemInput) string {
	h := sha256.New()
	c := *s
	c.Dir, c.Name, c.Lines = "", "", nil
	c.Stems = append([]stemmaster.StemSpec(nil), s.Stems...)
	for i := range c.Stems {
		c.Stems[i].File = filepath.Base(c.Stems[i].File)
	}
	if c.Mix != "" {
		c.Mix = filepath.Base(c.Mix)
	}
	js, _ := json.Marshal(&c)
	h.Write(js)
	for _, st := range in {
		f := st.info.Format
		fmt.Fprintf(h, "|%s|%s|%d|%d|%d|%s|%d", filepath.Base(st.path), st.info.Container, f.SampleRate, f.Channels, f.BitDepth, f.SampleFormat, st.info.Frames)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ditherSeed derives a deliverable's dither seed from the session hash and
// the file name, so every file has its own noise and reruns are identical.
func ditherSeed(hash, name string) uint64 {
	sum := sha256.Sum256([]byte(hash + "/" + name))
	return binary.LittleEndian.Uint64(sum[:8])
}
