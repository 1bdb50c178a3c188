package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"stemmaster"
	"stemmaster/audio"
)

// infoJSON is one line of `info --json` (docs/cli.md).
type infoJSON struct {
	File   string `json:"file"`
	Format string `json:"format"`
	audio.Summary
	SamplePeakDBFS stemmaster.Level `json:"sample_peak_dbfs"`
	TimeReference  *int64           `json:"time_reference,omitempty"`
	// NonFiniteSamples counts NaN and infinite samples, measured around
	// (as silence), as meter does; absent when there are none.
	NonFiniteSamples int64 `json:"non_finite_samples,omitempty"`
	// FramesPastHeader counts the frames the file holds after the length
	// its header declares, which are not read (audio.Info.PastFrames);
	// absent when there are none.
	FramesPastHeader int64 `json:"frames_past_header,omitempty"`
}

func newInfoCmd() *cobra.Command {
	var asJSON bool
	cmd := newCommand("info", cobra.MinimumNArgs(1), func(cmd *cobra.Command, args []string) error {
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
	})
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
		return nil, namedError(path, err)
	}
	info := &infoJSON{
		File:           path,
		Format:         hdr.Container,
		Summary:        hdr.Format.Summary(frames),
		SamplePeakDBFS: stemmaster.Level(audio.DB(float64(peak))),
	}
	if hdr.HasTimeReference {
		t := hdr.TimeReference
		info.TimeReference = &t
	}
	if around {
		info.NonFiniteSamples = nf.Count
		return info, measuredWithout(path, nf)
	}
	info.FramesPastHeader = f.Info().PastFrames // counted once read to the end
	return info, pastNote(path, f.Info())
}

// scanPeak streams r to the end and returns the frames read and the largest
// absolute sample. A stream with non-finite samples ends with their report;
// what it delivered is every frame, those samples read as 0.
func scanPeak(r audio.Reader) (int64, float32, error) {
	var peak float32
	frames, err := audio.ReadBlocks(r, blockFrames, func(b *audio.Buffer) { peak = max(peak, b.Peak()) })
	return frames, peak, err
}
