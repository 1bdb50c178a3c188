package service

import (
	"errors"
	"fmt"

	"stemmaster/audio"
	"stemmaster/engine"
	"stemmaster/jobs"
	"stemmaster/loudness"
)

// UploadError is an upload the service refuses: Code says why (the API's
// error code), Message says it in words, naming the file.
type UploadError struct {
	Code    string // not_audio, unsupported_rate, unsupported_channels, no_length, too_long
	Message string
}

func (e *UploadError) Error() string { return e.Message }

// InspectUploadAs reads the header of a file spooled at path, uploaded as
// role (RoleStem, RoleMix or RoleReference; name is the client's name for
// it), and refuses what the render would refuse later: not audio, a rate
// nothing downstream can meter, more than two channels, no length, or
// longer than maxDurationS. A file that is not audio is refused with its
// name, what it was sent as and what to send instead. A stem at
// another rate than the others is taken: the check reports it and the
// session's resample converts it.
func InspectUploadAs(path, name, role string, size int64, maxDurationS float64) (*FileInfo, error) {
	as := ""
	if w := roleWords(role); w != "" {
		as = " (sent as " + w + ")"
	}
	if size == 0 {
		return nil, &UploadError{"not_audio", name + as + ": the file is empty"}
	}
	ai, err := audio.Stat(path)
	if err != nil {
		var fe *audio.FileError
		msg := err.Error()
		if errors.As(err, &fe) {
			msg = fe.Err.Error()
		}
		if hint := notAudioHint(path, role); hint != "" {
			msg = hint
		}
		return nil, &UploadError{"not_audio", name + as + ": " + jobs.PublicMessage(msg)}
	}
	f := ai.Format
	if r := f.SampleRate; r < loudness.MinSampleRate || r > loudness.MaxSampleRate {
		// It decodes, but nothing downstream can meter or render it.
		return nil, &UploadError{"unsupported_rate",
			fmt.Sprintf("%s: sample rate %d Hz; stemmaster works from %d to %d Hz", name, r, loudness.MinSampleRate, loudness.MaxSampleRate)}
	}
	if f.Channels < 1 || f.Channels > 2 {
		return nil, &UploadError{"unsupported_channels",
			fmt.Sprintf("%s: %d channels; stems and mixes must be mono or stereo (split a multichannel file into stems)", name, f.Channels)}
	}
	frames, declared := ai.Frames, "as its header declares"
	if frames < 0 {
		// The header does not give the length (a FLAC an encoder wrote
		// to a pipe): it is counted, as the render counts it, up to one
		// frame past the longest song.
		if frames, err = countFrames(path, int64(maxDurationS*float64(f.SampleRate))+1); err != nil {
			return nil, &UploadError{"not_audio", name + as + ": " + jobs.PublicMessage(err.Error())}
		}
		declared = "counted: its header does not give the length"
	}
	if frames <= 0 {
		return nil, &UploadError{"no_length", name + ": the file declares no audio frames"}
	}
	if d := float64(frames) / float64(f.SampleRate); d > maxDurationS {
		return nil, &UploadError{"too_long",
			fmt.Sprintf("%s: %.0f s long (%s); this server renders songs of at most %.0f s", name, d, declared, maxDurationS)}
	}
	return &FileInfo{Name: name, Size: size, Container: ai.Container, Summary: f.Summary(frames)}, nil
}

// countFrames decodes the file at path to count its frames, stopping
// past limit.
func countFrames(path string, limit int64) (n int64, err error) {
	defer func() {
		var fe *audio.FileError
		if errors.As(err, &fe) {
			err = fe.Err // the client's name, not the spool path, names it
		}
	}()
	f, err := audio.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return engine.CountFrames(f, limit)
}
