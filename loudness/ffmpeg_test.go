package loudness

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

var ffmpegSummary = regexp.MustCompile(`(?s)Summary:.*?I:\s+(-?[\d.]+|-inf) LUFS.*?LRA:\s+(-?[\d.]+) LU.*?Peak:\s+(-?[\d.]+|-inf) dBFS`)

// ffmpegEBUR128 runs ffmpeg's ebur128 filter on path and returns its summary:
// integrated, LRA and true peak.
func ffmpegEBUR128(t *testing.T, path string) (i, lra, tp float64) {
	out, err := exec.Command("ffmpeg", "-nostats", "-hide_banner", "-i", path,
		"-af", "ebur128=peak=true:framelog=verbose", "-f", "null", "-").CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg on %s: %v\n%s", path, err, out)
	}
	m := ffmpegSummary.FindSubmatch(out)
	if m == nil {
		t.Fatalf("ffmpeg on %s: no ebur128 summary in\n%s", path, out)
	}
	v := make([]float64, 3)
	for k := range v {
		v[k], _ = strconv.ParseFloat(string(m[k+1]), 64)
	}
	return v[0], v[1], v[2]
}

// ffmpegDecode decodes path to planar float32 with ffmpeg, so this test does
// not depend on stemmaster's own decoders.
func ffmpegDecode(t testing.TB, path string, channels int) *audio.Buffer {
	raw, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-f", "f32le", "-acodec", "pcm_f32le", "-").Output()
	if err != nil {
		t.Fatalf("ffmpeg decode %s: %v", path, err)
	}
	return audiotest.FromF32LE(raw, channels)
}

// TestAgainstFFmpeg compares the meter with ffmpeg 5.1's ebur128 filter on
// real music. ffmpeg rounds to 0.1 and differs by design in the details the
// standards leave open (it takes short-term values every 100 ms for LRA and
// bins loudness in a histogram; it interpolates with libswresample), so the
// tolerances are wider than the EBU cases': 0.1 LU integrated, 0.5 LU LRA,
// 0.2 dB true peak.
func TestAgainstFFmpeg(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("skipping in -short mode: runs ffmpeg on 4.5 minutes of audio")
	}
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("skipping: ffmpeg not installed")
	}
	const (
		tolI   = 0.1
		tolLRA = 0.5
		tolTP  = 0.2
	)
	dir := audiotest.FranciumDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*.wav"))
	if len(files) == 0 {
		t.Skipf("skipping: no WAV files in %s", dir)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			wantI, wantLRA, wantTP := ffmpegEBUR128(t, f)
			r := Measure(ffmpegDecode(t, f, 2), 48000, Options{TruePeak: true})
			t.Logf("I %.2f (ffmpeg %.1f), LRA %.2f (%.1f), TP %.2f (%.1f)",
				r.IntegratedLUFS, wantI, r.LoudnessRangeLU, wantLRA, r.TruePeakDBTP, wantTP)
			// ffmpeg prints one decimal: allow its rounding on top.
			if !near(r.IntegratedLUFS, wantI, tolI+0.05) {
				t.Errorf("integrated %.2f LUFS, ffmpeg %.1f", r.IntegratedLUFS, wantI)
			}
			if !near(r.LoudnessRangeLU, wantLRA, tolLRA+0.05) {
				t.Errorf("LRA %.2f LU, ffmpeg %.1f", r.LoudnessRangeLU, wantLRA)
			}
			if !near(r.TruePeakDBTP, wantTP, tolTP+0.05) {
				t.Errorf("true peak %.2f dBTP, ffmpeg %.1f", r.TruePeakDBTP, wantTP)
			}
		})
	}
}
