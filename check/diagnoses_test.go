package check

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// stubReader serves a buffer with an Info of the test's choosing, and
// fails with err once it has served failAt frames (never when err is nil).
type stubReader struct {
	*audiotest.BufferReader
	info   audio.Info
	failAt int
	err    error
	served int
}

func (r *stubReader) Info() audio.Info { return r.info }

func (r *stubReader) Read(dst *audio.Buffer) (int, error) {
	if r.err != nil && r.served >= r.failAt {
		return 0, r.err
	}
	n, err := r.BufferReader.Read(dst)
	r.served += n
	return n, err
}

// stubSource is a Source over stubReader: info changes the Info a plain
// buffer reader gives (nil: none).
func stubSource(name string, b *audio.Buffer, info func(*audio.Info), failAt int, err error) Source {
	return Source{Name: name, Open: func() (audio.Reader, error) {
		br := audiotest.NewReader(b, testRate)
		in := br.Info()
		if info != nil {
			info(&in)
		}
		return &stubReader{BufferReader: br, info: in, failAt: failAt, err: err}, nil
	}}
}

// withDC adds a constant of the given level to every sample of b.
func withDC(b *audio.Buffer, dbfs float64) *audio.Buffer {
	dc := float32(audio.Amplitude(dbfs))
	for _, ch := range b.Data {
		for i := range ch {
			ch[i] += dc
		}
	}
	return b
}

func inverted(b *audio.Buffer) *audio.Buffer { return scaled(b, -1) }

