package check

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp/resample"
	"stemmaster/internal/audiotest"
)

// valueTol is the tolerance on finding values in dB: the solved gain of a
// stem scaled by an exact factor comes back to a few hundredths of a dB
// (24-bit quantisation of the rest of the mix), and values are rounded to
// two decimals.
const valueTol = 0.05

// delivery is a stem set to break: buffers (to modify and write) and, for
// real stems, the original files to pass unchanged.
type delivery struct {
	rate  int
	names []string
	bufs  []*audio.Buffer
	paths []string // original files; "" for generated stems
	mix   *audio.Buffer
	mixAt string // original mix file; "" when generated
	// roles of the parts the cases break, as indices into names.
	delayed, inverted, hot, resampled, reduced, silenced, missing int
}

// franciumSet is the whole francium set decoded, shared by every test of
// the package binary (decoding it is the dearest part of a test's setup).
type franciumSet struct {
	rate  int
	stems map[string]*audio.Buffer // by file name, "mix.wav" included
}

var (
	franciumDecodeOnce sync.Once
	franciumDecoded    *franciumSet
	franciumOnce       sync.Once
	francium           *delivery
)

// franciumFiles decodes the francium set once per test binary.
func franciumFiles(t *testing.T) *franciumSet {
	dir := audiotest.FranciumDir(t)
	franciumDecodeOnce.Do(func() {
		fs := &franciumSet{stems: map[string]*audio.Buffer{}}
		for _, n := range append(slices.Clone(audiotest.FranciumStems), "mix.wav") {
			b, info := audiotest.ReadFile(t, filepath.Join(dir, n))
			fs.rate = info.Format.SampleRate
			fs.stems[n] = b
		}
		franciumDecoded = fs
	})
	if franciumDecoded == nil {
		t.Fatal("francium set failed to load")
	}
	return franciumDecoded
}

// cut returns seconds from … from+length of a francium file.
func (fs *franciumSet) cut(name string, from, length int) *audio.Buffer {
	return audiotest.View(fs.stems[name], from*fs.rate, (from+length)*fs.rate).Clone()
}

// with is the whole francium delivery as sources, the stem named edited
// through edit and the mix through editMix (nil: as delivered).
func (fs *franciumSet) with(stem string, edit, editMix func(*audio.Buffer) *audio.Buffer) ([]Source, Source) {
	var stems []Source
	for _, n := range audiotest.FranciumStems {
		b := fs.stems[n]
		if n == stem && edit != nil {
			b = edit(b)
		}
		stems = append(stems, memSource(n, b, pcm24(fs.rate, b.Channels())))
	}
	m := fs.stems["mix.wav"]
	if editMix != nil {
		m = editMix(m)
	}
	return stems, memSource("mix.wav", m, pcm24(fs.rate, 2))
}

// rotated is the francium set started at frame from, what lay before it
// moved to the end of every file (stems and mix alike): a song whose
// passages come in another order.
func (fs *franciumSet) rotated(from int) *franciumSet {
	out := &franciumSet{rate: fs.rate, stems: map[string]*audio.Buffer{}}
	for n, b := range fs.stems {
		r := audio.NewBuffer(b.Channels(), b.Frames())
		for c, ch := range b.Data {
			copy(r.Data[c][copy(r.Data[c], ch[from:]):], ch[:from])
		}
		out.stems[n] = r
	}
	return out
}

// checkWith checks the francium delivery with the stem named edited
// through edit and the mix through editMix (as with), and returns the
// sum_mismatch's message and the other findings that name the stem.
func (fs *franciumSet) checkWith(t *testing.T, stem string, edit, editMix func(*audio.Buffer) *audio.Buffer) (sumMsg string, onStem []stemmaster.Finding) {
	t.Helper()
	stems, mix := fs.with(stem, edit, editMix)
	for _, f := range run(t, stems, &mix).Findings {
		switch {
		case f.Code == stemmaster.CodeSumMismatch:
			sumMsg = f.Message
		case f.File == stem:
			onStem = append(onStem, f)
		}
	}
	return sumMsg, onStem
}

