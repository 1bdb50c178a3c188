package stemmaster

import (
	"fmt"
	"testing"
)

// BenchmarkValidate validates sessions of growing size; the time per stem
// stays flat (validation is linear in the session's size), and a session
// over the bounds costs no more than one at them.
func BenchmarkValidate(b *testing.B) {
	for _, n := range []int{1000, 4000, 16000} {
		s := &Session{}
		for i := range n {
			s.Stems = append(s.Stems, StemSpec{File: fmt.Sprintf("s%d.wav", i), EQ: []EQBand{{Type: EQPeak, FreqHz: 1000, Q: 1}}})
			s.Outputs = append(s.Outputs, Output{Format: FormatWAV, BitDepth: 24, Suffix: fmt.Sprintf("o%d", i)})
			s.Versions = append(s.Versions, VersionMain)
		}
		b.Run(fmt.Sprintf("stems=%d", n), func(b *testing.B) {
			for b.Loop() {
				s.Validate()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/stem")
		})
	}
}
