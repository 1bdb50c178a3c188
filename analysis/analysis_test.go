package analysis

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/internal/audiotest"
	"stemmaster/loudness"
)

// burstyNoise is a stem-like test signal: pink-ish noise in bursts (notes)
// with a tone under it, seeded.
func burstyNoise(seed uint64, n, rate int) []float32 {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([]float32, n)
	var lp float64
	for i := range out {
		t := float64(i) / float64(rate)
		env := math.Exp(-math.Mod(t, 0.25+0.1*float64(seed%3)) * 12)
		lp = 0.9*lp + 0.1*rng.NormFloat64()
		out[i] = float32(0.2*env*lp + 0.05*math.Sin(2*math.Pi*(110+20*float64(seed))*t))
	}
	return out
}

// TestAlignExact delays a stem inside a mix with other material and checks
// that Align finds the delay to the sample, and the polarity.
func TestAlignExact(t *testing.T) {
	t.Parallel()
	const rate = 48000
	const maxLag = 2 * rate
	const n = 6 * rate
	stem := burstyNoise(1, n+2*maxLag, rate)
	other := burstyNoise(2, n+2*maxLag, rate)
	tests := []struct {
		name     string
		lag      int
		polarity float32
	}{
		{"aligned", 0, 1},
		{"1 sample late", 1, 1},
		{"37 samples late", 37, 1},
		{"4800 samples late", 4800, 1},
		{"480 samples early", -480, 1},
		{"1.9 s late", 91200, 1},
		{"inverted, 37 late", 37, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The stem excerpt x is the stem at [maxLag, maxLag+n); the mix
			// holds the stem tc.lag samples earlier (the stem is late), plus
			// another stem, over [0, n+2·maxLag).
			x := make([]float32, n)
			for i := range x {
				x[i] = tc.polarity * stem[maxLag+i]
			}
			ref := make([]float32, n+2*maxLag)
			for i := range ref {
				if j := i + tc.lag; j >= 0 && j < len(stem) {
					ref[i] = stem[j]
				}
				ref[i] += other[i]
			}
			a := Align(x, ref, maxLag)
			if a.Lag != tc.lag {
				t.Errorf("lag %d, want %d (%+v)", a.Lag, tc.lag, a)
			}
			if math.Abs(a.Peak) < MinAlignPeak || math.Signbit(a.Peak) != (tc.polarity < 0) {
				t.Errorf("peak %.3f, want at least %.2f with the polarity's sign", a.Peak, MinAlignPeak)
			}
		})
	}
	t.Run("unrelated", func(t *testing.T) {
		x := burstyNoise(3, n, rate)
		ref := burstyNoise(4, n+2*maxLag, rate)
		if a := Align(x, ref, maxLag); math.Abs(a.Peak) >= MinAlignPeak {
			t.Errorf("unrelated signals aligned with confidence: %+v", a)
		}
	})
	t.Run("silent", func(t *testing.T) {
		if a := Align(make([]float32, n), burstyNoise(4, n+2*maxLag, rate), maxLag); a != (Alignment{}) {
			t.Errorf("silent stem: %+v, want zero", a)
		}
	})
}

