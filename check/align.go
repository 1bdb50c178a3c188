package check

import (
	"math"
	"runtime"
	"slices"
	"sync"

	"stemmaster/analysis"
	"stemmaster/internal/faultpoint"
	"stemmaster/internal/safego"
)

// Alignment parameters.
const (
	// JointSeconds is the length of the window of the mix over which every
	// stem's lag, gain and channel layout are fitted jointly.
	JointSeconds = 2.0
	// jointRadius is how far, in samples, the joint fit searches around
	// the lag the first search gave (its error on a narrow-band stem is a
	// few samples).
	jointRadius = 32
	// jointActive: a stem with less than this share of its loudest
	// window's energy in the joint window is not aligned there (it keeps
	// the first search's lag).
	jointActive = 0.01
	// jointLostShare: a stem in the mix explains nearly all of what the
	// other stems leave of it; one at a wrong lag explains a chance part,
	// or (a stem that repeats) a large part but not all. Below this share
	// the long search runs; its candidates join the ones already tried, so
	// a stem it does not help keeps its lag.
	jointLostShare = 0.9
	// When the fit leaves more than jointPoorDB of the window's mix, the
	// stems that explain less than jointDoubtShare of what the others
	// leave are searched too (a loop moved by whole bars explains nearly
	// all of itself at the wrong bar).
	jointPoorDB     = -40.0
	jointDoubtShare = 0.99
	// longCandidates is how many peaks of each view of the long search
	// the joint fit tries.
	longCandidates = 6
	// probeMoved: a probed lag replaces the one the shared window chose
	// when it leaves at most this fraction of what that one leaves
	// unexplained, each in a window of its own.
	probeMoved = 0.5
	// maxEdgeSteps bounds how many times the joint fit moves a range on.
	maxEdgeSteps = 4
)

func sign(v int) int {
	if v < 0 {
		return -1
	}
	return 1
}

// alignAll measures each stem's offset against the mix: a first search per
// stem (analysis.Align over ±ShortOffsetSeconds around its loudest
// stretch), then the joint fit of every stem over one window
// (analysis.JointWindow), which makes each lag exact and finds exchanged
// and inverted channels; a stem the joint fit cannot explain is searched
// over ±MaxOffsetSeconds (analysis.LongAlign) and fitted again, and one it
// still explains poorly has each candidate lag fitted in a window of its
// own (probeCandidates). A clean delivery takes only the first two steps.
func (c *checker) alignAll(sum []*input) error {
	var todo []*input
	for _, in := range sum {
		if !in.silent && !in.copyOf() && !in.dcOnly {
			todo = append(todo, in)
		}
	}
	wins := c.alignWindowsOf(todo, min(int(ShortOffsetSeconds*float64(c.rate)), analysis.MaxAlignLag))
	if err := c.parallel(wins.order, func(in *input) error { return c.align(in, wins) }); err != nil {
		return err
	}
	j := newJointReads()
	if err := c.jointAll(j, todo); err != nil {
		return err
	}
	// A stem the joint fit explains poorly at the first search's lag sits
	// elsewhere (music that repeats fooled the short search): search it
	// over the long range and fit again.
	var lost []*input
	for _, in := range todo {
		if in.jointActive && !in.longLag && (in.jointShare < jointLostShare || in.jointPoor && in.jointShare < jointDoubtShare) {
			lost = append(lost, in)
		}
	}
	if len(lost) == 0 {
		return nil
	}
	if err := c.alignLong(lost); err != nil {
		return err
	}
	if err := c.jointAll(j, todo); err != nil {
		return err
	}
	for _, in := range lost {
		if in.jointShare < jointLostShare || in.jointPoor && in.jointShare < jointDoubtShare {
			if err := c.probeCandidates(j, todo, in); err != nil {
				return err
			}
		}
	}
	return nil
}

// alignState is what the joint fit decided for a stem.
type alignState struct {
	lag                  int
	aligned, swapped     bool
	sign                 [2]float64
	share                float64
	active, poor, atEdge bool
}

func (in *input) alignState() alignState {
	return alignState{in.lag, in.aligned, in.swapped, in.sign, in.jointShare, in.jointActive, in.jointPoor, in.atEdge}
}

