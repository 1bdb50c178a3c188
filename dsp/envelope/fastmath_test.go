package envelope

import (
	"math"
	"testing"
)

// TestFastMath checks Log2 and Exp2 against the math package over the range
// the dynamics processors use, to 1e-6 dB.
func TestFastMath(t *testing.T) {
	t.Parallel()
	const tolDB = 1e-6
	for x := 1e-12; x < 1e6; x *= 1.0137 {
		if d := DBPerLog2 * math.Abs(Log2(x)-math.Log2(x)); !(d <= tolDB) {
			t.Fatalf("Log2(%g) off by %g dB", x, d)
		}
	}
	for y := -40.0; y < 40; y += 0.00731 {
		if d := 20 * math.Abs(math.Log10(Exp2(y)/math.Exp2(y))); !(d <= tolDB) {
			t.Fatalf("Exp2(%g) off by %g dB", y, d)
		}
	}
}
