package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/check"
	"stemmaster/dsp/resample"
	"stemmaster/internal/audiotest"
)

// infoOnly is the file under a teeReader that the tee never detaches
// from: only its Info is read.
type infoOnly struct{ info audio.Info }

func (f infoOnly) Info() audio.Info                { return f.info }
func (f infoOnly) Read(*audio.Buffer) (int, error) { return 0, io.ErrUnexpectedEOF }

// TestTeeHandsBlocksWhole: the strip hands its decoded blocks to the tee
// and the check takes a whole one by exchanging storage (no copy), reads a
// short one by copying, then reaches the end; the strip decodes on into
// the storage the check gave back. Every sample arrives as decoded.
func TestTeeHandsBlocksWhole(t *testing.T) {
	t.Parallel()
	const short = 100
	tee := newTee()
	rd := &teeReader{t: tee, file: infoOnly{audio.Info{Frames: BlockSize + short, Format: audio.Format{Channels: 2, SampleRate: 48000}}}}
	fill := func(b *audio.Buffer, n, from int) {
		b.SetFrames(n)
		for c := range b.Data {
			for i := range b.Data[c] {
				b.Data[c][i] = float32(c*1_000_000 + from + i)
			}
		}
	}
	check := func(b *audio.Buffer, n, from int) {
		t.Helper()
		if b.Frames() != n {
			t.Fatalf("%d frames, want %d", b.Frames(), n)
		}
		for c := range b.Data {
			for i, v := range b.Data[c][:n] {
				if v != float32(c*1_000_000+from+i) {
					t.Fatalf("channel %d frame %d: %v", c, from+i, v)
				}
			}
		}
	}

	raw := audio.NewBuffer(2, BlockSize)
	first := &raw.Data[0][0]
	fill(raw, BlockSize, 0)
	raw = tee.hand(raw, BlockSize)
	if &raw.Data[0][0] == first {
		t.Fatal("the tee kept no block")
	}
	dst := audio.NewBuffer(2, BlockSize)
	mine := &dst.Data[0][0]
	if !rd.TakeBlock(dst) {
		t.Fatal("a whole block was not taken")
	}
	if &dst.Data[0][0] != first {
		t.Fatal("the whole block was copied, not handed over")
	}
	check(dst, BlockSize, 0)

	fill(raw, short, BlockSize)
	raw = tee.hand(raw, short)
	if &raw.Data[0][0] != mine {
		t.Fatal("the strip did not get back the storage the check gave")
	}
	tee.end()
	dst.SetFrames(BlockSize)
	if rd.TakeBlock(dst) {
		t.Fatal("a short block was taken whole")
	}
	n, err := rd.Read(dst)
	if err != nil || n != short {
		t.Fatalf("read %d frames, %v; want %d", n, err, short)
	}
	check(&audio.Buffer{Data: [][]float32{dst.Data[0][:n], dst.Data[1][:n]}}, short, BlockSize)
	if rd.TakeBlock(dst) {
		t.Fatal("a block taken after the end")
	}
	if n, err := rd.Read(dst); n != 0 || err != io.EOF {
		t.Fatalf("after the end: %d frames, %v", n, err)
	}
}

