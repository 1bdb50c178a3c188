package service

import (
	"errors"
	"fmt"
	"strconv"

	"stemmaster"
	"stemmaster/store"
)

// songLength reports each stem whose offset puts its end past the longest
// song the service renders (MaxSongS), from the lengths the store recorded
// at upload: such a session is refused when it is set and when a render is
// queued, naming the offset, instead of reaching a worker that refuses it
// for the disk its hours of silence would take ("short of disk space …
// try again later", which no later try mends).
func songLength(s *stemmaster.Session, files Files) error {
	byName := map[string]FileInfo{}
	for _, f := range files {
		if _, seen := byName[f.Name]; !seen || f.Kind == store.KindStem {
			byName[f.Name] = DecodeFileInfo(f)
		}
	}
	var errs []error
	for i, st := range s.Stems {
		fi, ok := byName[st.File]
		if !ok || fi.SampleRate <= 0 || st.OffsetSamples <= 0 {
			continue
		}
		end := float64(fi.Frames+st.OffsetSamples) / float64(fi.SampleRate)
		if end > MaxSongS {
			errs = append(errs, &stemmaster.SessionError{Field: fmt.Sprintf("stems[%d].offset_samples", i), Value: strconv.FormatInt(st.OffsetSamples, 10),
				Problem: fmt.Sprintf("ends %s at %.0f s, past the longest song this server renders (%d s)", st.File, end, MaxSongS)})
		}
	}
	return errors.Join(errs...)
}

// listedOnce reports each stem naming a file an earlier stem names. The
// project's session holds one strip per uploaded file (ReconcileWith keeps
// the first): a second strip of one file would be dropped after the answer
// had shown it kept.
func listedOnce(s *stemmaster.Session) error {
	first := map[string]int{}
	var errs []error
	for i, st := range s.Stems {
		if j, dup := first[st.File]; dup && st.File != "" {
			errs = append(errs, &stemmaster.SessionError{Field: fmt.Sprintf("stems[%d].file", i), Value: strconv.Quote(st.File),
				Problem: fmt.Sprintf("is stems[%d].file too: each uploaded file has one strip (mute it to leave it out)", j), Kind: stemmaster.ErrDuplicate})
			continue
		}
		first[st.File] = i
	}
	return errors.Join(errs...)
}