// TestDiagnosesQ2 checks broken deliveries whose findings misread the
// fault: each case's fault must be named as what it is, on the file that
// has it, and nothing else may be blamed (assertFindings refuses any other
// error or warning), nor may any message say what the case's absent
// phrases say.
func TestDiagnosesQ2(t *testing.T) {
	t.Parallel()
	names, clean := shortSong()
	mixBuf := audiotest.Sum(clean...)
	mix := asMix(mixBuf)
	stems := func(bufs []*audio.Buffer, extra ...Source) []Source {
		return append(memSet(names, bufs, testRate), extra...)
	}
	tests := []struct {
		name   string
		build  func(b []*audio.Buffer) ([]Source, *Source)
		want   []want
		absent []string // phrases no message, fix or advice may hold
	}{
		{
			name: "DC on one stem, another one sample late",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				withDC(b[1], -26)
				b[2] = delayed(b[2], 1)
				return stems(b), mix
			},
			want: []want{
				{code: stemmaster.CodeDCOffset, file: "bass.wav", value: v(-26)},
				{code: stemmaster.CodeOffset, file: "keys.wav", value: v(1), text: "keys.wav starts 1 sample (0.021 ms) late"},
			},
			absent: []string{"hot", "probably missing", "1 samples", "0.0 ms"},
		},
		{
			name: "DC on one stem, another at 44.1 kHz (the residual in band)",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				withDC(b[1], -26)
				s := stems(b)
				s[2] = memSource(names[2], resampleBuf(b[2], testRate, 44100), pcm24(44100, 2))
				return s, mix
			},
			want: []want{
				{code: stemmaster.CodeDCOffset, file: "bass.wav", value: v(-26)},
				{code: stemmaster.CodeSampleRateMismatch, file: "keys.wav", value: v(44100)},
			},
			absent: []string{"hot", "probably missing"},
		},
		{
			name: "DC on one stem, another stem missing",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				withDC(b[1], -26)
				return memSet(names[1:], b[1:], testRate), mix
			},
			want: []want{
				{code: stemmaster.CodeDCOffset, file: "bass.wav", value: v(-26)},
				{code: stemmaster.CodeSumMismatch, file: "mix.wav", text: "a stem is probably missing"},
			},
			absent: []string{"hot"},
		},
		{
			name: "a stem that is nothing but DC, in place of one in the mix",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				b[4] = withDC(audio.NewBuffer(2, b[0].Frames()), -20)
				return stems(b), mix
			},
			want: []want{
				{code: stemmaster.CodeDCOffset, file: "fx.wav", value: v(-20), severity: stemmaster.SeverityError},
				{code: stemmaster.CodeSumMismatch, file: "mix.wav", text: "a stem is probably missing"},
			},
			absent: []string{"hot", "polarity"},
		},
		{
			name: "DC at the finding's threshold",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				withDC(b[1], -49)
				return stems(b), mix
			},
			want:   []want{{code: stemmaster.CodeDCOffset, file: "bass.wav", value: v(-49)}},
			absent: []string{"probably missing", "hot"},
		},
		{
			name: "DC under the limit that the mix lacks",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				withDC(b[1], -60)
				return stems(b), mix
			},
			want:   []want{{code: stemmaster.CodeDCOffset, file: "bass.wav", value: v(-60), text: "under the -50 dBFS limit, but against this mix it alone leaves a residual of -39.7 dB"}},
			absent: []string{"probably missing", "hot"},
		},
		{
			name: "DC under the limit that the mix shares",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				withDC(b[1], -60)
				return stems(b), mixOf(b...)
			},
			absent: []string{"DC"},
		},
		{
			name: "DC on the mix",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				return stems(b), asMix(withDC(mixBuf.Clone(), -30))
			},
			want:   []want{{code: stemmaster.CodeDCOffset, file: "mix.wav", value: v(-30)}},
			absent: []string{"probably missing", "hot", "quieter than"},
		},
		{
			name: "a stem that is the mix",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				return stems(b, memSource("extra.wav", mixBuf.Clone(), pcm24(testRate, 2))), mix
			},
			want:   []want{{code: stemmaster.CodeDuplicate, file: "extra.wav", value: v(-300), text: "extra.wav is a copy of the mix mix.wav (they null completely)"}},
			absent: []string{"master-fader", "hot", "quieter", "out of balance", "too quiet"},
		},
		{
			// Without a mix, the mix dropped among the stems is the sum of
			// the others. Inverted, it cancels the sum, so every stem is
			// the inverted sum of the others: the copy is the loudest.
			name: "the mix among the stems, no mix",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				return stems(b, memSource("extra.wav", mixBuf.Clone(), pcm24(testRate, 2))), nil
			},
			want:   []want{{code: stemmaster.CodeDuplicate, file: "extra.wav", text: "extra.wav is a copy of the mix of the other stems (they null"}},
			absent: []string{"the mix mix.wav"},
		},
		{
			name: "the mix inverted among the stems, a mono stem, no mix",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				b[0] = foldedDown(b[0])
				s := stems(b)
				s[0] = memSource(names[0], b[0], pcm24(testRate, 1))
				m := audiotest.Sum(append([]*audio.Buffer{centred(b[0])}, b[1:]...)...)
				return append(s, memSource("extra.wav", inverted(m), pcm24(testRate, 2))), nil
			},
			want: []want{{code: stemmaster.CodeDuplicate, file: "extra.wav", text: "extra.wav is a polarity-inverted copy of the mix of the other stems (they null"}},
		},
		{
			// The mix without its last stem nulls against the sum of
			// every other stem only to that stem's share: no copy, and
			// no gain that rides turns it into the others' sum.
			name: "most of the mix among the stems, no mix",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				return stems(b, memSource("extra.wav", scaled(audiotest.Sum(b[:len(b)-1]...), 0.25), pcm24(testRate, 2))), nil
			},
			absent: []string{"copy", "riding"},
		},
		{
			// A loud master nulls against the others' sum only to its
			// limiter's reduction; one gain per few ms nulls it.
			name: "a loud master among the stems, no mix",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				return stems(b, memSource("master.wav", mastered(audiotest.Sum(b...), testRate, 8), pcm24(testRate, 2))), nil
			},
			want: []want{{code: stemmaster.CodeDuplicate, file: "master.wav", text: "master.wav is the mix of the other stems with its level riding, not a stem"}},
			// The advice names it too, instead of the generic "the
			// balance could not be measured; stem mastering keeps every
			// option open".
			absent: []string{"measured; stem mastering"},
		},
		{
			// Beside the mix, the master nulls against it only to its
			// limiter's reduction too: before, "not in the mix" (the
			// other stems explain the mix) and the balance of a sum
			// holding the song twice.
			name: "a loud master among the stems, with the mix",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				return stems(b, memSource("master.wav", mastered(audiotest.Sum(b...), testRate, 8), pcm24(testRate, 2))), mix
			},
			want:   []want{{code: stemmaster.CodeDuplicate, file: "master.wav", text: "master.wav is the mix of the other stems with its level riding, not a stem: a master of the song, or a bounce through a limiter or compressor on the master bus (one gain nulls it against the mix mix.wav only to"}},
			absent: []string{"not in the mix", "measured; stem mastering", "hot", "quiet"},
		},
		{
			name: "a loud master, polarity inverted, among the stems, no mix",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				return stems(b, memSource("master.wav", inverted(mastered(audiotest.Sum(b...), testRate, 14)), pcm24(testRate, 2))), nil
			},
			want: []want{{code: stemmaster.CodeDuplicate, file: "master.wav", text: "master.wav is the polarity-inverted mix of the other stems with its level riding"}},
		},
		{
			// Stems each through their own limiter stay stems: none is
			// the others' sum at any gain.
			name: "every stem limited, no mix",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				for i := range b {
					b[i] = mastered(b[i], testRate, 8)
				}
				return stems(b), nil
			},
			want:   []want{{code: stemmaster.CodeHeadroom}},
			absent: []string{"riding", "copy"},
		},
		{
			name: "a vocal and its instrumental, no mix",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				return memSet([]string{"vocal.wav", "instrumental.wav"}, []*audio.Buffer{b[3], mastered(audiotest.Sum(b[0], b[1], b[2], b[4]), testRate, 8)}, testRate), nil
			},
			absent: []string{"riding", "copy"},
		},
		{
			name: "a file unreadable from its first frame",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				s := stems(b)
				s[2] = stubSource("keys.wav", b[2], nil, 0, errors.New("damaged frame"))
				return s, nil
			},
			want:   []want{{code: stemmaster.CodeUnreadable, file: "keys.wav", text: "keys.wav cannot be read"}},
			absent: []string{"silent", "shorter"},
		},
		{
			name: "a polarity-inverted copy",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				return stems(b, memSource("bass2.wav", inverted(b[1].Clone()), pcm24(testRate, 2))), nil
			},
			want:   []want{{code: stemmaster.CodeDuplicate, file: "bass2.wav", value: v(-300), text: "bass2.wav is a polarity-inverted copy of bass.wav (they null completely): summed, the two cancel that part"}},
			absent: []string{"doubles", "null to -300"},
		},
		{
			name: "no mix: the advice speaks of the stems' sum",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				return stems(b), nil
			},
			absent: []string{"the mix is balanced", "against the whole mix"},
		},
		{
			name: "a 10-sample stem has no DC figure",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				short := audio.NewBuffer(2, 10)
				withDC(short, -20)
				b[0] = short
				return stems(b), nil
			},
			want:   []want{{code: stemmaster.CodeLengthMismatch, file: "drums.wav"}},
			absent: []string{"DC offset"},
		},
		{
			name: "a BWF time reference beyond the file is no offset fix",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				s := stems(b)
				for i := range s {
					ref := int64(0)
					if i == 1 {
						ref = 9e18
					}
					s[i] = stubSource(names[i], b[i], func(in *audio.Info) { in.HasTimeReference, in.TimeReference = true, ref }, 0, nil)
				}
				return s, nil
			},
			want:   []want{{code: stemmaster.CodeOffset, file: "bass.wav", text: "further from the other stems' (0) than the file is long (192000 samples)"}},
			absent: []string{"offset_samples", "9000000000000000000 samples"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := checkShortSong(t, tc.build)
			assertFindings(t, rep, tc.want)
			var all []string
			for _, f := range rep.Findings {
				all = append(all, f.Message, f.Fix)
			}
			all = append(all, rep.Advice.Reasons...)
			for _, p := range tc.absent {
				for _, s := range all {
					if strings.Contains(s, p) {
						t.Errorf("%q says %q", s, p)
					}
				}
			}
		})
	}
}

