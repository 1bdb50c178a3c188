package server

import (
	"strings"
	"testing"

	"stemmaster/store"
)

// TestOwnerFullFiguresAddUp: a refusal of the client's storage counts the
// uploads in flight the store counted, so what the message says the upload
// takes and what is stored exceed the bound, as the refusal did; with
// none in flight it names the file alone.
func TestOwnerFullFiguresAddUp(t *testing.T) {
	qe := &store.QuotaError{Client: true, Limit: 1000_000_000, Used: 600_000_000, InFlight: 300_000_000}
	msg := ownerFull("a.wav", 200_000_000, qe).Error()
	for _, want := range []string{"a.wav with the uploads and renders in flight:", "it takes 500 MB", "store 600 MB of the 1000 MB"} {
		if !strings.Contains(msg, want) {
			t.Errorf("refused with 300 MB in flight: %q, want %q in it", msg, want)
		}
	}
	qe.InFlight, qe.Used = 0, 900_000_000
	msg = ownerFull("a.wav", 200_000_000, qe).Error()
	if strings.Contains(msg, "in flight") || !strings.Contains(msg, "a.wav: it takes 200 MB") {
		t.Errorf("refused with nothing in flight: %q, want a.wav taking 200 MB and no uploads in flight", msg)
	}
}