// TestRenderCheckIsTheCheck holds the render's check findings (report.json,
// the results page) to the stem check of the same files (the check job,
// the checklist, `stemmaster check`): one measurement of the delivery as
// delivered, whatever the session corrects while it reads the stems
// (offset_samples, resample, swap_channels, one channel's polarity).
func TestRenderCheckIsTheCheck(t *testing.T) {
	t.Parallel()
	const rate, frames, lateBy = 48000, 4 * 48000, 1000
	stems := []string{"drums.wav", "bass.wav", "keys.wav"}
	parts := []*audio.Buffer{
		audiotest.PinkNoise(1, 2, frames, -12),
		audiotest.PinkNoise(2, 2, frames, -14),
		audiotest.PinkNoise(3, 2, frames, -16),
	}
	mix := audio.NewBuffer(2, frames)
	for _, p := range parts {
		audiotest.Add(mix, p)
	}
	delayed := func(b *audio.Buffer) *audio.Buffer {
		return audiotest.Concat(audio.NewBuffer(b.Channels(), lateBy), b)
	}
	cases := []struct {
		name string
		// fault returns stem i as delivered and its rate, and the mix.
		fault func(i int) (*audio.Buffer, int)
		mix   *audio.Buffer
		fix   func(sp *stemmaster.StemSpec, i int)
		want  string // a finding code the check must report
	}{
		{"late", func(i int) (*audio.Buffer, int) {
			if i == 0 {
				return delayed(parts[i]), rate
			}
			return parts[i], rate
		}, mix, func(sp *stemmaster.StemSpec, i int) {
			if i == 0 {
				sp.OffsetSamples = -lateBy
			}
		}, stemmaster.CodeOffset},
		{"shifted", func(i int) (*audio.Buffer, int) { return parts[i], rate }, delayed(mix),
			func(*stemmaster.StemSpec, int) {}, stemmaster.CodeOffset},
		{"rate", func(i int) (*audio.Buffer, int) {
			if i != 2 {
				return parts[i], rate
			}
			rs, err := resample.New(rate, 44100, 2)
			if err != nil {
				t.Fatal(err)
			}
			return audiotest.Concat(rs.Process(nil, parts[i]).Clone(), rs.Flush(nil).Clone()), 44100
		}, mix, func(sp *stemmaster.StemSpec, i int) { sp.Resample = i == 2 }, stemmaster.CodeSampleRateMismatch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			var paths []string
			for i, name := range stems {
				b, r := tc.fault(i)
				audiotest.WriteWAV(t, dir, name, b, r, 24)
				paths = append(paths, filepath.Join(dir, name))
			}
			audiotest.WriteWAV(t, dir, "mix.wav", tc.mix, rate, 24)
			want, err := check.Run(context.Background(), check.FileSources(paths), check.MixSource(filepath.Join(dir, "mix.wav")), check.Options{})
			if err != nil {
				t.Fatal(err)
			}
			s := neutral(dir, stems...)
			s.Mix = "mix.wav"
			for i := range s.Stems {
				tc.fix(&s.Stems[i], i)
			}
			rep, err := Render(context.Background(), s, Options{OutDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(want.Findings, func(f stemmaster.Finding) bool { return f.Code == tc.want }) {
				t.Errorf("the check does not report %s: %v", tc.want, lines(want.Findings))
			}
			if got, exp := lines(rep.Findings), lines(want.Findings); !slices.Equal(got, exp) {
				t.Errorf("the render's check differs from the check of the same files:\nrender: %q\ncheck:  %q", got, exp)
			}
			if !sameMix(rep.CheckMix, want.Mix) {
				t.Errorf("report.json's check_mix %+v, the check's mix %+v", rep.CheckMix, want.Mix)
			}
		})
	}
}

// TestSharedDecode: the checks that read the stems through the strips'
// decode find what they find reading the files themselves — with a stem
// decoded far ahead of the others (a large negative offset detaches its
// tee) and a muted stem (never decoded by the render).
func TestSharedDecode(t *testing.T) {
	t.Parallel()
	s := demoSession(t)
	s.Stems[1].OffsetSamples = -6 * rate // 70 blocks ahead: more than a tee holds
	s.Stems[2].Mute = true
	rep, err := Render(context.Background(), s, Options{OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, st := range s.Stems {
		paths = append(paths, s.Path(st.File))
	}
	direct, err := check.Run(context.Background(), check.FileSources(paths), nil, check.Options{NoStemTruePeak: true})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(rep.Findings)
	want, _ := json.Marshal(direct.Findings)
	if string(got) != string(want) {
		t.Errorf("findings through the shared decode:\n%s\nreading the files:\n%s", got, want)
	}
	for i, st := range rep.Stems {
		if st.Muted {
			continue
		}
		if st.BeforeLUFS != direct.Stems[i].IntegratedLUFS {
			t.Errorf("%s: %v LUFS through the shared decode, %v reading the file", st.File, st.BeforeLUFS, direct.Stems[i].IntegratedLUFS)
		}
	}
}

// lines words findings with every figure they carry, one string each.
func lines(fs []stemmaster.Finding) []string {
	var out []string
	for _, f := range fs {
		v := "-"
		if f.Value != nil {
			v = fmt.Sprintf("%.2f", *f.Value)
		}
		out = append(out, fmt.Sprintf("%s %s %s %s %s: %s", f.Severity, f.Code, f.File, f.Channel, v, f.Message))
	}
	return out
}

// sameMix compares two mix reports figure by figure (NaN equals NaN).
func sameMix(a, b *stemmaster.MixReport) bool {
	if a == nil || b == nil {
		return a == b
	}
	eq := func(x, y stemmaster.Level) bool { return x == y || (x != x && y != y) }
	return a.File == b.File && eq(a.NullResidualDB, b.NullResidualDB) && eq(a.FittedResidualDB, b.FittedResidualDB) && a.ThresholdDB == b.ThresholdDB
}
