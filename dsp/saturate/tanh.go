package saturate

import (
	"math"

	"stemmaster/dsp/envelope"
)

// tanh via the package envelope's exp2: tanh x = 1 − 2/(e^{2x} + 1), smooth
// to far below the aliasing it is measured against (Exp2 is accurate to
// 5e-10 relative).
func tanh(x float64) float64 {
	x = clamp(x, 20)
	return 1 - 2/(envelope.Exp2(2*x*math.Log2E)+1)
}

// clamp limits x to ±c by comparisons (rarely taken, so predicted): the
// builtin min and max spend instructions on NaN and signed zeros, at the
// 8× rate.
func clamp(x, c float64) float64 {
	if x > c {
		return c
	}
	if x < -c {
		return -c
	}
	return x
}

// tanhConsts are the tanh kernel's constants, each in four lanes (see
// tanh_amd64.s), with the curve's bias and offset.
type tanhConsts [13][4]float64

func newTanhConsts(bias, off float64) *tanhConsts {
	var k tanhConsts
	const shifter = 1.5 * (1 << 52)
	for i, v := range [...]float64{20, -20, math.Log2E, 256, shifter, math.Ln2 / 256, 1, 0.5, 2, bias, off,
		math.Float64frombits(255), math.Float64frombits(math.Float64bits(shifter))} {
		k[i] = [4]float64{v, v, v, v}
	}
	return &k
}

// exp2Bits[j][0] = the bits of 2^(j/256), as package envelope's Exp2
// tables them (the entries are 16 bytes there too).
var exp2Bits [256][2]uint64

func init() {
	for j := range exp2Bits {
		exp2Bits[j][0] = math.Float64bits(math.Exp2(float64(j) / 256))
	}
}

// tanhShift sets v[i] = tanh(v[i] + bias) − off (k built with bias and
// off), four samples a step with the kernel where it runs: the same bits
// as the Go loop, which takes the rest.
func tanhShift(v []float64, k *tanhConsts) {
	done := 0
	if tanhAccelerated {
		done = len(v) &^ 3
		tanhAsm(v[:done], k)
	}
	tanhShiftGo(v[done:], k[9][0], k[10][0])
}

func tanhShiftGo(v []float64, bias, off float64) {
	for i, x := range v {
		v[i] = tanh(x+bias) - off
	}
}
