package engine

import (
	"fmt"
	"sync"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/limiter"
	"stemmaster/dsp/stemlimit"
	"stemmaster/internal/faultpoint"
	"stemmaster/internal/safego"
)

// Stem-aware limiting (master.limiter.stem_aware): the targeting passes
// run package stemlimit on a version's stems, summed by weight class
// (stemClass), each class after its stems' strips and the master's chain,
// instead of the true-peak limiter on their sum. The classes through the
// master chain add up to the bus: the linear stages (EQ, match EQ, width)
// process each class as they would the sum, and the others (the glue
// compressor, stereo or mid/side, the multiband, saturation: every
// dsp.Sidechained stage) process each class keyed by the sum of the
// classes at their input, so each class gets exactly the gains the sum
// gets.

// stemAwareInput is what the stem-aware limiter reads: the stems after the
// master's chain, full length in their scratch files, summed by weight
// class (the stems of one weight take the same share of every peak, see
// weightClasses), the classes' weights, and where their stems sit in the
// report.
type stemAwareInput struct {
	stems   []*stemSpool // one per class: its stems' sum (stemClass)
	weights []float64
	index   [][]int // report.Stems index of each class's stems
	dir     string  // where scratch files go
	noKeep  bool    // Options.noKeep
	plain1  bool    // Options.plainFirst
	noProbe bool    // Options.noProbe
	// begin starts the chains (start); running says it has
	begin   func()
	running bool
	// prog: how far the chains (startChains) have written the classes;
	// chainsDone closes when they are through
	prog       *chainProgress
	chainsDone chan struct{}
	// The limiters' sharing workers (stemAwareLimiter) stop when quit
	// closes; busy counts the blocks they are reading and sharing.
	quit     chan struct{}
	quitOnce sync.Once
	busy     sync.WaitGroup
}

// close stops the limiters' workers, waits for the blocks they are on,
// and lets the stems' scratch files go; nil does nothing, a second call
// nothing more.
func (sa *stemAwareInput) close() {
	if sa == nil {
		return
	}
	sa.quitOnce.Do(func() {
		if sa.quit != nil {
			close(sa.quit)
		}
	})
	if sa.chainsDone != nil { // the chains stop at their next window
		sa.prog.halt()
		<-sa.chainsDone
	}
	sa.busy.Wait()
	for _, s := range sa.stems {
		s.close()
	}
}

// stemAwareInput takes the weight classes of strips (their stems summed
// in their scratch files, stemClass) and returns them, ready to run the
// master's chain over each class, in place in its file, once started
// (start: the limiter reads each window of a class as soon as the chains
// have written it); nil without stem-aware limiting. The stages that act
// on the sum keep doing so (see stageGroups), so the classes still add up
// to bus, the master chain's output on their sum.
//
// A class is the stems of one weight (the lead vocal at 0.2, the drums
// at 2, the others at 1 by default): the sharing gives stems of equal
// weight the same share of a peak (stemlimit: α_s = k·w_s) but for a stem
// too quiet to take part in it, so the stems of a class take the
// reduction together, and the chains and the sharing run once per class,
// not once per stem.
func (r *renderer) stemAwareInput(strips []*strip, bus *audio.Buffer) (*stemAwareInput, error) {
	m := r.s.Master
	if m.Limiter == nil || m.Limiter.StemAware == nil {
		return nil, nil
	}
	rate := float64(r.rate)
	sa := &stemAwareInput{quit: make(chan struct{}), dir: r.opt.OutDir, noKeep: r.opt.noKeep, plain1: r.opt.plainFirst, noProbe: r.opt.noProbe}
	var chains [][]dsp.Processor
	for _, st := range strips {
		c := st.stemClass()
		if c == nil || c.spool == nil {
			continue
		}
		sa.stems = append(sa.stems, c.spool)
		sa.weights = append(sa.weights, c.weight)
		sa.index = append(sa.index, c.members)
		c.spool = nil // the class's file is sa's now
		chain, err := masterChain(m, rate)
		if err != nil {
			sa.close()
			dropClasses(strips)
			return nil, err
		}
		chains = append(chains, chain)
	}
	dropClasses(strips)
	if len(sa.stems) == 0 {
		sa.close()
		return nil, fmt.Errorf("stem-aware limiting: no stem plays in the version")
	}
	sa.begin = func() { sa.startChains(chains, m.Saturation, bus, rate, r.frames, r.clk.begin("stem-aware chains")) }
	return sa, nil
}

// start starts the master's chains over the classes (startChains), once;
// the limiter reads the classes as they are written. Until then the
// classes are their stems' sums, unread.
func (sa *stemAwareInput) start() {
	if !sa.running {
		sa.running = true
		sa.begin()
	}
}