func (in *input) setAlignState(s alignState) {
	in.lag, in.aligned, in.swapped, in.sign = s.lag, s.aligned, s.swapped, s.sign
	in.jointShare, in.jointActive, in.jointPoor, in.atEdge = s.share, s.active, s.poor, s.atEdge
}

// probeCandidates fits a stem the shared window still explains poorly at
// each of its candidate lags alone, each over a window where the stem has
// its material at that lag, and keeps the lag that explains the most of
// what the other stems leave.
//
// The shared window is chosen for every stem at once: a stem moved by
// seconds may run off its file's end there at its true lag, so that it
// explains only part of the window, while a wrong bar of a loop (or a
// phrase one period away) fits whole and explains more.
func (c *checker) probeCandidates(j *jointReads, ins []*input, in *input) error {
	lags := []int{in.lag}
	for _, lc := range append(slices.Clip(in.longCands), in.wideCands...) {
		if !slices.ContainsFunc(lags, func(l int) bool { return absInt(l-lc.Lag) <= analysis.LongRadius }) {
			lags = append(lags, lc.Lag)
		}
	}
	cur := in.alignState()
	best, found := cur, false
	for _, lag := range lags {
		in.setAlignState(cur)
		// The window is where the stem plays at lag; the lag chosen so
		// far competes there too.
		in.lag, in.aligned, in.probe = lag, true, []int{lag}
		if absInt(lag-lags[0]) > analysis.LongRadius {
			in.probe = append(in.probe, lags[0])
		}
		err := c.alignJoint(j, ins, in)
		in.probe = nil
		if err != nil {
			return err
		}
		if !in.jointActive || in.jointShare < analysis.MinJointShare || absInt(in.lag-lag) > analysis.LongRadius {
			continue
		}
		if lag == lags[0] {
			// the lag the shared window chose, in a window of its own
			found, best = true, in.alignState()
			continue
		}
		// Another lag must leave at most half of what the lag chosen
		// leaves unexplained.
		if !found || 1-in.jointShare <= probeMoved*(1-best.share) {
			best, found = in.alignState(), true
		}
	}
	if !found {
		best = cur
	}
	in.setAlignState(best)
	return nil
}

// jointAll runs the joint fit over the window where most stems play, then
// once more for each stem that has no material there, over a window where
// it plays.
func (c *checker) jointAll(j *jointReads, ins []*input) error {
	if err := c.alignJoint(j, ins, nil); err != nil {
		return err
	}
	// A lag on the edge of the range searched may be short of the best:
	// search on beyond it, a few times.
	for range maxEdgeSteps {
		more := false
		for _, in := range ins {
			if in.atEdge {
				in.extraLags = append(in.extraLags, in.edgeLag)
				more = true
			}
		}
		if !more {
			break
		}
		if err := c.alignJoint(j, ins, nil); err != nil {
			return err
		}
	}
	for _, in := range ins {
		if !in.jointActive && in.st.peak > 0 {
			if err := c.alignJoint(j, ins, in); err != nil {
				return err
			}
		}
	}
	return nil
}

// parallel runs f for every input, a few at a time, and returns the first
// error (or ctx's).
func (c *checker) parallel(ins []*input, f func(in *input) error) error {
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, max(runtime.GOMAXPROCS(0), 1))
	wg := safego.Group{Stage: "check's alignment"}
	for _, in := range ins {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if c.ctx.Err() != nil {
				return
			}
			faultpoint.Hit("check.align")
			if err := f(in); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := c.ctx.Err(); err != nil {
		return err
	}
	return firstErr
}

// loudestExcerpt reads the loudest AlignSeconds of a stem, the stretch
// both searches correlate with the mix: its first frame and its channels
// (nil when the stem has no frames).
func (c *checker) loudestExcerpt(in *input) (int64, [][]float32, error) {
	start, length := c.loudestWindow(in)
	if length == 0 {
		return 0, nil, nil
	}
	x, err := c.alignExcerpt(in, start, length)
	return start, x, err
}

// loudestWindow is where loudestExcerpt reads: its first frame and length.
func (c *checker) loudestWindow(in *input) (int64, int) {
	return loudestStretch(in.st.blockEnergy, BlockFrames, int(AlignSeconds*float64(c.rate)), in.st.frames)
}