// TestGramSolve accumulates a mix made of known gains and checks the
// solved gains and residual; the expected values are the ones put in.
func TestGramSolve(t *testing.T) {
	t.Parallel()
	const n, block = 48000, 4096
	const gainTol, dbTol = 1e-6, 0.2
	rng := rand.New(rand.NewPCG(5, 5))
	gains := []float64{0.5, -1.2, 1}
	tests := []struct {
		name       string
		extraDB    float64 // level of an independent signal in the mix, relative to it
		residualDB float64
	}{
		{"exact sum", math.Inf(-1), math.Inf(-1)},
		{"plus a missing part at -20 dB", -20, -20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := make([][]float64, 3)
			for i := range s {
				s[i] = make([]float64, n)
				for k := range s[i] {
					s[i][k] = rng.NormFloat64()
				}
			}
			m := make([]float64, n)
			var em float64
			for k := range m {
				for i, g := range gains {
					m[k] += g * s[i][k]
				}
				em += m[k] * m[k]
			}
			if !math.IsInf(tc.extraDB, -1) {
				a := math.Sqrt(em/n) * math.Pow(10, tc.extraDB/20) / math.Sqrt(1+math.Pow(10, tc.extraDB/10))
				// Scale so the extra part is tc.extraDB below the final mix.
				for k := range m {
					m[k] += a * rng.NormFloat64()
				}
			}
			g := NewGram(3)
			col := make([][]float64, 3)
			for at := 0; at < n; at += block {
				end := min(at+block, n)
				for i := range col {
					col[i] = s[i][at:end]
				}
				g.AddBlock(col, m[at:end])
			}
			fit := g.Solve(nil)
			tol := gainTol
			if !math.IsInf(tc.extraDB, -1) {
				tol = 0.02 // the independent part leaks into the estimate as 1/√n
			}
			for i, want := range gains {
				if math.Abs(fit.Gains[i]-want) > tol {
					t.Errorf("gain %d = %.6f, want %.6f", i, fit.Gains[i], want)
				}
			}
			if got := fit.ResidualDB(); math.IsInf(tc.residualDB, -1) && got > -100 || !math.IsInf(tc.residualDB, -1) && math.Abs(got-tc.residualDB) > dbTol {
				t.Errorf("residual %.2f dB, want %.2f", got, tc.residualDB)
			}
			if c := g.Correlation(0, 0); math.Abs(c-1) > 1e-12 {
				t.Errorf("self-correlation %v", c)
			}
		})
	}
	t.Run("duplicate left out", func(t *testing.T) {
		g := NewGram(2)
		x := []float64{1, -2, 3, 0.5}
		g.AddBlock([][]float64{x, x}, x)
		fit := g.Solve([]bool{true, false})
		if fit.Gains[0] != 1 && math.Abs(fit.Gains[0]-1) > 1e-9 || fit.Gains[1] != 0 {
			t.Errorf("gains %v, want [1 0]", fit.Gains)
		}
	})
}

// TestResidualProfile checks the peak-following index on the three
// patterns of the package notes: a gain change (ΔL = 0 exactly), an
// independent residual (−8.7 dB for Gaussian signals; 6 dB bins move it by
// a dB or so) and a hard clip at twice the RMS (positive).
func TestResidualProfile(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(9, 9))
	const n = 200000
	y := make([]float32, n)
	for i := range y {
		y[i] = float32(0.1 * rng.NormFloat64())
	}
	tests := []struct {
		name   string
		r      func(i int) float32
		lo, hi float64
		cause  ResidualCause
	}{
		{"bus gain", func(i int) float32 { return -0.3 * y[i] }, -1e-6, 1e-6, CauseBusProcessing},
		{"independent content", func(int) float32 { return float32(0.05 * rng.NormFloat64()) }, -10.5, -7, CauseOwnContent},
		{"hard clip at 2×RMS", func(i int) float32 {
			const c = 0.2
			switch {
			case y[i] > c:
				return c - y[i]
			case y[i] < -c:
				return -c - y[i]
			}
			return 0
		}, 2, 8, CauseBusProcessing},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := make([]float32, n)
			for i := range r {
				r[i] = tc.r(i)
			}
			var p ResidualProfile
			p.Add(y[:n/2], r[:n/2])
			p.Add(y[n/2:], r[n/2:])
			got := p.PeakFollowingDB()
			if got < tc.lo || got > tc.hi {
				t.Errorf("ΔL = %.2f dB, want %.1f … %.1f", got, tc.lo, tc.hi)
			}
			if c := Diagnose(got); c != tc.cause {
				t.Errorf("Diagnose(%.2f) = %v, want %v", got, c, tc.cause)
			}
		})
	}
}

