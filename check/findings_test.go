package check

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/testkit"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// memSource serves a buffer as a Source in the given format.
func memSource(name string, b *audio.Buffer, f audio.Format) Source {
	return Source{Name: name, Open: func() (audio.Reader, error) {
		r := audiotest.NewReader(b, f.SampleRate)
		r.Fmt = f
		return r, nil
	}}
}

func memSet(names []string, bufs []*audio.Buffer, rate int) []Source {
	out := make([]Source, len(names))
	for i, n := range names {
		out[i] = memSource(n, bufs[i], pcm24(rate, bufs[i].Channels()))
	}
	return out
}

// asMix serves b as the delivery's mix: mix.wav, stereo 24-bit at
// testRate.
func asMix(b *audio.Buffer) *Source {
	mix := memSource("mix.wav", b, pcm24(testRate, 2))
	return &mix
}

// mixOf is the mix that is exactly the sum of bufs.
func mixOf(bufs ...*audio.Buffer) *Source { return asMix(audiotest.Sum(bufs...)) }

func run(t *testing.T, stems []Source, mix *Source) *stemmaster.CheckReport {
	t.Helper()
	rep, err := Run(context.Background(), stems, mix, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestLevelFindings checks the per-stem level checks on generated stems,
// each built to cross one threshold (the values are the ones put in).
func TestLevelFindings(t *testing.T) {
	t.Parallel()
	const rate = testRate
	names, bufs := shortSong()
	stereo := func(b *audio.Buffer) *audio.Buffer { return b }
	tests := []struct {
		name   string
		modify func(b *audio.Buffer) *audio.Buffer // b is the case's own copy of the drums
		format audio.Format
		want   []want
	}{
		{
			name: "integer clipping: three full-scale runs",
			modify: func(b *audio.Buffer) *audio.Buffer {
				for _, at := range []int{1000, 20000, 40000} {
					for i := range 4 {
						b.Data[0][at+i] = 1 // written as 8388607: full scale
					}
				}
				b.Data[1][60000], b.Data[1][60001] = -1, -1 // two in a row: not a clip
				return b
			},
			format: pcm24(rate, 2),
			want:   []want{{code: stemmaster.CodeClipping, file: "drums.wav", value: v(3), text: "3 runs"}},
		},
		{
			// A float bounce flattened at exactly 0 dBFS (sox and
			// fixed-point stages clip there) is clipped, not only samples
			// beyond ±1.0.
			name: "float clipped at exactly full scale: two runs",
			modify: func(b *audio.Buffer) *audio.Buffer {
				for _, at := range []int{3000, 30000} {
					for i := range 5 {
						b.Data[1][at+i] = -1
					}
				}
				b.Data[0][50000], b.Data[0][50001] = 1, 1 // two in a row: not a clip
				return b
			},
			format: audio.Format{SampleRate: rate, Channels: 2, BitDepth: 32, SampleFormat: audio.Float},
			want:   []want{{code: stemmaster.CodeClipping, file: "drums.wav", value: v(2), text: "2 runs"}},
		},
		{
			name: "float beyond full scale",
			modify: func(b *audio.Buffer) *audio.Buffer {
				b.Data[1][5000], b.Data[1][5001] = 1.5, -1.25
				return b
			},
			format: audio.Format{SampleRate: rate, Channels: 2, BitDepth: 32, SampleFormat: audio.Float},
			want:   []want{{code: stemmaster.CodeClipping, file: "drums.wav", value: v(2), text: "+3.5 dBFS"}},
		},
		{
			// Finite but absurd: the chain's float arithmetic overflows on
			// it, so it is an error, and its clip and DC figures are not
			// reported besides.
			name: "float far beyond full scale: out of range",
			modify: func(b *audio.Buffer) *audio.Buffer {
				for _, ch := range b.Data {
					for i := range ch {
						ch[i] = ch[i]*1e38 + 1e36
					}
				}
				return b
			},
			format: audio.Format{SampleRate: rate, Channels: 2, BitDepth: 32, SampleFormat: audio.Float},
			want:   []want{{code: stemmaster.CodeOutOfRange, file: "drums.wav", text: "more than 200 dB above full scale"}, {code: stemmaster.CodeHeadroom}},
		},
		{
			name: "DC offset of -40 dBFS",
			modify: func(b *audio.Buffer) *audio.Buffer {
				for _, ch := range b.Data {
					for i := range ch {
						ch[i] += 0.01
					}
				}
				return b
			},
			format: pcm24(rate, 2),
			want:   []want{{code: stemmaster.CodeDCOffset, file: "drums.wav", value: v(-40), text: "-40.0 dBFS"}},
		},
		{
			// From DCErrorDBFS a DC changes the master (docs/checks.md):
			// an error, which says why.
			name: "DC offset of -20 dBFS",
			modify: func(b *audio.Buffer) *audio.Buffer {
				return withDC(b, -20)
			},
			format: audio.Format{SampleRate: rate, Channels: 2, BitDepth: 32, SampleFormat: audio.Float},
			want:   []want{{code: stemmaster.CodeDCOffset, file: "drums.wav", value: v(-20), severity: stemmaster.SeverityError, text: "a DC changes the master"}},
		},
		{
			name: "DC offset of -6 dBFS",
			modify: func(b *audio.Buffer) *audio.Buffer {
				return withDC(b, -6)
			},
			format: audio.Format{SampleRate: rate, Channels: 2, BitDepth: 32, SampleFormat: audio.Float},
			want: []want{
				{code: stemmaster.CodeDCOffset, file: "drums.wav", value: v(-6), severity: stemmaster.SeverityError, text: "a compressor on the track or a limiter with no high-pass"},
				{code: stemmaster.CodeHeadroom},
			},
		},
		{
			name: "DC offset of -21 dBFS",
			modify: func(b *audio.Buffer) *audio.Buffer {
				return withDC(b, -21)
			},
			format: audio.Format{SampleRate: rate, Channels: 2, BitDepth: 32, SampleFormat: audio.Float},
			want:   []want{{code: stemmaster.CodeDCOffset, file: "drums.wav", value: v(-21), text: "(limit -50 dBFS)"}},
		},
		{
			name: "mono stored as stereo",
			modify: func(b *audio.Buffer) *audio.Buffer {
				copy(b.Data[1], b.Data[0])
				return b
			},
			format: pcm24(rate, 2),
			want:   []want{{code: stemmaster.CodeMonoAsStereo, file: "drums.wav"}},
		},
		{
			name: "mono beside stereo is fine",
			modify: func(b *audio.Buffer) *audio.Buffer {
				return &audio.Buffer{Data: [][]float32{b.Data[0]}}
			},
			format: pcm24(rate, 1),
			want:   []want{{code: stemmaster.CodeChannelMismatch, file: "drums.wav", text: "that is fine"}},
		},
		{
			name: "250 ms short",
			modify: func(b *audio.Buffer) *audio.Buffer {
				b.SetFrames(b.Frames() - rate/4)
				return b
			},
			format: pcm24(rate, 2),
			want:   []want{{code: stemmaster.CodeLengthMismatch, file: "drums.wav", value: v(-250), text: "250.0 ms shorter"}},
		},
		{name: "clean", modify: stereo, format: pcm24(rate, 2)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srcs := memSet(names, bufs, rate)
			b := tc.modify(bufs[0].Clone())
			srcs[0] = memSource(names[0], b, tc.format)
			rep := run(t, srcs, nil)
			assertFindings(t, rep, tc.want)
		})
	}
}

// TestCount checks the stem-count findings and the advice they lead to.
func TestCount(t *testing.T) {
	t.Parallel()
	const rate = 48000
	n1, b1 := song(rate, 3, 1)
	n2, b2 := song(rate, 3, 2)
	var names []string
	for i := range n1 {
		names = append(names, n1[i], "b_"+n2[i])
	}
	bufs := []*audio.Buffer{}
	for i := range b1 {
		// Two songs at once: each at half level, so that the sum keeps its
		// headroom.
		bufs = append(bufs, scaled(b1[i], 0.5), scaled(b2[i], 0.5))
	}
	tests := []struct {
		name    string
		n       int
		want    []want
		service stemmaster.Service
	}{
		{"ten stems", 10, []want{{code: stemmaster.CodeTooManyStems, value: v(10), text: "10 stems"}}, stemmaster.ServiceMixing},
		{"one stem", 1, []want{{code: stemmaster.CodeSingleStem, file: names[0]}}, stemmaster.ServiceStereoMastering},
		{"eight stems", 8, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mix := mixOf(bufs[:tc.n]...)
			rep := run(t, memSet(names[:tc.n], bufs[:tc.n], rate), mix)
			assertFindings(t, rep, tc.want)
			if tc.service != "" && rep.Advice.Service != tc.service {
				t.Errorf("advice %s, want %s (%q)", rep.Advice.Service, tc.service, rep.Advice.Reasons)
			}
		})
	}
}