// TestAdviceUnrelatedMix: beside a mix the stems do not sum to, the
// advice's balance is the stems' sum's, and it never calls the mix
// balanced.
func TestAdviceUnrelatedMix(t *testing.T) {
	t.Parallel()
	names, b := shortSong()
	_, other := song(testRate, 4, 99)
	m := mixOf(other...)
	rep := run(t, memSet(names, b, testRate), m)
	reasons := strings.Join(rep.Advice.Reasons, " | ")
	if strings.Contains(reasons, "the mix is balanced") || strings.Contains(reasons, "against the whole mix") {
		t.Errorf("advice %q speaks of a mix the stems do not sum to", reasons)
	}
	if !strings.Contains(reasons, "the sum of the stems") {
		t.Errorf("advice %q does not say what its balance was measured on", reasons)
	}
}

// withDCFrom adds a DC of the given level to b from frame from on: a
// plug-in or converter fault switched in partway.
func withDCFrom(b *audio.Buffer, dbfs float64, from int) *audio.Buffer {
	dc := float32(audio.Amplitude(dbfs))
	for _, ch := range b.Data {
		for i := from; i < len(ch); i++ {
			ch[i] += dc
		}
	}
	return b
}

// withDrift adds a slow sine (a DC that drifts) of the given peak level
// and period to b.
func withDrift(b *audio.Buffer, dbfs, periodS float64, rate int) *audio.Buffer {
	a := audio.Amplitude(dbfs)
	for _, ch := range b.Data {
		for i := range ch {
			ch[i] += float32(a * math.Sin(2*math.Pi*float64(i)/(periodS*float64(rate))))
		}
	}
	return b
}