// TestAdvise covers the advice rules: the count first, then the number of
// families out of TypicalBalance.
func TestAdvise(t *testing.T) {
	t.Parallel()
	balanced := map[stemmaster.Role]float64{ // francium's figures, LUFS; sum −18.4
		stemmaster.RoleLeadVocal: -20.2, stemmaster.RoleBackingVocals: -24.2, stemmaster.RoleDrums: -21.1,
		stemmaster.RoleInstruments: -24.1, stemmaster.RoleFX: -22.2,
	}
	with := func(changes map[stemmaster.Role]float64) map[stemmaster.Role]float64 {
		out := map[stemmaster.Role]float64{}
		for r, l := range balanced {
			out[r] = l
		}
		for r, l := range changes {
			out[r] = l
		}
		return out
	}
	errFinding := []stemmaster.Finding{{Code: stemmaster.CodeOffset, Severity: stemmaster.SeverityError}}
	tests := []struct {
		name     string
		stems    int
		family   map[stemmaster.Role]float64
		findings []stemmaster.Finding
		want     stemmaster.Service
		reason   string
	}{
		{"balanced", 5, balanced, nil, stemmaster.ServiceStereoMastering, "balanced"},
		{"vocal 6 LU too quiet", 5, with(map[stemmaster.Role]float64{stemmaster.RoleLeadVocal: -29}), nil, stemmaster.ServiceStemMastering, "the lead vocal is -10.6 LU"},
		// Grammar ("the effects are", not "is") and a range's -0.5 printed as "-0.5", not "-0".
		{"effects too loud, plural verb", 5, with(map[stemmaster.Role]float64{stemmaster.RoleFX: -14}), nil, stemmaster.ServiceStemMastering, "the effects are"},
		{"range printed exactly", 5, with(map[stemmaster.Role]float64{stemmaster.RoleLeadVocal: -29}), nil, stemmaster.ServiceStemMastering, "for the usual -5 … -0.5 LU"},
		{"three families off", 5, with(map[stemmaster.Role]float64{stemmaster.RoleLeadVocal: -29, stemmaster.RoleDrums: -15, stemmaster.RoleFX: -50}), nil, stemmaster.ServiceMixing, "3 families"},
		{"nine stems", 9, balanced, nil, stemmaster.ServiceMixing, "multitrack"},
		{"one stem", 1, nil, nil, stemmaster.ServiceStereoMastering, "single file"},
		{"errors first", 5, balanced, errFinding, stemmaster.ServiceStereoMastering, "fix the 1 error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := Advise(AdviceInput{Stems: tc.stems, Findings: tc.findings, Balance: Balance(tc.family, -18.4)})
			if a.Service != tc.want {
				t.Errorf("service %s, want %s (%q)", a.Service, tc.want, a.Reasons)
			}
			if !strings.Contains(strings.Join(a.Reasons, " | "), tc.reason) {
				t.Errorf("reasons %q do not say %q", a.Reasons, tc.reason)
			}
		})
	}
}

// TestFamilyLevelWhereItPlays meters families of noise (one spectrum, so
// loudness ratios are power ratios) against their sum: a family measured
// where it plays is held against the sum over that stretch, so a lead
// vocal heard in half the song at 3 dB over the drums reads -1.8 LU (10
// log 1/(1+10^-0.3)), in its range, where against the whole sum (whose
// gate takes in the half it is silent) it read 0 LU, "too loud". Two
// stems of one family that play together are metered summed: coherent,
// 6 dB over each, not the 3 dB of their loudness power-summed.
func TestFamilyLevelWhereItPlays(t *testing.T) {
	t.Parallel()
	const rate, half = 48000, 10 * 48000
	meter := func(parts ...*audio.Buffer) []float64 {
		sum := parts[0].Clone()
		for _, p := range parts[1:] {
			audiotest.Add(sum, p)
		}
		m := loudness.NewMeter(rate, 2, loudness.Options{IntegratedOnly: true})
		m.Process(sum)
		return m.Blocks()
	}
	drums := audiotest.GaussianNoise(1, 2, 2*half, -23)
	vocalHalf := audiotest.Concat(audiotest.Silence(2, half), audiotest.GaussianNoise(2, 2, half, -20))
	vocalAll := audiotest.GaussianNoise(2, 2, 2*half, -20)
	take := audiotest.GaussianNoise(3, 2, 2*half, -26)
	for _, tc := range []struct {
		name       string
		family     []*audio.Buffer
		rest       []*audio.Buffer
		role       stemmaster.Role
		rel        float64 // LU against the sum where the family plays
		againstAll float64 // LU against the whole sum's integrated loudness
		inRange    bool
		tolerance  float64
	}{
		{"a lead vocal in half the song", []*audio.Buffer{vocalHalf}, []*audio.Buffer{drums}, stemmaster.RoleLeadVocal,
			-10 * math.Log10(1+math.Pow(10, -0.3)), 10 * math.Log10(2/(1+2*math.Pow(10, -0.3))), true, 0.1},
		{"a lead vocal throughout", []*audio.Buffer{vocalAll}, []*audio.Buffer{drums}, stemmaster.RoleLeadVocal,
			-10 * math.Log10(1+math.Pow(10, -0.3)), -10 * math.Log10(1+math.Pow(10, -0.3)), true, 0.05},
		{"a double-tracked backing vocal", []*audio.Buffer{take, take}, []*audio.Buffer{drums}, stemmaster.RoleBackingVocals,
			10 * math.Log10(4*math.Pow(10, -0.3)/(1+4*math.Pow(10, -0.3))), 10 * math.Log10(4*math.Pow(10, -0.3)/(1+4*math.Pow(10, -0.3))), false, 0.05},
	} {
		fam := meter(tc.family...)
		sum := meter(append(slices.Clone(tc.family), tc.rest...)...)
		lv := FamilyLevelOf(fam, sum)
		bal := BalanceOf(map[stemmaster.Role]FamilyLevel{tc.role: lv})
		if len(bal) != 1 || math.Abs(bal[0].RelativeLU-tc.rel) > tc.tolerance || bal[0].InRange != tc.inRange {
			t.Errorf("%s: %+v, want %.2f LU where it plays (in range %v)", tc.name, bal, tc.rel, tc.inRange)
		}
		whole := loudness.GatedLoudness(sum)
		if got := lv.LUFS - whole; math.Abs(got-tc.againstAll) > tc.tolerance {
			t.Errorf("%s: %.2f LU against the whole sum, want %.2f", tc.name, got, tc.againstAll)
		}
	}
	// Against the whole sum, the half-song vocal is out of its range (the
	// measure this replaces flagged it "too loud").
	fam, sum := meter(vocalHalf), meter(vocalHalf, drums)
	if old := Balance(map[stemmaster.Role]float64{stemmaster.RoleLeadVocal: loudness.GatedLoudness(fam)}, loudness.GatedLoudness(sum)); old[0].InRange {
		t.Errorf("fixture: against the whole sum the vocal reads %.2f LU, in range", old[0].RelativeLU)
	}
}