// TestUnreadable checks that a damaged or foreign file becomes a finding
// naming it, not an error of the check.
func TestUnreadable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	names, bufs := song(48000, 2, 1)
	paths := writeFiles(t, dir, []stemFile{{name: names[0], buf: bufs[0], format: pcm24(48000, 2)}})
	mp3 := filepath.Join(dir, "bass.mp3")
	if err := os.WriteFile(mp3, append([]byte("ID3\x04\x00\x00\x00\x00\x00\x00"), make([]byte, 100)...), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "keys.wav")
	rep, err := Run(context.Background(), FileSources([]string{paths[0], mp3, missing}), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	assertFindings(t, rep, []want{
		{code: stemmaster.CodeUnsupportedFormat, file: "bass.mp3", text: "bass.mp3 cannot be read"},
		{code: stemmaster.CodeUnreadable, file: "keys.wav", text: "keys.wav cannot be read"},
	})
	// Each cause has its own fix: a file that is not there was never
	// damaged, and exporting it "again" says nothing of where it went.
	fixes := map[string]string{"bass.mp3": "export as WAV, AIFF or FLAC", "keys.wav": "the file is not there: check its name and folder"}
	for _, f := range rep.Findings {
		if w, ok := fixes[f.File]; ok && !strings.HasPrefix(f.Fix, w) {
			t.Errorf("%s: fix %q, want it to start %q", f.File, f.Fix, w)
		}
	}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&fs.PathError{Op: "open", Path: "keys.wav", Err: fs.ErrNotExist}, "the file is not there"},
		{&fs.PathError{Op: "open", Path: "keys.wav", Err: fs.ErrPermission}, "the file may not be read by this user"},
		{fmt.Errorf("keys.wav: %w", audio.ErrUnknownFormat), "export as WAV, AIFF or FLAC"},
		{io.ErrUnexpectedEOF, "export the file again; it may be damaged or cut short"},
	} {
		if got := unreadableFix(tc.err); !strings.HasPrefix(got, tc.want) {
			t.Errorf("unreadableFix(%v) = %q, want it to start %q", tc.err, got, tc.want)
		}
	}
	if len(rep.Stems) != 3 || rep.Stems[1].IntegratedLUFS.Defined() {
		t.Errorf("stems %+v: want all three listed, the unreadable ones without figures", rep.Stems)
	}
}

