package server

import (
	"bytes"
	"math"
	"net/http"
	"slices"
	"testing"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

func TestStreamSegments(t *testing.T) {
	t.Parallel()
	c := setup(t).newProject(t)
	const frames = 40000
	c.upload("stems", map[string][]byte{"a.wav": wavBytes(t, frames, 1000)}, []string{"a.wav"}, http.StatusCreated, nil)
	var v StreamsView
	c.do("GET", c.p("/streams"), nil, "", http.StatusOK, &v)
	if len(v.Stems) != 1 {
		t.Fatalf("streams %+v", v)
	}
	si := v.Stems[0]
	if si.Frames != frames || si.SampleRate != 48000 || si.Segments != 1 || si.SegmentFrames != 4*48000 || si.LUFS == nil || si.GainDB != 0 {
		t.Fatalf("stream info %+v", si)
	}
	// A 1 kHz sine at -12 dBFS peak, stereo: -12 - 3.01 + 0.69 (K-weighting
	// at 1 kHz) + 3.01 (two channels) - 0.691 ≈ -12 LUFS.
	if math.Abs(*si.LUFS-(-12)) > 0.2 {
		t.Errorf("preview loudness %.2f LUFS, want -12 ± 0.2", *si.LUFS)
	}
	seg := c.do("GET", si.URL+"/0?v="+si.Version, nil, "", http.StatusOK, nil)
	if len(seg) != wavHeaderBytes+frames*4 {
		t.Fatalf("segment 0: %d bytes, want %d", len(seg), wavHeaderBytes+frames*4)
	}
	r, err := audio.OpenReader(bytes.NewReader(seg))
	if err != nil {
		t.Fatal(err)
	}
	got := audio.NewBuffer(2, frames)
	n, _ := r.Read(got)
	want := audiotest.Sine(48000, 2, frames, 1000, -12, 0)
	// 16-bit against 24-bit: within half a 16-bit step and the 24-bit
	// file's own rounding.
	worst := 0.0
	for c := 0; c < 2; c++ {
		for i := 0; i < n; i++ {
			worst = math.Max(worst, math.Abs(float64(got.Data[c][i]-want.Data[c][i])))
		}
	}
	if n != frames || worst > 1.0/32767 {
		t.Errorf("segment 0 decodes to %d frames, worst error %.2g; want %d frames within one 16-bit step", n, worst, frames)
	}
	c.do("GET", si.URL+"/1", nil, "", http.StatusNotFound, nil)
	c.do("GET", si.URL+"/-1", nil, "", http.StatusBadRequest, nil)
	c.do("GET", c.p("/stream/stem/none.wav/0"), nil, "", http.StatusNotFound, nil)
	c.do("GET", c.p("/stream/secret/a.wav/0"), nil, "", http.StatusNotFound, nil)
}

func TestStreamRenderedWAVDirect(t *testing.T) {
	t.Parallel()
	c := setup(t).newProject(t)
	c.upload("stems", map[string][]byte{"a.wav": wavBytes(t, 4800, 440)}, []string{"a.wav"}, http.StatusCreated, nil)
	c.waitJob(c.render())
	var v StreamsView
	c.do("GET", c.p("/streams?master=main.wav&rev=1"), nil, "", http.StatusOK, &v)
	if v.Master == nil || len(v.Revisions) != 1 {
		t.Fatalf("streams %+v", v)
	}
	// The fake renderer's main.wav: 4800 frames of a 1 kHz sine at
	// -20 dBFS, 24-bit; its figures say -14 LUFS.
	if v.Master.Frames != 4800 || v.Master.LUFS == nil || *v.Master.LUFS != -14 || v.Master.Segments != 1 {
		t.Fatalf("master stream %+v", v.Master)
	}
	seg := c.do("GET", v.Master.URL+"/0", nil, "", http.StatusOK, nil)
	r, err := audio.OpenReader(bytes.NewReader(seg))
	if err != nil {
		t.Fatal(err)
	}
	if f := r.Info().Format; f.BitDepth != 24 || f.Channels != 2 {
		t.Errorf("segment format %+v, want the master's own 24-bit stereo", f)
	}
	got := audio.NewBuffer(2, 4800)
	n, _ := r.Read(got)
	full := c.do("GET", c.p("/outputs/main.wav"), nil, "", http.StatusOK, nil)
	fr, err := audio.OpenReader(bytes.NewReader(full))
	if err != nil {
		t.Fatal(err)
	}
	want := audio.NewBuffer(2, 4800)
	fr.Read(want)
	if n != 4800 || !slices.Equal(got.Data[0], want.Data[0]) || !slices.Equal(got.Data[1], want.Data[1]) {
		t.Errorf("segment 0 (%d frames) differs from main.wav's samples", n)
	}
	rs := c.do("GET", v.Revisions[0].URL+"/0", nil, "", http.StatusOK, nil)
	if !bytes.Equal(rs, seg) {
		t.Error("revision 1's stream differs from the current master's")
	}
}

func FuzzParseDirectWAV(f *testing.F) {
	f.Add(append(wavHeader(48000, 2, 24, false, 10), make([]byte, 60)...))
	f.Add(append(wavHeader(44100, 1, 32, true, 3), make([]byte, 12)...))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, head []byte) {
		d, err := parseDirectWAV(head)
		if err != nil {
			return
		}
		if d.dataOffset < 12 || d.dataOffset > int64(len(head)) || d.frames < 0 || d.channels < 1 || d.channels > 2 || d.rate <= 0 {
			t.Fatalf("accepted %+v", d)
		}
	})
}
