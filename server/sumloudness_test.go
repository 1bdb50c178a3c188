package server

import (
	"math"
	"net/http"
	"strings"
	"testing"
)

func TestSumLoudness(t *testing.T) {
	t.Parallel()
	c := setup(t).newProject(t)
	// Two identical 1 kHz sines at -12 dBFS peak: each -12 LUFS (see
	// TestStreamSegments); in phase they sum to +6 dB, against each
	// other to silence, one delayed by half a period (24 frames at
	// 1 kHz, 48 kHz) also to silence but for the 24 frames at either end
	// where one plays alone (about -41 LUFS in the first 400 ms block).
	w := wavBytes(t, 40000, 1000)
	c.upload("stems", map[string][]byte{"a.wav": w, "b.wav": w}, []string{"a.wav", "b.wav"}, http.StatusCreated, nil)
	for _, tc := range []struct {
		session string
		want    float64 // NaN: silence
	}{
		{`{"stems": [{"file": "a.wav"}]}`, -12},
		{`{"stems": [{"file": "a.wav"}, {"file": "b.wav"}]}`, -6},
		{`{"stems": [{"file": "a.wav", "gain_db": -6}, {"file": "b.wav", "gain_db": -6}]}`, -12},
		{`{"stems": [{"file": "a.wav"}, {"file": "b.wav", "mute": true}]}`, -12},
		{`{"stems": [{"file": "a.wav"}, {"file": "b.wav", "polarity": "inverted"}]}`, math.NaN()},
		// One channel against the other: the left doubles (+6 dB), the
		// right cancels, +3 dB in all.
		{`{"stems": [{"file": "a.wav"}, {"file": "b.wav", "polarity": "right_inverted"}]}`, -9},
		{`{"stems": [{"file": "a.wav"}, {"file": "b.wav", "polarity": "left_inverted", "swap_channels": true}]}`, -9},
		{`{"stems": [{"file": "a.wav"}, {"file": "b.wav", "offset_samples": 24}]}`, math.NaN()},
		{`{"stems": [{"file": "a.wav"}, {"file": "b.wav", "offset_samples": -24}]}`, math.NaN()},
	} {
		var res struct {
			LUFS *float64 `json:"integrated_lufs"`
		}
		c.do("POST", c.p("/sum-loudness"), strings.NewReader(tc.session), "application/json", http.StatusOK, &res)
		switch {
		case math.IsNaN(tc.want):
			if res.LUFS != nil && *res.LUFS > -38 {
				t.Errorf("%s: %.2f LUFS, want silence (below -38)", tc.session, *res.LUFS)
			}
		case res.LUFS == nil || math.Abs(*res.LUFS-tc.want) > 0.2:
			t.Errorf("%s: %v LUFS, want %.1f ± 0.2", tc.session, res.LUFS, tc.want)
		}
	}
	c.do("POST", c.p("/sum-loudness"), strings.NewReader(`{"stems": [{"file": "nope.wav"}]}`), "application/json", http.StatusNotFound, nil)
}

// TestSumLoudnessBoundsTheSong: an offset that puts a stem past the longest
// song the server renders is a 422, answered at once; the meter ran over
// every frame of silence before it (2e9 frames: 16 CPU-s a request, 60
// requests a minute from one address).
func TestSumLoudnessBoundsTheSong(t *testing.T) {
	t.Parallel()
	c := projectWith(t, "a.wav", "b.wav")
	for _, off := range []string{"2000000000", "57600000", "9223372036854775807"} {
		body := `{"stems": [{"file": "a.wav"}, {"file": "b.wav", "offset_samples": ` + off + `}]}`
		c.do("POST", c.p("/sum-loudness"), strings.NewReader(body), "application/json", http.StatusUnprocessableEntity, nil)
	}
	// Within the longest song the sum is measured.
	c.do("POST", c.p("/sum-loudness"), strings.NewReader(`{"stems": [{"file": "a.wav"}, {"file": "b.wav", "offset_samples": 48000}]}`), "application/json", http.StatusOK, nil)
}
