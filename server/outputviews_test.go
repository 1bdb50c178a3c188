package server

import (
	"testing"

	"stemmaster/store"
)

// TestPictureNeverDirect: where the store's links reach it from the
// clients, an output's link is direct but for a picture's, in a project's
// outputs and a revision's alike (both list through outputView).
func TestPictureNeverDirect(t *testing.T) {
	for _, o := range []store.Output{{Name: "main.wav", Kind: store.OutputAudio}, {Name: "spectrum.png", Kind: store.OutputPicture}} {
		want := o.Kind != store.OutputPicture
		if v := outputViews("p", []store.Output{o}, true)[0]; v.DirectLink != want {
			t.Errorf("%s in the project's outputs: direct_link %v, want %v", o.Name, v.DirectLink, want)
		}
		if v := outputView(o, "/api/projects/p/revisions/1/outputs/"+o.Name, true); v.DirectLink != want {
			t.Errorf("%s in a revision: direct_link %v, want %v", o.Name, v.DirectLink, want)
		}
	}
}