// editSaid finds want in a sum_mismatch message and matches re on what
// follows it, its first group the edit's start in seconds, which must be
// within 0.25 s of start. It returns what follows want and re's groups.
func editSaid(t *testing.T, msg, want string, re *regexp.Regexp, start float64) (rest string, groups []string) {
	t.Helper()
	i := strings.Index(msg, want)
	if i < 0 {
		t.Fatalf("sum_mismatch %q does not say %q", msg, want)
	}
	rest = msg[i+len(want):]
	groups = re.FindStringSubmatch(rest)
	if groups == nil {
		t.Fatalf("%q does not match %s", msg[i:], re)
	}
	if s, _ := strconv.ParseFloat(groups[1], 64); math.Abs(s-start) > 0.25 {
		t.Errorf("the edit starts at %.2f s, want %.2f s ± 0.25 s", s, start)
	}
	return rest, groups
}

// cutSpan returns b with the n frames from at on cut out and the rest
// moved up, its length kept (zeros at the end): a bar cut in another
// arrangement of the song.
func cutSpan(b *audio.Buffer, at, n int) *audio.Buffer {
	return audiotest.Shifted(b, at, b.Frames(), -n)
}

// franciumFrom and franciumTo bound the excerpt of the francium set the
// broken deliveries are made of (seconds): 20 s in which every stem plays
// (the lead vocal enters at 15 s, the effects stop there), to keep the
// tests short. The clean set is also checked whole (TestFranciumClean).
const franciumFrom, franciumTo = 5, 25

// loadFrancium cuts the francium excerpt once for every test.
func loadFrancium(t *testing.T) *delivery {
	fs := franciumFiles(t)
	franciumOnce.Do(func() {
		d := &delivery{rate: fs.rate, names: audiotest.FranciumStems,
			// lead_vocal, backing_vocals, drums, instruments, fx
			delayed: 2, inverted: 1, hot: 3, resampled: 0, reduced: 2, silenced: 4, missing: 1}
		for _, n := range audiotest.FranciumStems {
			d.paths = append(d.paths, "")
			d.bufs = append(d.bufs, fs.cut(n, franciumFrom, franciumTo-franciumFrom))
		}
		d.mix = fs.cut("mix.wav", franciumFrom, franciumTo-franciumFrom)
		francium = d
	})
	return francium
}

// deliverySets are the two clean deliveries the tests break: a generated
// song and the francium excerpt.
// eachSet runs f on every delivery set, each as a subtest of t.
func eachSet(t *testing.T, f func(t *testing.T, d *delivery)) {
	for _, set := range deliverySets {
		t.Run(set.name, func(t *testing.T) { f(t, set.load(t)) })
	}
}

var deliverySets = []struct {
	name string
	load func(t *testing.T) *delivery
}{
	{"generated", func(*testing.T) *delivery { return generated() }},
	{"francium", loadFrancium},
}

var (
	generatedOnce sync.Once
	generatedSet  *delivery
)

// generated is a synthetic five-stem song and its exact mix.
func generated() *delivery {
	generatedOnce.Do(func() { generatedSet = newGenerated() })
	return generatedSet
}

func newGenerated() *delivery {
	names, bufs := song(48000, 8, 1)
	return &delivery{rate: 48000, names: names, bufs: bufs, paths: make([]string, len(names)), mix: audiotest.Sum(bufs...),
		// drums, bass, keys, lead_vox, fx
		delayed: 1, inverted: 1, hot: 2, resampled: 3, reduced: 0, silenced: 4, missing: 2}
}

// files returns the delivery's stems as files to write: originals as they
// are, generated stems as buffers.
func (d *delivery) files() []stemFile {
	out := make([]stemFile, len(d.names))
	for i, n := range d.names {
		out[i] = stemFile{name: n, path: d.paths[i], format: pcm24(d.rate, d.bufs[i].Channels())}
		if d.paths[i] == "" {
			out[i].buf = d.bufs[i]
		}
	}
	return out
}

func (d *delivery) mixFile() stemFile {
	if d.mixAt != "" {
		return stemFile{name: "mix.wav", path: d.mixAt}
	}
	return stemFile{name: "mix.wav", buf: d.mix, format: pcm24(d.rate, d.mix.Channels())}
}

