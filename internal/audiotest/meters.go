package audiotest

import (
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"

	"stemmaster/audio"
)

// FFmpegR128 runs ffmpeg's ebur128 filter (true peak on) on the file at
// path and returns its integrated loudness, loudness range and true peak
// (dBTP) as its last frame's metadata carries them, to 0.001 (its printed
// summary rounds to 0.1).
func FFmpegR128(path string) (i, lra, tp float64, err error) {
	out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-i", path,
		"-af", "ebur128=metadata=1:peak=true,ametadata=print:file=-", "-f", "null", "-").Output()
	if err != nil {
		return 0, 0, 0, fmt.Errorf("ffmpeg on %s: %w", path, err)
	}
	last := map[string]float64{}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, found := strings.Cut(strings.TrimPrefix(line, "lavfi.r128."), "="); found {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				last[k] = f
			}
		}
	}
	for _, k := range []string{"I", "LRA", "true_peak"} {
		if _, found := last[k]; !found {
			return 0, 0, 0, fmt.Errorf("ffmpeg on %s: no lavfi.r128.%s in its metadata", path, k)
		}
	}
	return last["I"], last["LRA"], audio.DB(last["true_peak"]), nil
}

var soxPeak = regexp.MustCompile(`Pk lev dB\s+(-?[\d.]+)`)

// SoxPeakDB is the sample peak (dBFS) sox stats reads in the file at path.
func SoxPeakDB(path string) (float64, error) {
	out, err := exec.Command("sox", path, "-n", "stats").CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("sox on %s: %w\n%s", path, err, out)
	}
	m := soxPeak.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("sox on %s: no peak level in\n%s", path, out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}