// TestQuote prices jobs from DefaultPriceList; each total is the sum of the
// price list's items, worked out by hand in the case.
func TestQuote(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		req   QuoteRequest
		total int64
		str   string
	}{
		{"stereo mastering", QuoteRequest{Service: stemmaster.ServiceStereoMastering, Stems: 1}, 6000, "60.00 EUR"},
		{"stem mastering, four stems", QuoteRequest{Service: stemmaster.ServiceStemMastering, Stems: 4}, 12000, "120.00 EUR"},
		// 12000 + 2 extra stems × 1000 + 1 extra deliverable × 1000 + 2 extra versions × 1500
		{"stem mastering with extras", QuoteRequest{Service: stemmaster.ServiceStemMastering, Stems: 6, Deliverables: 2, Versions: 3}, 18000, "180.00 EUR"},
		{"mixing ignores the stem count", QuoteRequest{Service: stemmaster.ServiceMixing, Stems: 24}, 35000, "350.00 EUR"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := Quote(DefaultPriceList, tc.req)
			var sum int64
			for _, l := range q.Lines {
				sum += l.Amount
			}
			if q.Total != tc.total || sum != q.Total || q.String() != tc.str {
				t.Errorf("total %d (lines %d, %q), want %d (%s): %+v", q.Total, sum, q.String(), tc.total, tc.str, q.Lines)
			}
		})
	}
}

// busSignal is a stereo test sum for the bus-gain track: Gaussian noise in
// passages of 250 ms whose levels are drawn from −40 … −6 dBFS (RMS),
// seeded, so that the level moves independently of anything else.
func busSignal(seed uint64, n, rate int) [2][]float64 {
	rng := rand.New(rand.NewPCG(seed, 3))
	var u [2][]float64
	u[0], u[1] = make([]float64, n), make([]float64, n)
	passage := rate / 4
	a := 0.0
	for i := range n {
		if i%passage == 0 {
			a = math.Pow(10, (-40+34*rng.Float64())/20)
		}
		u[0][i] = a * rng.NormFloat64()
		u[1][i] = a * rng.NormFloat64()
	}
	return u
}

