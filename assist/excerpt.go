package assist

import (
	"cmp"
	"math"
	"slices"

	"stemmaster/audio"
	"stemmaster/engine"
)

// ReadTrackSpan decodes lengthS seconds of a file from startS on (the
// start rounded down, the length up, to whole frames), padded with
// silence where the file ends sooner: stems excerpted on one timeline stay
// aligned sample for sample. It holds only the excerpt in memory, whatever
// the file's length, which is how a service bounds what one request
// decodes (see ExcerptS).
func ReadTrackSpan(path string, startS, lengthS float64) (*Track, error) {
	return readSpan(path, max(0, startS), max(0, lengthS))
}

// ExcerptS returns the longest excerpt, in seconds, such that every track
// read for at most that long fits a budget of sample frames: track i lasts
// durS[i] at rates[i] frames a second, and a track shorter than the
// excerpt gives back what it does not use. It returns +Inf when every
// track fits whole.
func ExcerptS(durS, rates []float64, budgetFrames float64) float64 {
	idx := make([]int, len(durS))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(durS[a], durS[b]) })
	left, rate := budgetFrames, 0.0
	for _, r := range rates {
		rate += r
	}
	for _, i := range idx {
		share := left / rate
		if durS[i] > share {
			return share
		}
		left -= durS[i] * rates[i]
		rate -= rates[i]
	}
	return math.Inf(1)
}

// Span is one file a proposal reads, as its header gives it: DurS seconds
// at Rate frames a second. OnTimeline marks the stems and the mix, which
// are excerpted together from one window of the song; a reference is
// excerpted alone, from its own centre.
type Span struct {
	DurS, Rate float64
	OnTimeline bool
}

// Excerpt is the window of the song a proposal rests on when a budget
// cuts it.
type Excerpt struct {
	StartS  float64 `json:"start_s"`
	LengthS float64 `json:"length_s"`
	SongS   float64 `json:"song_s"` // the longest stem's (or mix's) length
}

// Plan sizes what is read of each file so that all of them fit
// budgetFrames sample frames (ExcerptS), stems and mix at the highest of
// their rates (Propose converts them to the song's). The stems and the mix share one
// window, so each costs the whole song's length while the window is not
// cut. It returns the longest any file is read for (+Inf: every file
// whole) and the song's window when it is cut (nil otherwise): centred,
// its length floored to 0.1 s, and the returned length with it.
func Plan(spans []Span, budgetFrames float64) (lengthS float64, song *Excerpt) {
	// Stems and a mix at other rates are converted to the song's (one of
	// theirs): each is costed at the highest, what it may grow to.
	songS, top := 0.0, 0.0
	for _, sp := range spans {
		if sp.OnTimeline {
			songS, top = max(songS, sp.DurS), max(top, sp.Rate)
		}
	}
	cost, rates := make([]float64, len(spans)), make([]float64, len(spans))
	for i, sp := range spans {
		cost[i], rates[i] = sp.DurS, sp.Rate
		if sp.OnTimeline {
			cost[i], rates[i] = songS, top
		}
	}
	lengthS = ExcerptS(cost, rates, budgetFrames)
	if lengthS < songS {
		lengthS = math.Floor(lengthS*10) / 10
		song = &Excerpt{StartS: math.Floor((songS-lengthS)/2*10) / 10, LengthS: lengthS, SongS: songS}
	}
	return lengthS, song
}

// ReadPlanned reads the file at path as Plan decided for its span: the
// song's window, its own centred excerpt, or the whole file.
func ReadPlanned(path string, sp Span, lengthS float64, song *Excerpt) (*Track, error) {
	switch {
	case sp.OnTimeline && song != nil:
		return ReadTrackSpan(path, song.StartS, song.LengthS)
	case !sp.OnTimeline && lengthS < sp.DurS:
		return ReadTrackSpan(path, (sp.DurS-lengthS)/2, lengthS)
	}
	return ReadTrack(path)
}

// SpanOf reads the span of the file at path from its header. A header
// that does not give the length (a FLAC or WAV written to a pipe) has the
// file decoded to count its frames, up to maxS seconds: a longer one
// reads as a little more than maxS, for the caller to refuse. Taking such
// a file for maxS long put the song's window past its end: an excerpt of
// silence.
func SpanOf(path string, onTimeline bool, maxS float64) (Span, error) {
	f, err := audio.Open(path)
	if err != nil {
		return Span{}, err
	}
	defer f.Close()
	info := f.Info()
	sp := Span{Rate: float64(info.Format.SampleRate), OnTimeline: onTimeline}
	if info.Frames >= 0 {
		sp.DurS = info.Duration()
		return sp, nil
	}
	n, err := engine.CountFrames(f, int64(maxS*sp.Rate))
	if err != nil {
		return Span{}, err
	}
	sp.DurS = float64(n) / sp.Rate
	return sp, nil
}
