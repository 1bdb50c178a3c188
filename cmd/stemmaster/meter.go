package main

import (
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/loudness"
)

// meterJSON is one line of `meter --json` (docs/cli.md): the figures
// report.json gives each output (stemmaster.Measurement, the same keys),
// then the loudest momentary and short-term readings.
type meterJSON struct {
	File       string  `json:"file"`
	SampleRate int     `json:"sample_rate"`
	Channels   int     `json:"channels"`
	Frames     int64   `json:"frames"`
	DurationS  float64 `json:"duration_s"`
	stemmaster.Measurement
	MomentaryMaxLUFS stemmaster.Level `json:"momentary_max_lufs"`
	ShortTermMaxLUFS stemmaster.Level `json:"short_term_max_lufs"`
	// NonFiniteSamples counts NaN and infinite samples, measured as
	// silence (the command then exits 1 and says so on stderr).
	NonFiniteSamples int64 `json:"non_finite_samples,omitempty"`
	// FramesPastHeader counts frames after the declared length, not
	// metered (see infoJSON).
	FramesPastHeader int64            `json:"frames_past_header,omitempty"`
	Series           *meterSeriesJSON `json:"series,omitempty"`
}

type meterSeriesJSON struct {
	StepS         float64            `json:"step_s"`
	MomentaryLUFS []stemmaster.Level `json:"momentary_lufs"`
	ShortTermLUFS []stemmaster.Level `json:"short_term_lufs"`
}

func newMeterCmd() *cobra.Command {
	var asJSON, series bool
	cmd := newCommand("meter", cobra.MinimumNArgs(1), func(cmd *cobra.Command, args []string) error {
		return perFile(cmd, args, asJSON, "I LUFS\tLRA LU\tTP dBTP\tSP dBFS\tM max\tS max\tduration\t file", tabwriter.AlignRight,
			func(path string) (*meterJSON, error) { return meterFile(path, series && asJSON) },
			func(m *meterJSON) string {
				return fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s\t%.2f s\t %s",
					fmtLevel(m.IntegratedLUFS), fmtLevel(m.LoudnessRangeLU), fmtLevel(m.TruePeakDBTP),
					fmtLevel(m.SamplePeakDBFS), fmtLevel(m.MomentaryMaxLUFS), fmtLevel(m.ShortTermMaxLUFS),
					m.DurationS, m.File)
			})
	})
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per line per file")
	cmd.Flags().BoolVar(&series, "series", false, "add momentary and short-term loudness every 10 ms (JSON only)")
	return cmd
}

// fmtLevel prints a level with one decimal, or "-inf" / "n/a".
func fmtLevel(l stemmaster.Level) string { return fmtFixed(l, 1) }

// meterFile streams path through a loudness meter. Errors name the file.
func meterFile(path string, series bool) (*meterJSON, error) {
	f, err := audio.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := meterStream(f, series)
	var nf *audio.NonFiniteError
	if m != nil && errors.As(err, &nf) {
		// Measured around them: the figures hold for the file with those
		// samples silenced, and the caller reports the error beside them.
		m.File = path
		m.NonFiniteSamples = nf.Count
		return m, measuredWithout(path, nf)
	}
	if err != nil {
		return nil, namedError(path, err)
	}
	m.File = path
	m.FramesPastHeader = f.Info().PastFrames
	return m, pastNote(path, f.Info())
}

// meterStream meters everything r delivers.
func meterStream(r audio.Reader, series bool) (*meterJSON, error) {
	format := r.Info().Format
	if err := loudness.CheckFormat(float64(format.SampleRate), format.Channels); err != nil {
		return nil, err
	}
	meter := loudness.NewMeter(float64(format.SampleRate), format.Channels, loudness.Options{TruePeak: true, Series: series,
		TruePeakOversampling: loudness.FileOversampling(float64(format.SampleRate))}) // as a master's report reads its outputs
	frames, err := audio.ReadBlocks(r, blockFrames, meter.Process)
	var nonFinite error
	var nf *audio.NonFiniteError
	if errors.As(err, &nf) && !errors.Is(err, io.ErrUnexpectedEOF) {
		nonFinite = err // the stream's end, with those samples read as 0
	} else if err != nil {
		return nil, err
	}
	res := meter.Result()
	m := &meterJSON{
		SampleRate: format.SampleRate,
		Channels:   format.Channels,
		Frames:     frames,
		DurationS:  float64(frames) / float64(format.SampleRate),
		Measurement: stemmaster.Measurement{
			IntegratedLUFS:  stemmaster.Level(res.IntegratedLUFS),
			LoudnessRangeLU: stemmaster.Level(res.LoudnessRangeLU),
			TruePeakDBTP:    stemmaster.Level(res.TruePeakDBTP),
			SamplePeakDBFS:  stemmaster.Level(res.SamplePeakDBFS),
		},
		MomentaryMaxLUFS: stemmaster.Level(res.MomentaryMaxLUFS),
		ShortTermMaxLUFS: stemmaster.Level(res.ShortTermMaxLUFS),
	}
	if series {
		m.Series = &meterSeriesJSON{
			StepS:         res.SeriesStep,
			MomentaryLUFS: stemmaster.Levels(res.MomentaryLUFS),
			ShortTermLUFS: stemmaster.Levels(res.ShortTermLUFS),
		}
	}
	return m, nonFinite
}