// TestBusGainTrack feeds the track, as the check does (BlockGrams of one
// stem, Track at unity), mixes made from a known sum by a known gain law,
// in blocks of uneven length, and checks the explained fraction,
// the correlation with the level and the gain percentiles against what the
// case put in.
func TestBusGainTrack(t *testing.T) {
	t.Parallel()
	const rate, n = 48000, 20 * 48000
	// binTol is the histogram's resolution (busGainBinDB) plus the
	// rounding of a bin to its centre.
	const binTol = busGainBinDB
	u := busSignal(11, n, rate)
	// compressor returns a gain law: a one-pole level detector (30 ms) on
	// the sum's power and a 4:1 static curve above −20 dBFS, plus makeup.
	compressor := func(makeupDB float64) func(i int) float64 {
		alpha := math.Exp(-1 / (0.030 * rate))
		var ms float64
		return func(i int) float64 {
			p := (u[0][i]*u[0][i] + u[1][i]*u[1][i]) / 2
			ms = alpha*ms + (1-alpha)*p
			l := 10 * math.Log10(ms+1e-20)
			return math.Pow(10, (makeupDB-0.75*max(l+20, 0))/20)
		}
	}
	rng := rand.New(rand.NewPCG(12, 12))
	tests := []struct {
		name string
		// gain is the bus gain at frame i; extra, an independent part of
		// the mix at frame i of channel c.
		gain  func(i int) float64
		extra func(i, c int) float64
		// what the law implies
		explainedMin, explainedMax float64
		corrMax                    float64 // the correlation is at most this (NaN: not checked)
		corrMin                    float64
		high, low                  float64 // expected 90th and 10th percentile gains (NaN: not checked)
		highTol                    float64
		cause                      ResidualCause
		kind                       BusKind
		peakFollowingDB            float64 // what the profile would say, for DiagnoseResidual
	}{
		{
			// Below the threshold the gain is 0 dB: the 90th percentile.
			name: "compressor", gain: compressor(0),
			explainedMin: 0.9, explainedMax: 1, corrMin: -1, corrMax: CompressionMaxCorrelation,
			high: 0, low: math.NaN(), highTol: 0.3,
			cause: CauseBusProcessing, kind: BusCompression, peakFollowingDB: -3,
		},
		{
			name: "compressor with +4 dB makeup", gain: compressor(4),
			explainedMin: 0.9, explainedMax: 1, corrMin: -1, corrMax: CompressionMaxCorrelation,
			high: 4, low: math.NaN(), highTol: 0.3,
			cause: CauseBusProcessing, kind: BusCompression, peakFollowingDB: -3,
		},
		{
			// −3 ± 3 dB over 2.3 s, unrelated to the passages' levels: the
			// percentiles of a sine are −3 ± 3·cos(π/10) = −5.85 and −0.15.
			name: "gain automation",
			gain: func(i int) float64 {
				return math.Pow(10, (-3+3*math.Sin(2*math.Pi*float64(i)/(2.3*rate)))/20)
			},
			explainedMin: 0.9, explainedMax: 1, corrMin: -0.25, corrMax: 0.25,
			high: -0.15, low: -5.85, highTol: 0.3,
			cause: CauseBusProcessing, kind: BusVarying, peakFollowingDB: -3,
		},
		{
			// A constant gain leaves (almost) nothing for the blocks to
			// explain; the percentiles are the gain.
			name: "constant -2 dB", gain: func(int) float64 { return audio.Amplitude(-2) },
			extra:        func(int, int) float64 { return 1e-6 * rng.NormFloat64() },
			explainedMin: -1, explainedMax: 0.2, corrMin: math.NaN(),
			high: -2, low: -2, highTol: binTol,
			cause: CauseBusProcessing, kind: BusPeaks, peakFollowingDB: 0, // ΔL = 0 for a gain change
		},
		{
			// White noise: a scalar per block takes about 1/1920 of it.
			name: "independent content at -10 dB", gain: func(int) float64 { return 1 },
			extra:        func(int, int) float64 { return 0.02 * rng.NormFloat64() },
			explainedMin: -1, explainedMax: 0.05, corrMin: math.NaN(),
			high: math.NaN(), low: math.NaN(),
			cause: CauseOwnContent, kind: BusNone, peakFollowingDB: -8.7,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := [2][]float64{make([]float64, n), make([]float64, n)}
			for i := range n {
				g := tc.gain(i)
				for c := range m {
					m[c][i] = g * u[c][i]
					if tc.extra != nil {
						m[c][i] += tc.extra(i, c)
					}
				}
			}
			// Through the check's path: the one stem's sums per block, at
			// unity gain.
			bg := NewBlockGrams(1, rate)
			for at, step := 0, 0; at < n; step++ {
				end := min(at+1000+700*(step%5), n) // uneven blocks, across gain-block edges
				bg.Add([][][]float64{{u[0][at:end], u[1][at:end]}}, [][]float64{m[0][at:end], m[1][at:end]})
				at = end
			}
			r := bg.Track([]float64{1})
			t.Logf("%+v", r)
			if !(r.Explained >= tc.explainedMin && r.Explained <= tc.explainedMax) {
				t.Errorf("explained %.3f, want %.2f … %.2f", r.Explained, tc.explainedMin, tc.explainedMax)
			}
			if !math.IsNaN(tc.corrMin) && !(r.Correlation >= tc.corrMin && r.Correlation <= tc.corrMax) {
				t.Errorf("correlation %.3f, want %.2f … %.2f", r.Correlation, tc.corrMin, tc.corrMax)
			}
			if !math.IsNaN(tc.high) && math.Abs(r.HighDB-tc.high) > tc.highTol {
				t.Errorf("90th percentile %.2f dB, want %.2f ± %.2f", r.HighDB, tc.high, tc.highTol)
			}
			if !math.IsNaN(tc.low) && math.Abs(r.LowDB-tc.low) > tc.highTol {
				t.Errorf("10th percentile %.2f dB, want %.2f ± %.2f", r.LowDB, tc.low, tc.highTol)
			}
			d := DiagnoseResidual(tc.peakFollowingDB, r)
			if d.Cause != tc.cause || d.Kind != tc.kind {
				t.Errorf("diagnosis %v/%v, want %v/%v (%+v)", d.Cause, d.Kind, tc.cause, tc.kind, r)
			}
		})
	}
}