// alignWindows are the stretches of the mix the first search correlates
// the stems with. Stems whose loudest stretch is the same (every stem of a
// delivery shorter than AlignSeconds) share one read of it and one
// analysis.AlignRef, kept until the last of them is aligned; a stretch
// only one stem has is read for it and let go (analysis.Align).
type alignWindows struct {
	maxLag int
	// order is the stems to align, those of one window next to each other
	// so that a shared window is held for as short a time as the stems
	// allow
	order []*input
	mu    sync.Mutex
	byKey map[[2]int64]*alignWindow
}

// alignWindow is one stretch of the mix.
type alignWindow struct {
	once   sync.Once
	ref    *analysis.AlignRef
	err    error
	users  int  // stems still to align against it
	shared bool // by more than one stem
}

func (c *checker) alignWindowsOf(todo []*input, maxLag int) *alignWindows {
	w := &alignWindows{maxLag: maxLag, byKey: map[[2]int64]*alignWindow{}}
	var keys [][2]int64
	for _, in := range todo {
		start, length := c.loudestWindow(in)
		k := [2]int64{start, int64(length)}
		if w.byKey[k] == nil {
			w.byKey[k] = &alignWindow{}
			keys = append(keys, k)
		}
		w.byKey[k].users++
		w.byKey[k].shared = w.byKey[k].users > 1
	}
	for _, k := range keys {
		for _, in := range todo {
			if start, length := c.loudestWindow(in); k == [2]int64{start, int64(length)} {
				w.order = append(w.order, in)
			}
		}
	}
	return w
}

// align correlates the loudest AlignSeconds of a stem with the mix.
func (c *checker) align(in *input, wins *alignWindows) error {
	start, x, err := c.loudestExcerpt(in)
	if x == nil || err != nil {
		return err
	}
	shared, err := wins.ref(c, [2]int64{start, int64(len(x[0]))})
	if err != nil {
		return err
	}
	var a analysis.Alignment
	if shared != nil {
		a = shared.Align(alignView(x))
	} else {
		ref, err := c.alignExcerpt(c.mix, start-int64(wins.maxLag), len(x[0])+2*wins.maxLag)
		if err != nil {
			return err
		}
		a = analysis.Align(alignView(x), monoInPlace(ref), wins.maxLag)
	}
	if math.Abs(a.Peak) >= analysis.MinAlignPeak {
		in.lag, in.aligned = a.Lag, true
	}
	return nil
}

// ref returns the window's AlignRef when stems share it (nil when it is
// one stem's), reading the mix for the first stem that needs it; the
// window is let go with its last stem's call.
func (w *alignWindows) ref(c *checker, key [2]int64) (*analysis.AlignRef, error) {
	w.mu.Lock()
	e := w.byKey[key]
	if e.users--; e.users == 0 {
		delete(w.byKey, key)
	}
	w.mu.Unlock()
	if !e.shared {
		return nil, nil
	}
	e.once.Do(func() {
		ref, err := c.alignExcerpt(c.mix, key[0]-int64(w.maxLag), int(key[1])+2*w.maxLag)
		if err != nil {
			e.err = err
			return
		}
		e.ref = analysis.NewAlignRef(monoInPlace(ref), w.maxLag)
	})
	return e.ref, e.err
}

// alignLong searches ±MaxOffsetSeconds for the stems the first search
// could not place, against the mix decimated in one more pass over it.
func (c *checker) alignLong(lost []*input) error {
	r, err := c.reader(c.mix)
	if err != nil {
		return err
	}
	s := newStream(r, BlockFrames, 0)
	defer s.close()
	d := analysis.NewDecimator()
	m := make([]float32, BlockFrames)
	for {
		n := s.fill(0)
		if n == 0 {
			break
		}
		data := s.bufs[0].Data
		for i := range n {
			var v float32
			for _, ch := range data {
				v += ch[i]
			}
			m[i] = v / float32(len(data))
		}
		d.Add(m[:n])
		if c.ctx.Err() != nil {
			return c.ctx.Err()
		}
	}
	low, env := d.Finish()
	return c.parallel(lost, func(in *input) error {
		start, x, err := c.loudestExcerpt(in)
		if x == nil || err != nil {
			return err
		}
		in.longCands = analysis.LongAlign(alignView(x), start, low, env, int(MaxOffsetSeconds*float64(c.rate)), longCandidates)
		in.longLag = true
		return nil
	})
}