// versionLimiter is the limiter of a version other than the main one:
// stem-aware on the version's stems when the session asks for it (with
// the main version's parameters and gain), plain otherwise. The version's
// stems stay with tr until the next version, for a deliverable that
// renders the version again (regenerate).
func (r *renderer) versionLimiter(tr *targeting, strips []*strip, bus *audio.Buffer, block int) (busLimiter, error) {
	sa, err := r.stemAwareInput(strips, bus)
	if err != nil {
		return nil, err
	}
	if sa != nil {
		sa.start()
	}
	tr.versionSA.close()
	tr.versionSA = sa
	return tr.limiter(float64(r.rate), block, false)
}

// stemInput is what a stem-aware limiter of the main version (main) or of
// the version being rendered reads; nil when the limiting is plain.
func (tr *targeting) stemInput(main bool) *stemAwareInput {
	if main {
		if tr.sa != nil && !tr.sa.running {
			return nil // the final pass was the plain one (awarePending)
		}
		return tr.sa
	}
	return tr.versionSA
}

// dropStems lets the main version's stems go once its deliverables are
// written (the report has their figures), so a version limited stem-aware
// on its own stems does not hold both sets. Its error is a panic keeping
// the main version's master (keptPass.drop).
func (tr *targeting) dropStems() error {
	tr.sa.close()
	tr.sa = nil
	err := tr.kept.drop()
	tr.kept = nil
	if tr.stemAware != nil {
		tr.stemAware.in, tr.stemAware.views = nil, nil
	}
	return err
}

// stemAwareLimiter adapts stemlimit.Limiter to a targeting pass: Process
// ignores the gained bus it is handed and limits the stems at the same
// position, gained by the pass's gain, into it.
//
// The limiter runs as a two-part pipeline: while Process finishes a block
// (the final limiter and the statistics, stemlimit's Finish), a worker
// goroutine reads the next block of the stems and takes it through the
// sharing stages (Share) into the other slot. The blocks are the pass's:
// block frames each, the last one short, frames plus the latency in all;
// a Process of another length is a programming error and panics.
type stemAwareLimiter struct {
	in    *stemAwareInput
	sl    *stemlimit.Limiter
	gain  float32
	pos   int
	views []*audio.Buffer // the stems' blocks in their read windows
	// readers are its read windows on the classes' files, its own: other
	// limiters on the same input may read them at once.
	readers []*spoolReader
	zeros   []float32    // a stem that cannot be read
	err     error        // the first error reading a stem
	bug     safego.Carry // the worker's panic, for readErr

	block, total int
	// ahead: the block at pos (nextN frames) is shared, or being shared,
	// into slot; jobs and done talk to the worker (started by the first
	// Process), done says a job is through.
	ahead bool
	slot  int
	nextN int
	jobs  chan shareJob
	done  chan struct{}
	work  bool // a job is under way
}

// shareJob is a block for the worker: frames [pos, pos+n) into slot.
type shareJob struct{ pos, n, slot int }

// newBusLimiter returns the pass limiter: stem-aware when sa is set.
func newBusLimiter(p limiter.Params, rate float64, block int, sa *stemAwareInput) (busLimiter, error) {
	if sa == nil || !sa.running {
		l, err := newLimiter(p, rate, block)
		if err != nil {
			return nil, err
		}
		if sa != nil { // the plain pass of awarePending
			l.TrackReading(quietMargin)
		}
		return l, nil
	}
	// The report attributes the reduction to the stems (attribute), not
	// to the classes the limiter sees.
	sp := stemlimit.Params{Limiter: p, Aware: true, Weights: sa.weights, SkipAttribution: true}
	if err := sp.Validate(len(sa.stems)); err != nil {
		return nil, err
	}
	a := &stemAwareLimiter{in: sa, sl: stemlimit.New(sp, len(sa.stems)), gain: 1, block: block}
	a.sl.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: max(block, BlockSize), Channels: busChannels})
	for _, sp := range sa.stems {
		a.views = append(a.views, &audio.Buffer{Data: make([][]float32, busChannels)})
		a.readers = append(a.readers, sp.reader())
	}
	a.zeros = make([]float32, max(block, BlockSize))
	a.total = int(sa.stems[0].frames) + a.sl.Latency()
	return a, nil
}

// keepStemStats says whether the next pass of lim, when stem-aware, keeps
// the stems' reductions (stemlimit.Limiter.SkipStemStats).
func keepStemStats(lim busLimiter, keep bool) {
	if a, ok := lim.(*stemAwareLimiter); ok {
		a.wait()
		a.sl.SkipStemStats(!keep)
	}
}

// Reset waits for the worker's block and clears the limiter.
func (a *stemAwareLimiter) Reset() {
	a.wait()
	a.sl.Reset()
	a.pos, a.slot, a.ahead = 0, 0, false
}

