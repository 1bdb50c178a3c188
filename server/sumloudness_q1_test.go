package server

import (
	"net/http"
	"strings"
	"testing"
)

// TestSumLoudnessBoundsTheSong: an offset that puts a stem past the longest
// song the server renders is a 422, answered at once; the meter ran over
// every frame of silence before it (2e9 frames: 16 CPU-s a request, 60
// requests a minute from one address).
func TestSumLoudnessBoundsTheSong(t *testing.T) {
	t.Parallel()
	c := setup(t).newProject(t)
	w := wavBytes(t, 4800, 1000)
	c.upload("stems", map[string][]byte{"a.wav": w, "b.wav": w}, []string{"a.wav", "b.wav"}, http.StatusCreated, nil)
	for _, off := range []string{"2000000000", "57600000", "9223372036854775807"} {
		body := `{"stems": [{"file": "a.wav"}, {"file": "b.wav", "offset_samples": ` + off + `}]}`
		c.do("POST", c.p("/sum-loudness"), strings.NewReader(body), "application/json", http.StatusUnprocessableEntity, nil)
	}
	// Within the longest song the sum is measured.
	c.do("POST", c.p("/sum-loudness"), strings.NewReader(`{"stems": [{"file": "a.wav"}, {"file": "b.wav", "offset_samples": 48000}]}`), "application/json", http.StatusOK, nil)
}
