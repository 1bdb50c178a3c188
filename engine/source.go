package engine

import (
	"io"

	"stemmaster/audio"
	"stemmaster/check"
)

// Inputs are read through Options.OpenInput when it is set: a service
// decodes stems straight from its object store by ranged reads instead of
// copying them to local disk first. The session still names every input by
// path (Dir joined with the file name); OpenInput maps the path to what it
// reads, and errors name the path as for a local file.

// OpenInput opens an input file for reading by the path the session gives
// it; see Options.OpenInput.
type OpenInput func(path string) (io.ReadSeekCloser, error)

// openAudio opens the input at path and chooses its decoder.
func (o OpenInput) openAudio(path string) (*audio.File, error) {
	return audio.OpenFrom(path, o)
}

// stat reads only the header of the input at path.
func (o OpenInput) stat(path string) (audio.Info, error) {
	if o == nil {
		return audio.Stat(path)
	}
	f, err := o.openAudio(path)
	if err != nil {
		return audio.Info{}, err
	}
	defer f.Close()
	return f.Info(), nil
}

// sources returns the check's sources for the inputs at paths.
func (o OpenInput) sources(paths []string) []check.Source { return check.FileSourcesFrom(paths, o) }

// mixSource returns the check's source of the mix at path ("" for none).
func (o OpenInput) mixSource(path string) *check.Source { return check.MixSourceFrom(path, o) }
