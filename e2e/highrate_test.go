package e2e

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"stemmaster/audio"
	"stemmaster/dsp/resample"
	"stemmaster/internal/audiotest"
)

// TestBrowserHighRate runs highrate.mjs on the francium song cut to 12 s
// and converted to 96 kHz, fx exported 96 samples late: the page's
// previews are at 48 kHz, the files at 96 kHz. The check names the
// offset in the files' frames; once applied, the live mixer nulls against
// the mix (as delivered it does not), the strip says 1.0 ms, the server's
// sum loudness is the mix's, and the A/B's gains bring the master down to
// the stems' loudness.
func TestBrowserHighRate(t *testing.T) {
	const rate, late = 96000, 96
	dir := t.TempDir()
	francium := audiotest.FranciumDir(t)
	var format audio.Format
	for _, name := range append(append([]string{}, stems...), "mix.wav") {
		b, info := audiotest.ReadFile(t, filepath.Join(francium, name))
		b.SetFrames(12 * info.Format.SampleRate)
		rs, err := resample.New(info.Format.SampleRate, rate, b.Channels())
		if err != nil {
			t.Fatal(err)
		}
		up := audiotest.Concat(rs.Process(nil, b).Clone(), rs.Flush(nil).Clone())
		if name == "fx.wav" {
			up = audiotest.Concat(audio.NewBuffer(up.Channels(), late), up)
			up.SetFrames(up.Frames() - late)
		}
		f := info.Format
		f.SampleRate = rate
		audiotest.WriteFile(t, filepath.Join(dir, name), "wav", f, up)
		format = f
	}
	silent := audio.NewBuffer(format.Channels, 12*rate)
	audiotest.WriteFile(t, filepath.Join(dir, "keys.wav"), "wav", format, silent)
	var s struct {
		FilesOverflow   int                        `json:"filesOverflow"`
		MixInFirst      string                     `json:"mixInFirst"`
		AllIn           string                     `json:"allIn"`
		FocusAfterApply string                     `json:"focusAfterApply"`
		QuoteSilent     string                     `json:"quoteSilent"`
		RemovedSaid     string                     `json:"removedSaid"`
		QuoteRemoved    string                     `json:"quoteRemoved"`
		Formats         []string                   `json:"formats"`
		Offsets         []string                   `json:"offsets"`
		Rates           [][]any                    `json:"rates"`
		DeliveredDB     float64                    `json:"deliveredDB"`
		AppliedDB       float64                    `json:"appliedDB"`
		StripOffset     string                     `json:"stripOffset"`
		Sum             struct{ Sum, Mix float64 } `json:"sum"`
		Render          string                     `json:"render"`
		RenderError     string                     `json:"renderError"`
		AB              struct {
			Before, Mix, After      float64
			SumVolume, MasterVolume float64
			Levels                  string
		} `json:"ab"`
	}
	runScript(t, "highrate.mjs", "highrate", &s, dir)
	t.Logf("%+v", s)
	if s.MixInFirst != "Uploading: 1 of 7 files in…" || s.AllIn != "Uploaded. Next: check the delivery." {
		t.Errorf("the mix in while six stems are held back: the status reads %q, then %q once all are in; want the count of all seven, then Uploaded", s.MixInFirst, s.AllIn)
	}
	if s.FilesOverflow > 0 {
		t.Errorf("on a 390 px phone the files' table is %d px wider than its box: 'remove' scrolls out of sight", s.FilesOverflow)
	}
	// A silent stem is priced like any other until it is taken out.
	if s.QuoteSilent == s.QuoteRemoved || !strings.HasPrefix(s.RemovedSaid, "keys.wav removed. Press Check again") {
		t.Errorf("the silent keys.wav removed from the checklist: quote %q, then %q; status %q", s.QuoteSilent, s.QuoteRemoved, s.RemovedSaid)
	}
	if len(s.Formats) != 7 || !strings.HasPrefix(s.Formats[0], "96 kHz") {
		t.Errorf("the files table reads %q: want every file at 96 kHz (the file's rate, not the preview's)", s.Formats)
	}
	if len(s.Offsets) != 1 || !strings.HasPrefix(s.Offsets[0], "fx.wav: fx.wav starts 96 samples (1.0 ms) late") {
		t.Errorf("offset findings %q: want fx.wav 96 samples (1.0 ms) late", s.Offsets)
	}
	for _, r := range s.Rates {
		if r[1] != 48000.0 || r[2] != 96000.0 {
			t.Errorf("stream %v: want a 48 kHz preview of a 96 kHz file", r)
		}
	}
	// The previews are 16-bit and resampled: the applied offset nulls to
	// about −73 dB; fx a millisecond out (as delivered, or the offset
	// counted in the previews' frames) leaves about −6 dB on this excerpt.
	if s.AppliedDB > -50 {
		t.Errorf("the live mixer with fx moved 96 samples earlier leaves %.1f dB against the mix, want under -50 dB", s.AppliedDB)
	}
	if s.DeliveredDB < -30 {
		t.Errorf("the live mixer as delivered (fx 1 ms late) leaves %.1f dB against the mix: the offset is not heard", s.DeliveredDB)
	}
	if s.FocusAfterApply != "guide-link in offset fx.wav" {
		t.Errorf("after Apply pressed on the checklist the focus is on %q, want the same finding's guide link", s.FocusAfterApply)
	}
	if s.StripOffset != "−1.0 ms" {
		t.Errorf("the fx strip says %q for -96 samples at 96 kHz, want −1.0 ms", s.StripOffset)
	}
	if math.Abs(s.Sum.Sum-s.Sum.Mix) > 0.1 {
		t.Errorf("the server's sum loudness with the offset applied is %.2f LUFS, the mix %.2f LUFS", s.Sum.Sum, s.Sum.Mix)
	}
	if s.Render != "done" {
		t.Fatalf("render %s: %s", s.Render, s.RenderError)
	}
	// The A/B plays every programme at the quietest's loudness: the
	// stems' sum (the mix's loudness), the master turned down by the
	// difference.
	quiet := math.Min(s.AB.Before, math.Min(s.AB.Mix, s.AB.After))
	if math.Abs(s.AB.Before-s.AB.Mix) > 0.1 {
		t.Errorf("A/B: the stems at the mix's settings measure %.2f LUFS, the mix %.2f", s.AB.Before, s.AB.Mix)
	}
	if want := math.Pow(10, (quiet-s.AB.After)/20); math.Abs(s.AB.MasterVolume-want) > 0.002 || s.AB.MasterVolume > 0.9 {
		t.Errorf("A/B: the master plays at %.3f, want %.3f (%.2f LUFS down to %.2f)", s.AB.MasterVolume, want, s.AB.After, quiet)
	}
	if want := math.Pow(10, (quiet-s.AB.Before)/20); math.Abs(s.AB.SumVolume-want) > 0.002 {
		t.Errorf("A/B: the stems play at %.3f, want %.3f", s.AB.SumVolume, want)
	}
}
