package dynamics

import "math"

// log2 and exp2 for the per-frame detector path, table-driven and
// branch-free: several times faster than math.Log2 and math.Exp2 and
// accurate to about 1e-10 (relative), far below 1e-6 dB.

const (
	dbPerLog2 = 6.020599913279624 // 20·log10(2)
	log2PerDB = 1 / dbPerLog2

	tableBits = 6
	tableSize = 1 << tableBits
)

var (
	// logCentre[j] = log2(c_j) and logInv[j] = 1/c_j for the mantissa
	// interval centres c_j = 1 + (j + ½)/64, j = 0…63.
	logCentre, logInv [tableSize]float64
	// exp2Table[j] = 2^(j/64).
	exp2Table [tableSize]float64
)

func init() {
	for j := range tableSize {
		c := 1 + (float64(j)+0.5)/tableSize
		logCentre[j] = math.Log2(c)
		logInv[j] = 1 / c
		exp2Table[j] = math.Exp2(float64(j) / tableSize)
	}
}

// fastLog2 returns log2(x) for a positive normal x.
func fastLog2(x float64) float64 {
	bits := math.Float64bits(x)
	e := float64(int64(bits>>52) - 1023) // the sign bit is 0
	j := bits >> (52 - tableBits) & (tableSize - 1)
	m := math.Float64frombits(bits&(1<<52-1) | 1023<<52) // [1, 2)
	// m = c_j·(1 + r) with |r| < 1/129: log2(1 + r) = ln(1 + r)·log2(e)
	// to r⁴, error < r⁵/5·log2(e) < 1e-11.
	r := m*logInv[j] - 1
	const l1, l2, l3, l4 = math.Log2E, math.Log2E / 2, math.Log2E / 3, math.Log2E / 4
	return e + logCentre[j] + r*(l1-r*(l2-r*(l3-r*l4)))
}

// fastExp2 returns 2^y for |y| < 1000. (The compressor's gains stay within
// ±160: float32 samples are below 2¹²⁸, i.e. +771 dBFS.)
func fastExp2(y float64) float64 {
	// y = k/64 + f with 0 ≤ f < 1/64; y·64 + 2¹⁶ > 0, so truncation floors.
	k := int64(y*tableSize+65536) - 65536
	f := (y - float64(k)/tableSize) * math.Ln2 // [0, ln2/64)
	// e^f to f⁴: error < f⁵/120 < 2e-12.
	p := 1 + f*(1+f*(1.0/2+f*(1.0/6+f*(1.0/24))))
	scale := math.Float64frombits(uint64(k>>tableBits+1023) << 52)
	return p * exp2Table[k&(tableSize-1)] * scale
}

// relu returns max(x, 0) for a finite x without a branch: a negative x has
// the sign bit set, which the arithmetic shift spreads into a clearing mask.
func relu(x float64) float64 {
	b := math.Float64bits(x)
	return math.Float64frombits(b &^ uint64(int64(b)>>63))
}

// maxPos and minPos are max and min for non-negative finite numbers, whose
// IEEE 754 bit patterns order as unsigned integers (a conditional move).
func maxPos(a, b float64) float64 {
	return math.Float64frombits(max(math.Float64bits(a), math.Float64bits(b)))
}

func minPos(a, b float64) float64 {
	return math.Float64frombits(min(math.Float64bits(a), math.Float64bits(b)))
}

// absBits returns |x| (clears the sign bit).
func absBits(x float64) float64 {
	return math.Float64frombits(math.Float64bits(x) &^ (1 << 63))
}