// TestDiagnoseResidual covers DiagnoseResidual's branches with the figures
// on either side of its thresholds (the figures are made up for each
// branch; the measured ones are in TestBusGainTrack and package check).
func TestDiagnoseResidual(t *testing.T) {
	t.Parallel()
	compressor := BusGainResult{Explained: 0.9, LowDB: -4, MedianDB: -2, HighDB: 0, Correlation: -0.8}
	with := func(f func(*BusGainResult)) BusGainResult { r := compressor; f(&r); return r }
	tests := []struct {
		name  string
		pf    float64
		bus   BusGainResult
		cause ResidualCause
		kind  BusKind
	}{
		{"compressor", -3, compressor, CauseBusProcessing, BusCompression},
		{"compressor, residual on the peaks", 1, compressor, CauseBusProcessing, BusCompression},
		// A limiter that catches the odd peak: the gain moves in fewer
		// than a tenth of the blocks.
		{"occasional limiting", 3.7, with(func(r *BusGainResult) { r.LowDB, r.HighDB = -0.1, 0 }), CauseBusProcessing, BusPeaks},
		{"gain riding", -5, with(func(r *BusGainResult) { r.Correlation = 0.1 }), CauseBusProcessing, BusVarying},
		{"explained fraction below the threshold", -5, with(func(r *BusGainResult) { r.Explained = BusGainExplainedMin - 0.01 }), CauseOwnContent, BusNone},
		{"not explained, on the peaks", 1, with(func(r *BusGainResult) { r.Explained = 0.3 }), CauseBusProcessing, BusPeaks},
		{"not explained, unclear", -3, BusGainResult{Explained: math.NaN()}, CauseUnclear, BusNone},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if d := DiagnoseResidual(tc.pf, tc.bus); d.Cause != tc.cause || d.Kind != tc.kind {
				t.Errorf("diagnosis %v/%v, want %v/%v", d.Cause, d.Kind, tc.cause, tc.kind)
			}
		})
	}
}