// replace makes stem i a new buffer (written in format).
func replace(fs []stemFile, i int, b *audio.Buffer, f audio.Format) {
	fs[i].buf, fs[i].path, fs[i].format = b, "", f
}

// want is a finding a case expects.
type want struct {
	code  string
	file  string // "" for findings about the whole delivery
	value *float64
	text  string // a substring of the message
	// channel the finding names ("" for none)
	channel string
	// severity, when not the code's (a dc_offset from DCErrorDBFS)
	severity stemmaster.Severity
}

func v(x float64) *float64 { return &x }

// deliveryCase builds a broken delivery from a clean one.
type deliveryCase struct {
	name  string
	build func(d *delivery) (stems []stemFile, mix *stemFile)
	want  []want
}

func deliveryCases(d *delivery) []deliveryCase {
	base := func() ([]stemFile, *stemFile) { m := d.mixFile(); return d.files(), &m }
	delay := func(n int) deliveryCase {
		return deliveryCase{
			name: fmt.Sprintf("stem %d samples late", n),
			build: func(d *delivery) ([]stemFile, *stemFile) {
				fs, m := base()
				replace(fs, d.delayed, delayed(d.bufs[d.delayed], n), pcm24(d.rate, 2))
				return fs, m
			},
			want: []want{{code: stemmaster.CodeOffset, file: d.names[d.delayed], value: v(float64(n)), text: samplesText(int64(n), d.rate) + " late"}},
		}
	}
	// A limiter on the mix and a mix missing a stem are
	// TestBusProcessingOnMix's cases, on the same two sets: it wants the
	// same finding and nothing else beside it.
	return []deliveryCase{
		{name: "clean", build: func(*delivery) ([]stemFile, *stemFile) { return base() }},
		delay(1), delay(37), delay(4800),
		{
			name: "stem 480 samples early",
			build: func(d *delivery) ([]stemFile, *stemFile) {
				fs, m := base()
				replace(fs, d.delayed, delayed(d.bufs[d.delayed], -480), pcm24(d.rate, 2))
				return fs, m
			},
			want: []want{{code: stemmaster.CodeOffset, file: d.names[d.delayed], value: v(-480), text: "480 samples (10.0 ms) early"}},
		},
		{
			name: "inverted stem",
			build: func(d *delivery) ([]stemFile, *stemFile) {
				fs, m := base()
				replace(fs, d.inverted, scaled(d.bufs[d.inverted], -1), pcm24(d.rate, 2))
				return fs, m
			},
			want: []want{{code: stemmaster.CodePolarityInverted, file: d.names[d.inverted]}},
		},
		{
			name: "stem 3 dB hot",
			build: func(d *delivery) ([]stemFile, *stemFile) {
				fs, m := base()
				replace(fs, d.hot, scaled(d.bufs[d.hot], audio.Amplitude(3)), pcm24(d.rate, 2))
				return fs, m
			},
			want: []want{{code: stemmaster.CodeGainMismatch, file: d.names[d.hot], value: v(3), text: "3.0 dB hot"}},
		},
		{
			name: "stem at 44.1 kHz",
			build: func(d *delivery) ([]stemFile, *stemFile) {
				fs, m := base()
				// A real 44.1 kHz export of the same stem: converted with
				// the project's resampler, so that once the check converts
				// it back it still sums to the mix.
				replace(fs, d.resampled, resampleBuf(d.bufs[d.resampled], d.rate, 44100), pcm24(44100, 2))
				return fs, m
			},
			want: []want{{code: stemmaster.CodeSampleRateMismatch, file: d.names[d.resampled], value: v(44100)}},
		},
		{
			name: "16-bit stem",
			build: func(d *delivery) ([]stemFile, *stemFile) {
				fs, m := base()
				replace(fs, d.reduced, d.bufs[d.reduced], audio.Format{SampleRate: d.rate, Channels: 2, BitDepth: 16, SampleFormat: audio.Int})
				return fs, m
			},
			want: []want{{code: stemmaster.CodeBitDepthLow, file: d.names[d.reduced], value: v(16)}},
		},
		{
			name: "silent stem",
			build: func(d *delivery) ([]stemFile, *stemFile) {
				fs, m := base()
				replace(fs, d.silenced, audio.NewBuffer(2, d.bufs[d.silenced].Frames()), pcm24(d.rate, 2))
				return fs, m
			},
			want: []want{{code: stemmaster.CodeSilent, file: d.names[d.silenced]}},
		},
		{
			name: "duplicated stem",
			build: func(d *delivery) ([]stemFile, *stemFile) {
				fs, m := base()
				fs = append(fs, stemFile{name: "copy_" + d.names[d.delayed], buf: d.bufs[d.delayed], format: pcm24(d.rate, 2)})
				return fs, m
			},
			want: []want{{code: stemmaster.CodeDuplicate, file: "copy_" + d.names[d.delayed], text: "identical to " + d.names[d.delayed]}},
		},
		{
			name: "stem from another song",
			build: func(d *delivery) ([]stemFile, *stemFile) {
				fs, m := base()
				_, other := song(d.rate, d.bufs[0].Frames()/d.rate, 99)
				o := audio.NewBuffer(2, d.bufs[0].Frames())
				for c := range o.Data {
					copy(o.Data[c], other[0].Data[c])
				}
				return append(fs, stemFile{name: "other_song_drums.wav", buf: o, format: pcm24(d.rate, 2)}), m
			},
			want: []want{{code: stemmaster.CodeGainMismatch, file: "other_song_drums.wav", text: "not in the mix"}},
		},
		{
			name: "stem the mix leaves out",
			build: func(d *delivery) ([]stemFile, *stemFile) {
				fs, _ := base()
				var rest []*audio.Buffer
				for i, b := range d.bufs {
					if i != d.missing {
						rest = append(rest, b)
					}
				}
				return fs, &stemFile{name: "mix.wav", buf: audiotest.Sum(rest...), format: pcm24(d.rate, 2)}
			},
			// The value says what the message says: at the floor, not
			// the fit's rounding hundreds of dB under it.
			want: []want{{code: stemmaster.CodeGainMismatch, file: d.names[d.missing], value: v(-gainWordsFloorDB), text: "not in the mix: its best fitted level there is below -140 dB"}},
		},
	}
}