func (a *stemAwareLimiter) Latency() int          { return a.sl.Latency() }
func (a *stemAwareLimiter) BlockMaxGRDB() float64 { return a.sl.BlockMaxGRDB() }

// Stats are the detector's: the reduction the sum needed.
func (a *stemAwareLimiter) Stats() limiter.Stats { a.wait(); return a.sl.DetectorStats() }

// Process limits the stems' next buf.Frames() frames into buf. A stem's
// scratch file that cannot be read gives silence and the error, which err
// returns.
func (a *stemAwareLimiter) Process(buf *audio.Buffer) {
	n := buf.Frames()
	if a.ahead {
		a.wait()
		if n != a.nextN {
			panic(fmt.Sprintf("stem-aware limiter: a block of %d frames at %d, %d expected", n, a.pos, a.nextN))
		}
	} else {
		a.share(a.in, shareJob{a.pos, n, a.slot})
	}
	slot := a.slot
	a.ahead = false
	if next := a.pos + n; next < a.total && a.start() {
		a.ahead, a.slot, a.nextN = true, 1-slot, min(a.block, a.total-next)
		a.work = true
		a.in.busy.Add(1)
		a.jobs <- shareJob{next, a.nextN, a.slot}
	}
	a.sl.Finish(slot, buf)
	a.pos += n
}

// start starts the worker unless it runs, and reports whether it does
// (not once the stems are closed).
func (a *stemAwareLimiter) start() bool {
	if a.jobs != nil {
		return true
	}
	select {
	case <-a.in.quit:
		return false
	default:
	}
	in, jobs, done := a.in, make(chan shareJob), make(chan struct{}, 1)
	a.jobs, a.done = jobs, done
	// The worker holds its own references: dropStems lets a.in go once
	// the stems are closed.
	go func() {
		for {
			select {
			case j := <-jobs:
				func() {
					defer safego.Recover("stem-aware limiter's sharing", a.bug.Keep)
					faultpoint.Hit("render.share")
					a.share(in, j)
				}()
				in.busy.Done()
				done <- struct{}{}
			case <-in.quit:
				return
			}
		}
	}()
	return true
}

// wait waits for the worker's block, if any.
func (a *stemAwareLimiter) wait() {
	if a.work {
		<-a.done
		a.work = false
	}
}

// share reads frames [j.pos, j.pos+j.n) of in's stems and takes them through
// the sharing stages into slot j.slot.
func (a *stemAwareLimiter) share(in *stemAwareInput, j shareJob) {
	for s := range in.stems {
		v := a.views[s]
		if err := a.readers[s].view(v, int64(j.pos), j.n); err != nil {
			if a.err == nil {
				a.err = err
			}
			for c := range v.Data {
				v.Data[c] = a.zeros[:j.n]
			}
		}
	}
	a.sl.Share(a.views, a.gain, j.n, j.slot)
}

// readErr returns the worker's panic, else the first error reading the
// stems; nil does nothing. The worker lives on past a panic, so the pass
// runs to its end and fails here, through its own error path.
func (a *stemAwareLimiter) readErr() error {
	if a == nil {
		return nil
	}
	a.wait()
	if err := a.bug.Err(); err != nil {
		return err
	}
	return a.err
}

// reportStemAware marks the main version's limiter stem-aware in rep and
// sets each stem's reduction to the one the stem-aware limiter applied to
// its weight class (every stem of a class takes the same; none when the
// final pass was the plain limiter's, which reduced nothing: see
// awarePending); the shares each stem caused stay those attribute gave,
// from the stems' levels and the reduction the sum needed, as with the
// plain limiter. Without stem-aware limiting it does nothing.
func (tr *targeting) reportStemAware(rep *stemmaster.Report) {
	if tr.sa == nil || rep.Master.Limiter == nil {
		return
	}
	rep.Master.Limiter.StemAware = true
	if a := tr.stemAware; a != nil {
		a.report(rep)
	}
}

// report is reportStemAware's part from the limiter's statistics.
func (a *stemAwareLimiter) report(rep *stemmaster.Report) {
	a.wait()
	for k, st := range a.sl.Stats() {
		for _, i := range a.in.index[k] {
			sl := &rep.Stems[i]
			if sl.Limiter == nil {
				sl.Limiter = &stemmaster.StemLimiterReport{}
			}
			sl.Limiter.GainReduction = stemmaster.GainReduction{MaxDB: stemmaster.Level(st.MaxGRDB), MeanDB: stemmaster.Level(st.MeanGRDB), ActiveShare: stemmaster.Level(st.ActiveShare)}
		}
	}
	rep.Master.Limiter.Attribution = attributionText(rep.Stems)
}