func TestOutstanding(t *testing.T) {
	t.Parallel()
	errs := []stemmaster.Finding{{Code: "offset", Severity: stemmaster.SeverityError}, {Code: "polarity_inverted", Severity: stemmaster.SeverityError},
		{Code: "gain_mismatch", Severity: stemmaster.SeverityWarning}}
	a := Advise(AdviceInput{Stems: 2, Findings: errs})
	if a.Reasons[0] != errorsReason(2, inExport) {
		t.Fatalf("advice %q does not open with the errors", a.Reasons)
	}
	rest := a.Reasons[1:]
	if got := Outstanding(a, resolved(errs, 2), "", nil); !reflect.DeepEqual(got, a) {
		t.Errorf("nothing corrected: %q, want the check's own %q", got.Reasons, a.Reasons)
	}
	if got := Outstanding(a, resolved(errs, 1), "", nil); got.Reasons[0] != errorsReason(1, inExport) || !reflect.DeepEqual(got.Reasons[1:], rest) || got.Service != a.Service {
		t.Errorf("one corrected: %q", got.Reasons)
	}
	if got := Outstanding(a, resolved(errs, 0), "", nil); !reflect.DeepEqual(got.Reasons, rest) {
		t.Errorf("all corrected: %q, want %q", got.Reasons, rest)
	}
	if a.Reasons[0] != errorsReason(2, inExport) {
		t.Error("Outstanding changed the advice it was given")
	}
	// An advice stored before it had details: its errors reason is the
	// first, as Advise put it, and is counted again all the same.
	legacy := stemmaster.Advice{Service: a.Service, Reasons: a.Reasons}
	if got := Outstanding(legacy, resolved(errs, 1), "", nil); got.Reasons[0] != errorsReason(1, inExport) || !reflect.DeepEqual(got.Reasons[1:], rest) {
		t.Errorf("no details, one corrected: %q", got.Reasons)
	}
	// One file is the mix mastered alone: its errors are the file's, and
	// a mix cannot fail to match itself.
	oneErr := []stemmaster.Finding{{Code: "truncated", Severity: stemmaster.SeverityError, File: "mix.wav"}, {Code: "single_stem", Severity: stemmaster.SeverityInfo}}
	one := Advise(AdviceInput{Stems: 1, Findings: oneErr})
	for _, got := range []stemmaster.Advice{one, Outstanding(one, resolved(oneErr, 1), "", []string{"x.wav"})} {
		if got.Reasons[0] != "fix the 1 error in the file first: a master keeps the faults of the file it is made from" || strings.Contains(strings.Join(got.Reasons, " "), "match your mix") {
			t.Errorf("one file cut short: advice %q", got.Reasons)
		}
	}
	// No errors in the check: the advice is the check's, whatever the count.
	clean := Advise(AdviceInput{Stems: 2})
	if got := Outstanding(clean, resolved(nil, 0), "", nil); !reflect.DeepEqual(got, clean) {
		t.Errorf("clean check: %q, want %q", got.Reasons, clean.Reasons)
	}
	// A correction in the session changes the sum: the balance measured
	// before it, and the service chosen from it, go; the errors still
	// standing are still counted first.
	bal := Balance(map[stemmaster.Role]float64{stemmaster.RoleDrums: -6.6, stemmaster.RoleBass: -24.4, stemmaster.RoleInstruments: -24.2}, -7.9)
	hot := Advise(AdviceInput{Stems: 3, Findings: errs, Balance: bal})
	if hot.Service != stemmaster.ServiceMixing {
		t.Fatalf("fixture: %q, want mixing", hot.Service)
	}
	got := Outstanding(hot, resolved(errs, 1), "", []string{"drums.wav"})
	if got.Service != stemmaster.ServiceStemMastering || len(got.Reasons) != 2 || got.Reasons[0] != errorsReason(1, inExport) ||
		!strings.Contains(got.Reasons[1], "the session corrects drums.wav") {
		t.Errorf("drums corrected, one error standing: %q %q", got.Service, got.Reasons)
	}
	if got := Outstanding(clean, resolved(nil, 0), "", []string{"drums.wav"}); got.Service != stemmaster.ServiceStemMastering || len(got.Reasons) != 1 {
		t.Errorf("clean check, drums corrected: %q %q", got.Service, got.Reasons)
	}
	// An advice chosen by the count does not rest on the balance.
	many := []stemmaster.Finding{{Code: stemmaster.CodeTooManyStems, Severity: stemmaster.SeverityWarning}}
	multi := Advise(AdviceInput{Stems: 12, Findings: many})
	if got := Outstanding(multi, resolved(many, 0), "", []string{"drums.wav"}); !reflect.DeepEqual(got, multi) {
		t.Errorf("multitrack, drums corrected: %q, want the check's %q", got.Reasons, multi.Reasons)
	}
}

