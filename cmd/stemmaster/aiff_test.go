package main

import (
	"cmp"
	"encoding/json"
	"math"
	"path/filepath"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/testkit"
)

// TestMasterDeliversAIFF: a session's format: aiff outputs are written as
// AIFF at their rate and depth (32-bit integer too, in AIFF and WAV,
// without dither), read back as report.json says, at the
// target's loudness and under its ceiling as measured on the files; a
// float AIFF (AIFF-C) is refused naming the field.
func TestMasterDeliversAIFF(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	audiotest.WriteWAV(t, dir, "keys.wav", audiotest.PinkNoise(3, 2, 3*48000, -20), 48000, 24)
	sess := testkit.WriteFile(t, dir, "s.yaml", []byte(`stems: [{file: keys.wav}]
outputs:
  - {format: aiff, bit_depth: 24}
  - {format: aiff, bit_depth: 16, sample_rate: 44100, suffix: cd}
  - {format: aiff, bit_depth: 32, suffix: "32"}
  - {format: wav, bit_depth: 32}
`))
	out := filepath.Join(dir, "out")
	if code, _, stderr := runCLI("master", "--no-check", "-s", sess, "-o", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep stemmaster.Report
	if err := json.Unmarshal(testkit.ReadFile(t, filepath.Join(out, "report.json")), &rep); err != nil {
		t.Fatal(err)
	}
	want := map[string]audio.Format{
		"main.aiff":    {SampleRate: 48000, Channels: 2, BitDepth: 24, SampleFormat: audio.Int},
		"main-cd.aiff": {SampleRate: 44100, Channels: 2, BitDepth: 16, SampleFormat: audio.Int},
		// 32-bit integer, as the codecs write and read it, undithered.
		"main-32.aiff": {SampleRate: 48000, Channels: 2, BitDepth: 32, SampleFormat: audio.Int},
		"main.wav":     {SampleRate: 48000, Channels: 2, BitDepth: 32, SampleFormat: audio.Int},
	}
	container := map[string]string{"main.wav": "wav"}
	if len(rep.Outputs) != len(want) {
		t.Fatalf("outputs %+v", rep.Outputs)
	}
	for _, o := range rep.Outputs {
		p := filepath.Join(out, o.File)
		info, err := audio.Stat(p)
		c := cmp.Or(container[o.File], "aiff")
		if err != nil || info.Container != c || info.Format != want[o.File] || o.Format != c {
			t.Errorf("%s: %+v (%v), report format %s; want %s %v", o.File, info, err, o.Format, c, want[o.File])
			continue
		}
		if wantDither := map[bool]string{true: "none", false: "tpdf"}[info.Format.BitDepth == 32]; o.Dither != wantDither {
			t.Errorf("%s: dither %s, want %s", o.File, o.Dither, wantDither)
		}
		// The streaming target (-14 LUFS, -1 dBTP), as the file reads (a
		// 3 s file converted to 44.1 kHz lands within 0.3 LU), and the
		// figures report.json gives it.
		m := measureFile(t, p)
		if math.Abs(m.IntegratedLUFS+14) > 0.3 || m.TruePeakDBTP > -1+0.05 || math.Abs(m.IntegratedLUFS-float64(o.IntegratedLUFS)) > 0.05 {
			t.Errorf("%s reads %.2f LUFS, %.2f dBTP; report %.2f LUFS", o.File, m.IntegratedLUFS, m.TruePeakDBTP, float64(o.IntegratedLUFS))
		}
	}
	bad := testkit.WriteFile(t, dir, "bad.yaml", []byte("stems: [{file: keys.wav}]\noutputs: [{format: aiff, bit_depth: 32, sample_format: float}]\n"))
	checkExits(t, []exitCase{{"float aiff", []string{"master", "-s", bad, "-o", out}, exitInputError, `bad.yaml:2: outputs[0].sample_format: "float" is not possible in AIFF`}})
}