// withTimeReference rewrites a WAV file with a bext chunk carrying the
// given BWF time reference (EBU Tech 3285: TimeReference at offset 338).
func withTimeReference(t *testing.T, path string, ref uint64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bext := make([]byte, 602)
	binary.LittleEndian.PutUint64(bext[338:], ref)
	chunk := append([]byte("bext"), binary.LittleEndian.AppendUint32(nil, uint32(len(bext)))...)
	chunk = append(chunk, bext...)
	out := append(append(append([]byte{}, b[:12]...), chunk...), b[12:]...)
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestTimeReferences checks offsets between stems from BWF time references
// when there is no mix: the stem whose reference differs from the others'
// by 480 samples is reported with that value.
func TestTimeReferences(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	names, bufs := song(48000, 2, 1)
	var files []stemFile
	for i := range 3 {
		files = append(files, stemFile{name: names[i], buf: bufs[i], format: pcm24(48000, 2)})
	}
	paths := writeFiles(t, dir, files)
	const session = 48000 * 3600 // 01:00:00:00 at 48 kHz
	withTimeReference(t, paths[0], session)
	withTimeReference(t, paths[1], session+480)
	withTimeReference(t, paths[2], session)
	rep, err := Run(context.Background(), FileSources(paths), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	assertFindings(t, rep, []want{{code: stemmaster.CodeOffset, file: names[1], value: v(480), text: "480 samples (10.0 ms) later"}})
}

// TestGoldenReport pins the JSON of a broken generated delivery (a stem 37
// samples late, one inverted, one 16-bit) against testdata/report.golden;
// run with -update to rewrite it after a deliberate change.
func TestGoldenReport(t *testing.T) {
	t.Parallel()
	const rate = 48000
	names, bufs := song(rate, 6, 1)
	mix := mixOf(bufs...)
	srcs := memSet(names, bufs, rate)
	srcs[1] = memSource(names[1], delayed(bufs[1], 37), pcm24(rate, 2))
	srcs[2] = memSource(names[2], scaled(bufs[2], -1), pcm24(rate, 2))
	srcs[3] = memSource(names[3], bufs[3], audio.Format{SampleRate: rate, Channels: 2, BitDepth: 16, SampleFormat: audio.Int})
	rep := run(t, srcs, mix)
	got, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", "report.golden")
	stored := testkit.Golden(t, "report.golden", got, *update)
	if !bytes.Equal(got, stored) {
		t.Errorf("report differs from %s (run with -update if the change is deliberate):\n%s", golden, got)
	}
	// The golden file must itself say what the case put in.
	var back stemmaster.CheckReport
	if err := json.Unmarshal(stored, &back); err != nil {
		t.Fatal(err)
	}
	assertFindings(t, &back, []want{
		{code: stemmaster.CodeOffset, file: names[1], value: v(37)},
		{code: stemmaster.CodePolarityInverted, file: names[2]},
		{code: stemmaster.CodeBitDepthLow, file: names[3], value: v(16)},
	})
}

// errTruncated stands for a decoder's error on a file cut short.
var errTruncated = errors.New("file ends in the middle of a frame")

// failingReader serves frames until left runs out, then fails as a
// truncated file does: the frames before the cut decode, then an error.
type failingReader struct {
	audio.Reader
	left int
}

func (r *failingReader) Read(dst *audio.Buffer) (int, error) {
	if r.left <= 0 {
		return 0, errTruncated
	}
	n, err := r.Reader.Read(dst)
	if n > r.left {
		n = r.left
	}
	r.left -= n
	return n, err
}

// TestTruncatedStemWithMix: a stem that fails part-way is reported as
// unreadable (with a length mismatch), and the check against the mix
// still completes: with --mix the later passes reread the stem and meet the
// error again, which must not abort the whole check ("check: reread
// drums.wav: …", exit 2).
func TestTruncatedStemWithMix(t *testing.T) {
	t.Parallel()
	const rate = testRate
	names, bufs := shortSong()
	stems := memSet(names, bufs, rate)
	mix := mixOf(bufs...)
	const cut = 3 * rate / 2 // the stem breaks off after 1.5 s of 4 s
	broken := stems[0].Open
	stems[0].Open = func() (audio.Reader, error) {
		r, err := broken()
		if err != nil {
			return nil, err
		}
		return &failingReader{Reader: r, left: cut}, nil
	}
	rep := run(t, stems, mix)
	// 4 s − 1.5 s = 2500 ms shorter than the others (the stems' length).
	// The rest of the report (the residual of the missing 2.5 s) is the
	// comparison's business; this test wants the two findings and a report.
	wants := []want{
		{code: stemmaster.CodeUnreadable, file: names[0], text: "after 72000 frames"},
		{code: stemmaster.CodeLengthMismatch, file: names[0], value: v(-2500)},
	}
	problems, _ := wantedProblems(rep, wants)
	failWith(t, rep, problems)
	if rep.Mix == nil {
		t.Error("no mix report: the comparison with the mix did not run")
	}
}

// TestMixLevel: one gain shared by every stem (or all but one) is one
// finding on the mix's level, not one per stem, also when what the mix
// holds beside the stems (an echo on one of them, a stem left out) leans
// the fitted gains apart by a few tenths; a stem off beside it is off by
// the difference. Two stems of five off alike are two faders.
func TestMixLevel(t *testing.T) {
	t.Parallel()
	names, _ := shortSong()
	echo := func(b *audio.Buffer) *audio.Buffer { return scaled(delayed(b, testRate/8), 0.5) }
	tests := []struct {
		name  string
		build func(b []*audio.Buffer) ([]Source, *Source)
		want  []want // the gain findings, exactly
	}{
		{
			name: "the mix 6 dB down, an echo on the keys in it only",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				m := scaled(audiotest.Sum(append([]*audio.Buffer{echo(b[2])}, b...)...), audio.Amplitude(-6))
				return memSet(names, b, testRate), asMix(m)
			},
			want: []want{{code: stemmaster.CodeGainMismatch, file: "mix.wav", text: "the mix mix.wav is 6.0 dB quieter than the stems' sum"}},
		},
		{
			name: "the mix 6 dB down, the bass 3 dB hot",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				m := scaled(audiotest.Sum(b...), audio.Amplitude(-6))
				b[1] = scaled(b[1], audio.Amplitude(3))
				return memSet(names, b, testRate), asMix(m)
			},
			want: []want{
				{code: stemmaster.CodeGainMismatch, file: "mix.wav", value: v(-6)},
				{code: stemmaster.CodeGainMismatch, file: "bass.wav", value: v(3), text: "bass.wav is 3.0 dB hot against the mix once the mix's own 6.0 dB is taken out"},
			},
		},
		{
			name: "the mix 3 dB up",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				return memSet(names, b, testRate), asMix(scaled(audiotest.Sum(b...), audio.Amplitude(3)))
			},
			want: []want{{code: stemmaster.CodeGainMismatch, file: "mix.wav", value: v(3), text: "3.0 dB louder"}},
		},
		{
			name: "the mix 6 dB down, the fx left out",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				return memSet(names[:4], b[:4], testRate), asMix(scaled(audiotest.Sum(b...), audio.Amplitude(-6)))
			},
			want: []want{{code: stemmaster.CodeGainMismatch, file: "mix.wav", text: "6.0 dB quieter"}},
		},
		{
			name: "two stems of five 3 dB hot",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				m := mixOf(b...)
				b[0], b[2] = scaled(b[0], audio.Amplitude(3)), scaled(b[2], audio.Amplitude(3))
				return memSet(names, b, testRate), m
			},
			want: []want{
				{code: stemmaster.CodeGainMismatch, file: "drums.wav", value: v(3)},
				{code: stemmaster.CodeGainMismatch, file: "keys.wav", value: v(3)},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := checkShortSong(t, tc.build)
			var gains []stemmaster.Finding
			for _, f := range rep.Findings {
				if f.Code == stemmaster.CodeGainMismatch {
					gains = append(gains, f)
				}
			}
			failWith(t, rep, findingProblems(&stemmaster.CheckReport{Findings: gains}, tc.want))
			if len(gains) != len(tc.want) {
				t.Errorf("%d gain findings, want %d: %s", len(gains), len(tc.want), describe(gains))
			}
			for _, f := range gains {
				if f.File == "mix.wav" && !strings.Contains(f.Message, "master-fader or bus gain") {
					t.Errorf("%q does not say what a gain on the mix is", f.Message)
				}
			}
		})
	}
}
