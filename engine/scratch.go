package engine

import (
	"slices"

	"stemmaster"
	"stemmaster/audio"
)

// Scratch is an upper bound of the local disk a render of a session takes
// while it runs, by what takes it. A service reserves it before the render
// writes its first byte, so that concurrent renders and uploads do not
// fill the disk between them and no render dies half-way for want of it.
type Scratch struct {
	// Deliverables: every output file of every version, plus one more of
	// the largest (a deliverable over its ceiling is written again before
	// the first attempt's file is gone).
	Deliverables int64
	// Preview: the plain sum as a 24-bit stereo WAV at up to
	// MaxPreviewRate (the A/B player's reference, written beside the
	// render by the service).
	Preview int64
	// StemSpool: the stem-aware limiter's scratch files, one per weight
	// class of the stems that play in a version, stereo float32 the
	// song's length: the most that are held at once, the main version's
	// or two versions' in a row (a version's stay while the next one's
	// are written). 0 without stem-aware limiting.
	StemSpool int64
	// Report: report.json and the pictures beside it.
	Report int64
}

// Total is the whole bound, in bytes.
func (s Scratch) Total() int64 { return s.Deliverables + s.Preview + s.StemSpool + s.Report }

// scratchHeader bounds one file's header and framing (a WAV or RF64
// header, FLAC's frame headers and seek table) beyond its samples.
const scratchHeader = 64 << 10

// scratchReportBase and scratchReportPerSecond bound the report and its
// pictures: a fixed part and the curves, which grow with the song.
const (
	scratchReportBase      = 1 << 20
	scratchReportPerSecond = 4 << 10
)

// EstimateScratch bounds the local disk a render of s takes, from the
// headers of its stems (inputs, by the name the session's stems give as
// File; a stem without an entry counts for nothing). It reads no file:
// the service calls it before the inputs are read.
//
// The bound takes the song at the highest rate of its stems (the song's
// rate is never higher) and its length as the longest stem with its
// offset, so it holds whichever stems the rate and the versions keep.
func EstimateScratch(s *stemmaster.Session, inputs map[string]audio.Info) Scratch {
	rate := 0
	for _, st := range s.Stems {
		if in, ok := inputs[st.File]; ok {
			rate = max(rate, in.Format.SampleRate)
		}
	}
	if rate <= 0 {
		return Scratch{Report: scratchReportBase}
	}
	var frames int64
	for _, st := range s.Stems {
		in, ok := inputs[st.File]
		if !ok || in.Format.SampleRate <= 0 {
			continue
		}
		n := max(in.Frames, in.DeclaredFrames, 0)
		// A stem at a lower rate is resampled up to the song's: its
		// frames grow by the ratio (rounded up).
		n = ceilDiv(n*int64(rate), int64(in.Format.SampleRate)) + max(st.OffsetSamples, 0)
		frames = max(frames, n)
	}
	var sc Scratch
	outputs := s.Outputs
	if len(outputs) == 0 {
		outputs = []stemmaster.Output{stemmaster.DefaultOutput}
	}
	versions := s.Versions
	if len(versions) == 0 {
		versions = []stemmaster.Version{stemmaster.VersionMain}
	}
	var largest int64
	for _, o := range outputs {
		or := o.SampleRate
		if or <= 0 {
			or = rate
		}
		bytes := int64(o.BitDepth+7) / 8
		if o.IsFloat() {
			bytes = 4
		}
		// FLAC stores noise-like audio no smaller than PCM (verbatim
		// subframes); its framing is in the header allowance.
		size := ceilDiv(frames*int64(or), int64(rate))*busChannels*bytes + scratchHeader
		largest = max(largest, size)
		sc.Deliverables += size * int64(len(versions))
	}
	sc.Deliverables += largest
	sc.Preview = ceilDiv(frames*int64(PreviewRate(rate)), int64(rate))*busChannels*3 + scratchHeader
	if l := s.Master.Limiter; l != nil && l.StemAware != nil {
		// One spool per weight class of the stems a version plays; the
		// main version's go before the other versions render, a version's
		// stay while the next one's are written.
		plays := func(v stemmaster.Version) int64 {
			var weights []float64
			for _, st := range s.Stems {
				if in, ok := inputs[st.File]; ok && in.Format.SampleRate > 0 && !st.Mute && v.Includes(st.Role) {
					if w := l.StemAware.Weight(st.Role); !slices.Contains(weights, w) {
						weights = append(weights, w)
					}
				}
			}
			return int64(len(weights))
		}
		most, prev := plays(stemmaster.VersionMain), int64(0)
		for _, v := range versions {
			if v != stemmaster.VersionMain {
				k := plays(v)
				most, prev = max(most, prev+k), k
			}
		}
		sc.StemSpool = most * (frames*busChannels*4 + scratchHeader)
		// The main version also keeps its master (keepPass) until its
		// deliverables are written.
		sc.StemSpool = max(sc.StemSpool, (plays(stemmaster.VersionMain)+1)*(frames*busChannels*4+scratchHeader))
	}
	sc.Report = scratchReportBase + ceilDiv(frames, int64(rate))*scratchReportPerSecond
	return sc
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }
