// Command meters reads every deliverable of one or more `stemmaster
// master` output directories with outside tools and prints, file by file,
// the report's figures beside theirs: ffmpeg's ebur128 filter (integrated
// loudness, loudness range, true peak, at the precision of its frame
// metadata), ffmpeg's loudnorm measurement (input_i, input_lra, input_tp),
// sox stats (sample peak) and an ideal 16× true-peak reference
// (internal/audiotest) on the file as ffmpeg decodes it, for the first
// file of each sample rate in a directory (the others are the same master
// at another bit depth or container; the reference is slow). It exits 1 when a
// figure is out of the tolerances the standards give:
//
//   - integrated loudness within ±0.1 LU of ebur128's (EBU Tech 3341);
//   - true peak within ±0.2 dB of ebur128's (Tech 3341 allows a meter
//     +0.2/−0.4 dB on its true-peak signals; a reading lower than an outside
//     meter's by more than 0.2 dB would let overs through);
//   - loudness range within ±1 LU of ebur128's (Tech 3342);
//   - sample peak equal to sox's to 0.01 dB (both read the file).
//
// loudnorm's and the 16× figures are printed, not held: loudnorm measures
// at 192 kHz through its own resampler and reads integrated loudness up to
// 0.15 LU under ebur128 on the same file, and BS.1770's 4× true peak may
// read under the 16× reference by up to about 0.5 dB at 44.1 kHz on
// content near the band edge.
//
//	go run ./bench/cmd/meters DIR...
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"stemmaster/internal/audiotest"
)

const (
	tolI, tolTP, tolLRA, tolPeak = 0.1, 0.2, 1.0, 0.01
	round                        = 0.005 // the report's two decimals
)

type output struct {
	File       string  `json:"file"`
	SampleRate int     `json:"sample_rate"`
	Integrated float64 `json:"integrated_lufs"`
	LRA        float64 `json:"loudness_range_lu"`
	TruePeak   float64 `json:"true_peak_dbtp"`
	SamplePeak float64 `json:"sample_peak_dbfs"`
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: meters DIR...  (stemmaster master output directories)")
		os.Exit(2)
	}
	for _, tool := range []string{"ffmpeg", "sox"} {
		if _, err := exec.LookPath(tool); err != nil {
			fmt.Fprintf(os.Stderr, "meters: %s not found\n", tool)
			os.Exit(2)
		}
	}
	ref := audiotest.NewTruePeak16x()
	fmt.Printf("%-34s %23s | %17s | %30s | %13s\n", "", "integrated LUFS", "LRA LU", "true peak dBTP", "peak dBFS")
	fmt.Printf("%-34s %7s %7s %7s | %5s %5s %5s | %6s %6s %6s %8s | %6s %6s\n", "file", "ours", "ebur128", "loudnrm", "ours", "ebu", "ln", "ours", "ebu", "ln", "16×", "ours", "sox")
	bad := 0
	for _, dir := range os.Args[1:] {
		tp16 := map[int]float64{} // by sample rate
		var rep struct{ Outputs []output }
		raw, err := os.ReadFile(filepath.Join(dir, "report.json"))
		check(err)
		check(json.Unmarshal(raw, &rep))
		for _, o := range rep.Outputs {
			path := filepath.Join(dir, o.File)
			i, lra, tp, err := audiotest.FFmpegR128(path)
			check(err)
			li, llra, ltp := loudnorm(path)
			pk, err := audiotest.SoxPeakDB(path)
			check(err)
			ref16 := "-"
			if _, done := tp16[o.SampleRate]; !done {
				b, err := audiotest.DecodeStereoFFmpeg(path)
				check(err)
				tp16[o.SampleRate], _ = ref.TruePeakDB(b, 0)
				ref16 = fmt.Sprintf("%.3f", tp16[o.SampleRate])
			}
			var flags []string
			if math.Abs(o.Integrated-i) > tolI+round {
				flags = append(flags, "I")
			}
			if math.Abs(o.TruePeak-tp) > tolTP+round {
				flags = append(flags, "TP")
			}
			if math.Abs(o.LRA-lra) > tolLRA+round {
				flags = append(flags, "LRA")
			}
			if math.Abs(o.SamplePeak-pk) > tolPeak+round {
				flags = append(flags, "PEAK")
			}
			bad += len(flags)
			fmt.Printf("%-34s %7.2f %7.3f %7.2f | %5.2f %5.2f %5.2f | %6.2f %6.3f %6.2f %8s | %6.2f %6.2f %s\n",
				filepath.Base(dir)+"/"+o.File, o.Integrated, i, li, o.LRA, lra, llra, o.TruePeak, tp, ltp, ref16, o.SamplePeak, pk, strings.Join(flags, " "))
		}
	}
	if bad > 0 {
		fmt.Printf("%d figures out of tolerance (I ±%g LU, TP ±%g dB, LRA ±%g LU, sample peak ±%g dB)\n", bad, tolI, tolTP, tolLRA, tolPeak)
		os.Exit(1)
	}
	fmt.Printf("every figure within tolerance (I ±%g LU, TP ±%g dB of ebur128; LRA ±%g LU; sample peak ±%g dB of sox)\n", tolI, tolTP, tolLRA, tolPeak)
}

// loudnorm is ffmpeg's loudnorm filter's measurement of its input.
func loudnorm(path string) (i, lra, tp float64) {
	out, err := exec.Command("ffmpeg", "-nostdin", "-hide_banner", "-i", path,
		"-af", "loudnorm=print_format=json", "-f", "null", "-").CombinedOutput()
	check(err)
	s := string(out)
	a, b := strings.LastIndex(s, "{"), strings.LastIndex(s, "}")
	if a < 0 || b < a {
		check(fmt.Errorf("loudnorm on %s: no JSON in its output", path))
	}
	var m map[string]string
	check(json.Unmarshal([]byte(s[a:b+1]), &m))
	f := func(k string) float64 { v, _ := strconv.ParseFloat(m[k], 64); return v }
	return f("input_i"), f("input_lra"), f("input_tp")
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "meters:", err)
		os.Exit(1)
	}
}
