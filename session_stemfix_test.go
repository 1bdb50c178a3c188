package stemmaster

import "testing"

func TestStemCorrectionsValidate(t *testing.T) {
	t.Parallel()
	s := &Session{Stems: []StemSpec{
		{File: "a.wav", Polarity: PolarityLeftInverted, SwapChannels: true, Resample: true},
		{File: "b.wav", Polarity: "left"},
	}}
	errs := SessionErrors(s.Validate())
	if len(errs) != 1 || errs[0].Field != "stems[1].polarity" || errs[0].ErrKind() != ErrInvalid {
		t.Fatalf("Validate = %v, want one invalid stems[1].polarity", errs)
	}
	if err := s.ValidateChannels(0, 2); err != nil {
		t.Errorf("stereo stem: %v", err)
	}
	errs = SessionErrors(s.ValidateChannels(0, 1))
	if len(errs) != 2 || errs[0].Field != "stems[0].swap_channels" || errs[1].Field != "stems[0].polarity" {
		t.Fatalf("mono stem: %v, want swap_channels and polarity", errs)
	}
	want := `stems[0].polarity: "left_inverted" needs a stereo stem; a.wav has 1 channel(s) (use inverted)`
	if errs[1].Error() != want {
		t.Errorf("got %q\nwant %q", errs[1].Error(), want)
	}
	for _, tc := range []struct {
		p    Polarity
		l, r float64
	}{{"", 1, 1}, {PolarityNormal, 1, 1}, {PolarityInverted, -1, -1}, {PolarityLeftInverted, -1, 1}, {PolarityRightInverted, 1, -1}} {
		if l, r := tc.p.Signs(); l != tc.l || r != tc.r {
			t.Errorf("%q.Signs() = %g, %g; want %g, %g", tc.p, l, r, tc.l, tc.r)
		}
	}
}