// runDelivery writes a case's files and checks them.
func runDelivery(t *testing.T, stems []stemFile, mix *stemFile) *stemmaster.CheckReport {
	t.Helper()
	dir := t.TempDir()
	paths := writeFiles(t, dir, stems)
	mixPath := ""
	if mix != nil {
		mixPath = writeFiles(t, dir, []stemFile{*mix})[0]
	}
	// The cases are about findings: the stems' own true peaks (a quarter
	// of the check's work) are left to the golden report.
	rep, err := Run(context.Background(), FileSources(paths), MixSource(mixPath), Options{NoStemTruePeak: true})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// assertFindings checks that every wanted finding is there with its
// severity, value, message and channel, and that no other error or warning
// is.
func assertFindings(t *testing.T, rep *stemmaster.CheckReport, wants []want) {
	t.Helper()
	failWith(t, rep, findingProblems(rep, wants))
}

// failWith reports each problem and, when there is one, every finding of
// the report.
func failWith(t *testing.T, rep *stemmaster.CheckReport, problems []string) {
	t.Helper()
	for _, p := range problems {
		t.Error(p)
	}
	if len(problems) > 0 {
		t.Logf("findings: %s", describe(rep.Findings))
	}
}

// incidental lists what a broken delivery legitimately raises besides the
// finding under test: a silent stem that is in the mix (or a missing one)
// leaves a residual, and a duplicate, a hot stem or a clipped one makes
// the sum louder (headroom).
func incidental(f stemmaster.Finding, wants []want) bool {
	if explainedSum(f) && len(wants) > 0 {
		return true
	}
	for _, w := range wants {
		switch {
		case w.code == stemmaster.CodeSilent && f.Code == stemmaster.CodeSumMismatch:
			return true
		case (w.code == stemmaster.CodeDuplicate || w.code == stemmaster.CodeGainMismatch || w.code == stemmaster.CodeClipping) && f.Code == stemmaster.CodeHeadroom:
			return true
		}
	}
	return false
}

func fmtValue(p *float64) string {
	if p == nil {
		return "none"
	}
	return fmt.Sprint(*p)
}

func describe(fs []stemmaster.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "\n  %s %s %q value=%s: %s", f.Severity, f.Code, f.File, fmtValue(f.Value), f.Message)
	}
	if b.Len() == 0 {
		return "none"
	}
	return b.String()
}