// brownNoise is leaky-integrated white noise (a 1/f² slope down to
// 10 Hz): programme whose means wander from second to second without any
// fault, at about the given RMS.
func brownNoise(frames, rate int, rms float64, seed uint64) *audio.Buffer {
	rng := rand.New(rand.NewPCG(seed, 3))
	b := audio.NewBuffer(2, frames)
	leak := 1 - 2*math.Pi*10/float64(rate)
	for c, ch := range b.Data {
		var y, e float64
		for i := range ch {
			y = leak*y + rng.NormFloat64()
			ch[i] = float32(y)
			e += y * y
		}
		_ = c
		g := float32(rms / math.Sqrt(e/float64(frames)))
		for i := range ch {
			ch[i] *= g
		}
	}
	return b
}

// TestMovingDC: a DC that starts partway through a stem, or drifts, is a
// dc_offset on that stem (its figure the largest mean over a second, its
// message where it changes), and the comparison with the mix leaves it
// out: no stem is called missing, hot or quiet, and the fitted residual
// nulls. A stem whose means wander as programme (brown noise) is no DC.
func TestMovingDC(t *testing.T) {
	t.Parallel()
	const seconds = 10
	names, clean := song(testRate, seconds, 1)
	mixBuf := audiotest.Sum(clean...)
	tests := []struct {
		name     string
		build    func(b []*audio.Buffer) (stems []*audio.Buffer, mix *audio.Buffer)
		want     []want
		text     string // in the dc_offset message
		maxFitDB float64
	}{
		{
			name: "DC from 6 s on one stem",
			build: func(b []*audio.Buffer) ([]*audio.Buffer, *audio.Buffer) {
				withDCFrom(b[1], -30, 6*testRate)
				return b, mixBuf
			},
			want:     []want{{code: stemmaster.CodeDCOffset, file: "bass.wav", value: v(-30)}},
			text:     "changes most at about 6 s",
			maxFitDB: SumMismatchDB,
		},
		{
			name: "DC drifting on one stem",
			build: func(b []*audio.Buffer) ([]*audio.Buffer, *audio.Buffer) {
				withDrift(b[2], -30, 40, testRate)
				return b, mixBuf
			},
			want:     []want{{code: stemmaster.CodeDCOffset, file: "keys.wav"}},
			text:     "changes along the file",
			maxFitDB: SumMismatchDB,
		},
		{
			name: "DC from 3 s on the mix",
			build: func(b []*audio.Buffer) ([]*audio.Buffer, *audio.Buffer) {
				return b, withDCFrom(mixBuf.Clone(), -30, 3*testRate)
			},
			want:     []want{{code: stemmaster.CodeDCOffset, file: "mix.wav"}},
			text:     "changes most at about 3 s",
			maxFitDB: SumMismatchDB,
		},
		{
			name: "a brown-noise stem is no DC",
			build: func(b []*audio.Buffer) ([]*audio.Buffer, *audio.Buffer) {
				b[4] = brownNoise(b[4].Frames(), testRate, 0.03, 5)
				return b, audiotest.Sum(b...)
			},
			maxFitDB: ResidualFloorDB,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stems, m := tc.build(cloneAll(clean))
			mix := asMix(m)
			rep := run(t, memSet(names, stems, testRate), mix)
			assertFindings(t, rep, tc.want)
			for _, f := range rep.Findings {
				if f.Code == stemmaster.CodeDCOffset && !strings.Contains(f.Message, tc.text) {
					t.Errorf("%q does not say %q", f.Message, tc.text)
				}
				for _, p := range []string{"probably missing", "hot", "quiet", "late", "early"} {
					if strings.Contains(f.Message, p) {
						t.Errorf("%q says %q", f.Message, p)
					}
				}
			}
			if got := float64(rep.Mix.FittedResidualDB); !(got <= tc.maxFitDB) {
				t.Errorf("fitted residual %.1f dB, want at most %.0f", got, tc.maxFitDB)
			}
		})
	}
}