// TestSessionAdvice: the advice as a session leaves the delivery. Nothing
// corrected: the check's own. Every correction the findings name made:
// the advice on the corrected stems, its first reason naming them (after
// the errors' reason while an error no correction resolves stands). Some
// made, one of them moving a level: the balance measured as delivered
// goes, and the advice names what is left to correct. Only an offset
// made, a gain not: the balance as delivered still stands.
func TestSessionAdvice(t *testing.T) {
	t.Parallel()
	findings := []stemmaster.Finding{
		{Code: stemmaster.CodeGainMismatch, Severity: stemmaster.SeverityWarning, File: "drums.wav", Fix: "… or set gain_db: -11.9 for drums.wav in the session"},
		{Code: stemmaster.CodeOffset, Severity: stemmaster.SeverityError, File: "bass.wav", Fix: "… or set offset_samples: -480 for bass.wav in the session"},
		{Code: stemmaster.CodeOffset, Severity: stemmaster.SeverityError, File: "mix.wav", Fix: "export the mix again"},
	}
	hot := Balance(map[stemmaster.Role]float64{stemmaster.RoleDrums: 2, stemmaster.RoleBass: -9, stemmaster.RoleLeadVocal: -9}, 0)
	asDelivered := Advise(AdviceInput{Stems: 3, Findings: findings, Balance: hot, MixMatched: true})
	if asDelivered.Service != stemmaster.ServiceStemMastering {
		t.Fatalf("fixture: %s %q", asDelivered.Service, asDelivered.Reasons)
	}
	var made []*Correction
	for _, f := range findings[:2] {
		made = append(made, CorrectionFor(f))
	}
	balanced := Balance(map[stemmaster.Role]float64{stemmaster.RoleDrums: -4, stemmaster.RoleBass: -5, stemmaster.RoleLeadVocal: -3}, 0)
	corrected := CorrectedAdvice(AdviceInput{Stems: 3, Findings: findings[2:], Balance: balanced, MixMatched: true}, made)
	want := []string{errorsReason(1, inExport), "measured again on the stems with the session's corrections (set drums.wav to -11.9 dB; move bass.wav 480 samples earlier):",
		"every family sits within its usual range against the mix: the mix is balanced, and stereo mastering of the mix is enough"}
	if corrected.Service != stemmaster.ServiceStereoMastering || !reflect.DeepEqual(corrected.Reasons, want) {
		t.Fatalf("CorrectedAdvice: %s %q\nwant stereo_mastering %q", corrected.Service, corrected.Reasons, want)
	}
	rep := &stemmaster.CheckReport{Findings: findings, Advice: &asDelivered, AdviceCorrected: &corrected}
	session := func(gain float64, offset int64) *stemmaster.Session {
		return &stemmaster.Session{Stems: []stemmaster.StemSpec{{File: "drums.wav", GainDB: gain}, {File: "bass.wav", OffsetSamples: offset}}}
	}
	for _, tc := range []struct {
		name    string
		s       *stemmaster.Session
		service stemmaster.Service
		first   string   // the first reason
		has     []string // in the last reason
	}{
		{"nothing corrected", session(0, 0), stemmaster.ServiceStemMastering, errorsReason(2, inExport), nil},
		{"every correction", session(-11.9, -480), stemmaster.ServiceStereoMastering, errorsReason(1, inExport), nil},
		{"the gain only", session(-11.9, 0), stemmaster.ServiceStemMastering, errorsReason(2, inExport), []string{"the session corrects drums.wav", "make the other corrections too (move bass.wav 480 samples earlier)"}},
		{"the offset only", session(0, -480), stemmaster.ServiceStemMastering, errorsReason(1, inExport), []string{"the drums are 2.0 LU"}},
	} {
		got := SessionAdvice(rep, Resolve(findings, tc.s, false))
		if got == nil || got.Service != tc.service || got.Reasons[0] != tc.first {
			t.Errorf("%s: %+v, want %s opening with %q", tc.name, got, tc.service, tc.first)
			continue
		}
		for _, h := range tc.has {
			if !strings.Contains(got.Reasons[len(got.Reasons)-1], h) {
				t.Errorf("%s: last reason %q, want %q in it", tc.name, got.Reasons[len(got.Reasons)-1], h)
			}
		}
	}
	if got := SessionAdvice(rep, Resolve(findings, session(-11.9, -480), false)); !reflect.DeepEqual(*got, corrected) {
		t.Errorf("every correction: %q, want the corrected advice %q", got.Reasons, corrected.Reasons)
	}
	if got := SessionAdvice(rep, Resolve(findings, session(0, 0), false)); !reflect.DeepEqual(*got, asDelivered) {
		t.Errorf("nothing corrected: %q, want the check's %q", got.Reasons, asDelivered.Reasons)
	}
	// A report stored before the second pass existed (no
	// advice_corrected) keeps Outstanding's fallback.
	old := &stemmaster.CheckReport{Findings: findings, Advice: &asDelivered}
	if got := SessionAdvice(old, Resolve(findings, session(-11.9, -480), false)); got.Service != stemmaster.ServiceStemMastering || strings.Contains(strings.Join(got.Reasons, " "), "make the other") {
		t.Errorf("no advice_corrected: %q", got.Reasons)
	}
	if SessionAdvice(&stemmaster.CheckReport{}, nil) != nil || SessionAdvice(nil, nil) != nil {
		t.Error("no advice: want nil")
	}
}
