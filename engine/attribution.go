package engine

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/dyneq"
	"stemmaster/loudness"
)

// trackLevels records the largest |x| of the n frames of dst just output
// per curve step.
func (s *strip) trackLevels(dst *audio.Buffer, n int) {
	step := int64(stepFrames(s.rate))
	for i := 0; i < n; {
		pos := s.emitted + int64(i)
		k := int(pos / step)
		end := int(min(int64(n), int64(i)+int64(k+1)*step-pos))
		for len(s.levels) <= k {
			s.levels = append(s.levels, 0)
		}
		for _, ch := range dst.Data {
			s.levels[k] = max(s.levels[k], loudness.PeakAbs(ch[i:end]))
		}
		i = end
	}
	s.emitted += int64(n)
}

// trackDeEsser records the strip's de-esser reduction (its largest in the
// block of n frames just processed, ending at s.fed) on every curve step
// the block touches, for the report's gain-reduction-over-time series.
func (s *strip) trackDeEsser(n int) {
	for _, p := range s.chain {
		d, ok := p.(*dyneq.Band)
		if !ok || d.Params().Mode != dyneq.ModeSplit {
			continue
		}
		step := int64(stepFrames(s.rate))
		first, last := int((s.fed-int64(n))/step), int((s.fed-1)/step)
		for len(s.deEss) <= last {
			s.deEss = append(s.deEss, 0)
		}
		gr := float32(d.BlockMaxGRDB())
		for k := first; k <= last; k++ {
			s.deEss[k] = max(s.deEss[k], gr)
		}
		return
	}
}

// attribute shares the limiter's gain reduction out to the stems that
// caused it: each curve step's largest reduction (dB) is split in
// proportion to the stems' peak levels in that step, so a stem's share is
// how much of the reduction happened while it made up the peaks. With the
// plain limiter every stem takes the same reduction, the master's.
func attribute(rep *stemmaster.Report, strips []*strip, grStep []float64) {
	caused := make([]float64, len(strips))
	var total float64
	for k, gr := range grStep {
		if gr <= 0 {
			continue
		}
		var sum float64
		for _, st := range strips {
			if st != nil && k < len(st.levels) {
				sum += float64(st.levels[k])
			}
		}
		if sum == 0 {
			continue
		}
		for i, st := range strips {
			if st != nil && k < len(st.levels) {
				caused[i] += gr * float64(st.levels[k]) / sum
			}
		}
		total += gr
	}
	lim := rep.Master.Limiter
	for i := range rep.Stems {
		if strips[i] == nil {
			continue
		}
		c := 0.0
		if total > 0 {
			c = caused[i] / total
		}
		rep.Stems[i].Limiter = &stemmaster.StemLimiterReport{CausedShare: stemmaster.Level(c), GainReduction: lim.GainReduction}
	}
	lim.Attribution = attributionText(rep.Stems)
}

// attributionText says which stems caused the limiter's reduction, from
// the stems' caused shares, largest first: "drums caused 43 % of the
// limiter's gain reduction, bass 26 %, …". Stems are named by their roles
// when every metered stem has a role of its own; otherwise all are named
// by their files, so one sentence never mixes roles and file names.
func attributionText(stems []stemmaster.StemLoudness) string {
	type share struct {
		name string
		v    float64
	}
	roles := map[stemmaster.Role]int{}
	byRole := true
	for _, sl := range stems {
		if sl.Limiter == nil {
			continue
		}
		roles[sl.Role]++
		if sl.Role == "" || sl.Role == stemmaster.RoleOther || roles[sl.Role] > 1 {
			byRole = false
		}
	}
	var shares []share
	total := 0.0
	for _, sl := range stems {
		if sl.Limiter == nil {
			continue
		}
		name := filepath.Base(sl.File)
		if byRole {
			name = string(sl.Role)
		}
		shares = append(shares, share{name, float64(sl.Limiter.CausedShare)})
		total += float64(sl.Limiter.CausedShare)
	}
	if total == 0 {
		return "the limiter did not reduce the gain"
	}
	slices.SortStableFunc(shares, func(a, b share) int { return -cmpFloat(a.v, b.v) })
	var parts []string
	for i, s := range shares {
		if i == 0 {
			parts = append(parts, fmt.Sprintf("%s caused %.0f %% of the limiter's gain reduction", s.name, 100*s.v))
		} else {
			parts = append(parts, fmt.Sprintf("%s %.0f %%", s.name, 100*s.v))
		}
	}
	return strings.Join(parts, ", ")
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// correlation reports the stereo correlation of a master (its mono
// compatibility) that c measured as the master streamed: null figures
// (no signal) when a channel of the master is silent, never a perfect score.
func correlation(c *dsp.Correlation) *stemmaster.CorrelationReport {
	if !c.HasSignal() {
		return &stemmaster.CorrelationReport{Overall: stemmaster.Level(math.NaN()), MinWindow: stemmaster.Level(math.NaN())}
	}
	v, mn := c.Value()
	return &stemmaster.CorrelationReport{Overall: stemmaster.Level(v), MinWindow: stemmaster.Level(mn)}
}
