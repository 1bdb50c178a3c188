package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"stemmaster"
	"stemmaster/audio"
)

func init() { subcommands = append(subcommands, newInfoCmd) }

// infoBlockFrames is how many frames info reads at a time for the peak.
const infoBlockFrames = 4096

// infoJSON is one line of `info --json` (docs/cli.md).
type infoJSON struct {
	File           string           `json:"file"`
	Format         string           `json:"format"`
	SampleRate     int              `json:"sample_rate"`
	Channels       int              `json:"channels"`
	BitDepth       int              `json:"bit_depth"`
	SampleFormat   string           `json:"sample_format"`
	Frames         int64            `json:"frames"`
	DurationS      float64          `json:"duration_s"`
	SamplePeakDBFS stemmaster.Level `json:"sample_peak_dbfs"`
	TimeReference  *int64           `json:"time_reference,omitempty"`
	// NonFiniteSamples counts NaN and infinite samples, measured around
	// (as silence), as meter does; absent when there are none.
	NonFiniteSamples int64 `json:"non_finite_samples,omitempty"`
}

func newInfoCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "info [--json] FILE…",
		Short: "Show format, length, sample peak and BWF time reference of audio files",
		Long: "info prints each file's container (wav, rf64, aiff, flac), sample rate, channels,\n" +
			"bit depth, sample format (int or float), length, sample peak and, for Broadcast\n" +
			"Wave files, the bext time reference (the file's position on the DAW timeline, in\n" +
			"samples). The file is recognised by its content, not its name, and read to the\n" +
			"end: frames are the frames actually present and the peak is over all of them.\n" +
			"With --json it prints one JSON object per line per file; the peak of a silent\n" +
			"file is null. Unreadable files are reported on stderr and the exit status is 1.\n" +
			"A float file with NaN or infinite samples gets its figures measured around them\n" +
			"(read as silence), their count and the first one's time on stderr, and exit status 1.",
		Example: "  stemmaster info drums.wav bass.flac\n" +
			"  stemmaster info --json stems/*.wav | jq .sample_peak_dbfs\n" +
			"  stemmaster info --json mix.aif > mix-info.json",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return perFile(cmd, args, asJSON, "format\trate\tch\tbits\tframes\tduration\tpeak dBFS\ttime ref\tfile", 0,
				infoFile,
				func(info *infoJSON) string {
					timeRef := "-"
					if info.TimeReference != nil {
						timeRef = fmt.Sprint(*info.TimeReference)
					}
					return fmt.Sprintf("%s\t%d Hz\t%d\t%d %s\t%d\t%.3f s\t%s\t%s\t%s",
						info.Format, info.SampleRate, info.Channels, info.BitDepth, info.SampleFormat,
						info.Frames, info.DurationS, fmtLevel(info.SamplePeakDBFS), timeRef, info.File)
				})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per line per file")
	return cmd
}

// infoFile reads path to the end for its frame count and sample peak.
// Errors name the file.
func infoFile(path string) (*infoJSON, error) {
	f, err := audio.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	hdr := f.Info()
	frames, peak, err := scanPeak(f)
	var nf *audio.NonFiniteError
	around := errors.As(err, &nf) && !errors.Is(err, io.ErrUnexpectedEOF)
	if around {
		// The decoder read them as 0 and went on to the end: the figures
		// hold for the file with those samples silenced.
		err = nil
	}
	if err != nil {
		var fe *audio.FileError
		if !errors.As(err, &fe) {
			err = &audio.FileError{Path: path, Err: err}
		}
		return nil, err
	}
	info := &infoJSON{
		File:           path,
		Format:         hdr.Container,
		SampleRate:     hdr.Format.SampleRate,
		Channels:       hdr.Format.Channels,
		BitDepth:       hdr.Format.BitDepth,
		SampleFormat:   hdr.Format.SampleFormat.String(),
		Frames:         frames,
		DurationS:      float64(frames) / float64(hdr.Format.SampleRate),
		SamplePeakDBFS: stemmaster.Level(audio.DB(float64(peak))),
	}
	if hdr.HasTimeReference {
		t := hdr.TimeReference
		info.TimeReference = &t
	}
	if around {
		info.NonFiniteSamples = nf.Count
		return info, measuredAround{fmt.Errorf("%s: %v: figures measured without them", path, nf)}
	}
	return info, nil
}

// scanPeak streams r to the end and returns the frames read and the largest
// absolute sample.
func scanPeak(r audio.Reader) (int64, float32, error) {
	buf := audio.NewBuffer(r.Info().Format.Channels, infoBlockFrames)
	var frames int64
	var peak float32
	for {
		buf.SetFrames(infoBlockFrames)
		n, err := r.Read(buf)
		if n > 0 {
			buf.SetFrames(n)
			peak = max(peak, buf.Peak())
			frames += int64(n)
		}
		if err == io.EOF {
			return frames, peak, nil
		}
		// A stream with non-finite samples ends with their report; what
		// it delivered is every frame, those samples read as 0.
		if err != nil {
			return frames, peak, err
		}
	}
}
