package assist

import (
	"fmt"
	"math"

	"stemmaster"
	"stemmaster/audio"
)

// A boom is a narrow resonance in the bass of the master's sum: a
// third-octave band from boomLoHz to boomHiHz standing at least boomMinDB
// over the broad tone there (broadTone: the median of the five bands
// around it) whose 1/24-octave peak, frame by frame, stands over the
// octave around it more often than not, by two thirds of what it stands
// over the frames summed (keepStationary): a ringing mode rings with
// whatever passes, where a song's bass notes each sound part of the time.
// A part loud in one passage and faint elsewhere lifts the band's
// long-term level while its faint line barely reaches the octave's mean
// in most frames: francium's intro sub drop on E1 (its fx) read as a boom
// at 41 Hz and lost 8 dB, the song's only sub-bass with it
// (TestSubDropIsNoBoom). The master tone's octave
// bands would spread its cut over an octave and take a third of it; a boom
// gets a cut of its own, as narrow as the peak, deep enough to bring its
// band to the broad tone (at most boomMaxCutDB), and the tone is read with
// that cut made. The range stops at 160 Hz, under most sung fundamentals
// (francium's lead stands 4.6 dB out at 200 Hz and is no boom). Rules of
// thumb: a room mode or a ringing kick stands 5–10 dB out of the bass.
const (
	boomLoHz         = 40
	boomHiHz         = 160
	boomMinDB        = 3
	boomMaxCutDB     = 8
	boomStationaryDB = 0
	// boomStationaryShare: the peak's median excess frame by frame is at
	// least this share of its excess over the frames summed. A ringing
	// mode shows in most frames what it shows over the song (0.86 and
	// 0.94 of it for the narrow booms of TestProblemMixes); a part loud in
	// one passage does not (francium's E1 sub drop 0.46, the fixture of
	// TestSubDropIsNoBoom 0.59).
	boomStationaryShare = 2.0 / 3
)

// boom finds the sum's strongest boom and the cut that takes it out (nil
// for none).
func (a *Analysis) boom(b *audio.Buffer) (*stemmaster.EQBand, string) {
	broad := broadTone(a.Spectrum)
	best, ex := -1, 0.0
	for k, c := range thirdCentres {
		if d := a.Spectrum[k] - broad[k]; c >= boomLoHz && c <= boomHiHz && d > ex {
			best, ex = k, d
		}
	}
	if best < 0 || ex < boomMinDB {
		return nil, ""
	}
	// The peak at 1/24 octave within the band (the cut goes where the
	// band whose excess the reason quotes stands out, not onto a stronger
	// line of a neighbouring band), and how wide it stays within 3 dB of
	// its top, read over the third octaves either side.
	c := thirdCentres[best]
	var fs []float64
	for f := c * math.Pow(2, -1.0/3); f <= c*math.Pow(2, 1.0/3); f *= math.Pow(2, 1.0/24) {
		fs = append(fs, f)
	}
	lv, _, _ := a.psd.bands(fs, 24)
	top := len(fs) / 2
	for i := range lv {
		if lv[i] > lv[top] && math.Abs(math.Log2(fs[i]/c)) <= 1.0/6 {
			top = i
		}
	}
	q := math.Min(8, math.Max(2, peakQ(lv, top, len(lv))))
	st := &Analysis{psd: a.psd, rate: a.rate, Resonances: []Resonance{{FreqHz: fs[top], ExcessDB: ex, Q: q}}}
	st.keepStationary(b, boomStationaryDB, boomStationaryShare)
	if len(st.Resonances) == 0 {
		return nil, ""
	}
	// The cut whose average over the band takes the excess out.
	band := stemmaster.EQBand{Type: stemmaster.EQPeak, FreqHz: round(fs[top], 0), GainDB: -ex, Q: round(q, 2)}
	for range 3 {
		if got := -bandAverageDB([]stemmaster.EQBand{band}, c, float64(a.rate)); got > 0.1 {
			band.GainDB = math.Max(-boomMaxCutDB, band.GainDB*ex/got)
		}
	}
	band.GainDB = round(band.GainDB, 1)
	return &band, fmt.Sprintf("the mix is boomy: the third-octave band at %s stands %.1f dB over the bass around it, its narrow peak at %s there most of the time (a resonance, not the song's tilt): %.1f dB, Q %.2g, at full amount",
		hz(c), ex, hz(band.FreqHz), band.GainDB, band.Q)
}
