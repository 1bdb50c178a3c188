package limiter

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"testing"

	"stemmaster/internal/audiotest"
)

func TestZZGold(t *testing.T) {
	mode := os.Getenv("GOLD")
	if mode == "" {
		t.Skip()
	}
	var out []byte
	for _, ch := range []int{1, 2, 3} {
		for _, rate := range []float64{44100, 96000} {
			x := audiotest.Concat(audiotest.WhiteNoise(1, ch, 20000, 6), audiotest.PinkNoise(2, ch, 20000, -6), audiotest.Silence(ch, 5000), audiotest.Sine(rate, ch, 9000, 0.45*rate, 3, 0.2), audiotest.PinkNoise(3, ch, 20000, 3), audiotest.PinkNoise(4, ch, 30000, -22), audiotest.Sine(rate, ch, 3000, 1000, -1.2, 0), audiotest.PinkNoise(5, ch, 30000, -25))
			l := newLimiter(DefaultParams(), rate, ch)
			y := process(l, x, 700)
			for _, d := range y.Data {
				for _, v := range d {
					out = binary.LittleEndian.AppendUint32(out, math.Float32bits(v))
				}
			}
			out = fmt.Appendf(out, "%+v", l.Stats())
		}
	}
	if mode == "write" {
		os.WriteFile("/tmp/gold_lim.bin", out, 0o644)
		return
	}
	want, _ := os.ReadFile("/tmp/gold_lim.bin")
	if string(want) != string(out) {
		t.Fatal("differs from gold")
	}
}