// TestBrokenDeliveries breaks a clean stem set one way at a time and checks
// that the right finding fires on the right file with the right value:
// the values are the ones the case put in (the delay in samples, +3 dB,
// 44100 Hz, 16 bits).
func TestBrokenDeliveries(t *testing.T) {
	t.Parallel()
	for _, set := range deliverySets {
		t.Run(set.name, func(t *testing.T) {
			d := set.load(t)
			for _, tc := range deliveryCases(d) {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					stems, mix := tc.build(d)
					rep := runDelivery(t, stems, mix)
					assertFindings(t, rep, tc.want)
					if t.Failed() {
						t.Logf("findings: %s", describe(rep.Findings))
					}
				})
			}
		})
	}
}

// TestFranciumClean checks the whole francium set as delivered: it must
// raise no error and no warning, null perfectly against its mix (the
// README: mix.wav is the exact sum of the 24-bit stems) and be advised as
// balanced (every family within its range: stereo mastering).
func TestFranciumClean(t *testing.T) {
	t.Parallel()
	dir := audiotest.FranciumDir(t)
	var stems []string
	for _, n := range audiotest.FranciumStems {
		stems = append(stems, filepath.Join(dir, n))
	}
	rep, err := Run(context.Background(), FileSources(stems), MixSource(filepath.Join(dir, "mix.wav")), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Findings {
		if f.Severity != stemmaster.SeverityInfo {
			t.Errorf("%s %s on %q: %s", f.Severity, f.Code, f.File, f.Message)
		}
	}
	if rep.Mix == nil || rep.Mix.NullResidualDB.Defined() && rep.Mix.NullResidualDB > -120 {
		t.Errorf("mix report %+v, want a null below -120 dB", rep.Mix)
	}
	if rep.Advice == nil || rep.Advice.Service != stemmaster.ServiceStereoMastering {
		t.Errorf("advice %+v, want stereo_mastering", rep.Advice)
	}
	// The README's figures (ffmpeg ebur128), to the meter's ±0.1 LU.
	const lufsTol = 0.1
	wantLUFS := map[string]float64{"lead_vocal.wav": -20.2, "backing_vocals.wav": -24.2, "drums.wav": -21.1, "instruments.wav": -24.1, "fx.wav": -22.2}
	for _, s := range rep.Stems {
		if math.Abs(float64(s.IntegratedLUFS)-wantLUFS[s.File]) > lufsTol+0.05 {
			t.Errorf("%s: %.2f LUFS, README %.1f", s.File, float64(s.IntegratedLUFS), wantLUFS[s.File])
		}
	}
	if rep.Sum == nil || math.Abs(float64(rep.Sum.IntegratedLUFS)+18.4) > lufsTol+0.05 {
		t.Errorf("sum %+v, README -18.4 LUFS", rep.Sum)
	}
}

// explainedSum reports a sum_mismatch that says the other findings explain
// it: the stems as delivered do not sum to the mix, but corrected for the
// faults found they do. It comes with every fault that changes the sum.
func explainedSum(f stemmaster.Finding) bool {
	return f.Code == stemmaster.CodeSumMismatch && strings.Contains(f.Message, "those findings explain the difference")
}

// resampleBuf converts b from one rate to another with dsp/resample.
func resampleBuf(b *audio.Buffer, from, to int) *audio.Buffer {
	rs, err := resample.New(from, to, b.Channels())
	if err != nil {
		panic(err)
	}
	out := rs.Process(nil, b).Clone()
	tail := rs.Flush(nil)
	for c := range out.Data {
		out.Data[c] = append(out.Data[c], tail.Data[c]...)
	}
	return out
}

// TestDeterministicReport checks a delivery twice — a song's stems, one of
// them late and one inverted, against their mix — and wants byte-identical
// JSON: the check's figures and findings must not depend on scheduling or
// map order.
func TestDeterministicReport(t *testing.T) {
	t.Parallel()
	const rate = testRate
	names, stems := shortSong()
	files := []stemFile{{name: "mix.wav", buf: audiotest.Sum(stems...), format: pcm24(rate, 2)}}
	for i, s := range stems {
		switch i {
		case 1:
			s = delayed(s, 480)
		case 2:
			s = scaled(s, -1)
		}
		files = append(files, stemFile{name: names[i] + ".wav", buf: s, format: pcm24(rate, s.Channels())})
	}
	paths := writeFiles(t, t.TempDir(), files)
	var reports [2][]byte
	for i := range reports {
		rep, err := Run(context.Background(), FileSources(paths[1:]), MixSource(paths[0]), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Findings) < 2 {
			t.Fatalf("%d findings; the delivery has an offset and an inverted stem: %+v", len(rep.Findings), rep.Findings)
		}
		if reports[i], err = json.Marshal(rep); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(reports[0], reports[1]) {
		t.Errorf("two checks of the same delivery differ:\n%s\n%s", reports[0], reports[1])
	}
}

// TestAdviceCorrected: the advice on the stems measured again with the
// corrections the findings name is the advice on the delivery as it
// should have been: a stem 12 dB hot (a warning, set gain_db) takes the
// balance off what the clean delivery measures, a stem late and inverted
// (errors: offset_samples and polarity), a channel of the drums' room
// inverted (its family's loudness moves), a stem with its channels
// exchanged and one inverted add errors; corrected, the second pass gives
// the clean delivery's advice, figure for figure, after one reason naming
// the corrections. A clean delivery names no correction
// and gets no second pass.
func TestAdviceCorrected(t *testing.T) {
	t.Parallel()
	const rate = 48000
	names, bufs := song(rate, 6, 1)
	// A room microphone of the drums: their sound, duller.
	room := scaled(bufs[0], 0.6)
	for _, ch := range room.Data {
		var y float32
		for i, v := range ch {
			y += 0.3 * (v - y)
			ch[i] = y
		}
	}
	names, bufs = append(names, "drums_room.wav"), append(bufs, room)
	mix := mixOf(bufs...)
	clean := run(t, memSet(names, bufs, rate), mix)
	if clean.AdviceCorrected != nil {
		t.Errorf("clean delivery: advice_corrected %+v, want none", clean.AdviceCorrected)
	}
	for _, tc := range []struct {
		name  string
		spoil func(srcs []Source)
		want  []string // in the first reason: the corrections' labels
		codes []string
	}{
		{"hot", func(srcs []Source) {
			srcs[2] = memSource(names[2], scaled(bufs[2], math.Pow(10, 12.0/20)), audio.Format{SampleRate: rate, Channels: 2, BitDepth: 32, SampleFormat: audio.Float})
		}, []string{"set " + names[2] + " to -12.0 dB"}, []string{stemmaster.CodeGainMismatch}},
		{"late and inverted", func(srcs []Source) {
			srcs[0] = memSource(names[0], scaled(delayed(bufs[0], 480), -1), pcm24(rate, 2))
		}, []string{"move " + names[0] + " 480 samples earlier", "invert the polarity of " + names[0]}, []string{stemmaster.CodeOffset, stemmaster.CodePolarityInverted}},
		{"room inverted on the right", func(srcs []Source) {
			// Drums and their room share a family, so a channel of the
			// room inverted moves the family's loudness.
			srcs[5] = memSource(names[5], rightInverted(bufs[5]), pcm24(rate, 2))
		}, []string{"invert the right channel of " + names[5]}, []string{stemmaster.CodePolarityInverted}},
		{"swapped, one channel inverted", func(srcs []Source) {
			// The keys (a wide stem) hold the right channel on the
			// left and the left, inverted, on the right.
			b := bufs[2].Clone()
			b.Data[0], b.Data[1] = b.Data[1], b.Data[0]
			srcs[2] = memSource(names[2], rightInverted(b), pcm24(rate, 2))
		}, []string{"exchange the left and right channels of " + names[2], "invert the right channel of " + names[2]}, []string{stemmaster.CodeChannelsSwapped, stemmaster.CodePolarityInverted}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srcs := memSet(names, bufs, rate)
			tc.spoil(srcs)
			rep := run(t, srcs, mix)
			for _, code := range tc.codes {
				if !slices.ContainsFunc(rep.Findings, func(f stemmaster.Finding) bool { return f.Code == code }) {
					t.Fatalf("findings %+v, want %s", rep.Findings, code)
				}
			}
			if slices.Equal(rep.Advice.Reasons, clean.Advice.Reasons) {
				t.Fatalf("fixture: the broken delivery's advice is the clean one's: %q", rep.Advice.Reasons)
			}
			a := rep.AdviceCorrected
			if a == nil || len(a.Reasons) == 0 {
				t.Fatalf("advice_corrected %+v, want one", a)
			}
			for _, w := range tc.want {
				if !strings.Contains(a.Reasons[0], w) {
					t.Errorf("first reason %q, want %q in it", a.Reasons[0], w)
				}
			}
			// Past the corrections, the clean delivery's advice figure for
			// figure, saying which stems it read.
			rest := make([]string, len(a.Reasons)-1)
			for i, r := range a.Reasons[1:] {
				rest[i] = strings.Replace(r, "the stems with these corrections", "the stems", 1)
			}
			if a.Service != clean.Advice.Service || !slices.Equal(rest, clean.Advice.Reasons) {
				t.Errorf("corrected advice %s %q\nwant the clean delivery's %s %q", a.Service, a.Reasons[1:], clean.Advice.Service, clean.Advice.Reasons)
			}
		})
	}
}

// rightInverted returns b with its right channel inverted.
func rightInverted(b *audio.Buffer) *audio.Buffer {
	out := b.Clone()
	for i, v := range out.Data[1] {
		out.Data[1][i] = -v
	}
	return out
}

// TestAdviceNamesTheMixAmongStems: a delivery with the mix among its
// stems has no balance to measure (every family is in the sum twice);
// the advice names the file to leave out and says to check again.
func TestAdviceNamesTheMixAmongStems(t *testing.T) {
	t.Parallel()
	const rate = 48000
	names, bufs := song(rate, 6, 1)
	mix := audiotest.Sum(bufs...)
	srcs := append(memSet(names, bufs, rate), memSource("song_master.wav", mix, pcm24(rate, 2)))
	for _, m := range []*Source{asMix(mix), nil} {
		rep := run(t, srcs, m)
		last := rep.Advice.Reasons[len(rep.Advice.Reasons)-1]
		if rep.Advice.Service != stemmaster.ServiceStemMastering || !strings.HasPrefix(last, "song_master.wav is the whole mix, not a stem") || !strings.Contains(last, "check again") {
			t.Errorf("mix given %v: advice %s %q, want it to name song_master.wav to leave out", m != nil, rep.Advice.Service, rep.Advice.Reasons)
		}
	}
}

// TestHighRateOffset checks a 96 kHz delivery with the mix, one stem late
// by 96 samples: the first search is set in seconds, and at 96 kHz two of
// them are more lags than analysis.Align's coarse pass holds (it panicked,
// and took the web service down with it). The offset is found, exact to
// the sample.
func TestHighRateOffset(t *testing.T) {
	t.Parallel()
	const rate, late = 96000, 96
	names, bufs := song(rate, 6, 11)
	mix := audiotest.Sum(bufs...)
	bufs[3] = delayed(bufs[3], late)
	m := memSource("mix.wav", mix, pcm24(rate, 2))
	rep := run(t, memSet(names, bufs, rate), &m)
	assertFindings(t, rep, []want{{code: stemmaster.CodeOffset, file: names[3], value: v(late)}})
}
