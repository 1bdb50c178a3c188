package envelope

import "math"

// Log2 and Exp2 for the per-frame detector and gain paths, table-driven, branch-free
// and small enough to be inlined into the loops: several times faster than
// math.Log2 and math.Exp2 and accurate to about 4e-9 (log2, absolute) and
// 5e-10 (exp2, relative), far below 1e-6 dB. The tables (256 entries, 6 KiB
// in all) let short polynomials do.

const (
	DBPerLog2 = 6.020599913279624 // 20·log10(2)
	Log2PerDB = 1 / DBPerLog2

	tableBits = 8
	tableSize = 1 << tableBits
)

var (
	// logTable[j] = {1/c_j, log2(c_j)} for the mantissa interval centres
	// c_j = 1 + (j + ½)/256, j = 0…255 (side by side: one 16-byte load
	// fetches both).
	logTable [tableSize][2]float64
	// exp2Table[j] = 2^(j/256).
	exp2Table [tableSize]float64
)

func init() {
	for j := range tableSize {
		c := 1 + (float64(j)+0.5)/tableSize
		logTable[j] = [2]float64{1 / c, math.Log2(c)}
		exp2Table[j] = math.Exp2(float64(j) / tableSize)
	}
}

// Log2 returns log2(x) for a positive normal x.
func Log2(x float64) float64 {
	bits := math.Float64bits(x)
	// The exponent as a float without an integer conversion: 2⁵² + e_biased
	// has e_biased in its low mantissa bits (the sign bit of x is 0).
	e := math.Float64frombits(bits>>52|0x4330000000000000) - (1<<52 + 1023)
	j := bits << 12 >> (64 - tableBits)
	m := math.Float64frombits(bits&(1<<52-1) | 1023<<52) // [1, 2)
	// m = c_j·(1 + r) with |r| < 1/513: log2(1 + r) = ln(1 + r)·log2(e)
	// to r², error < |r|³/3·log2(e) < 4e-9 (2e-8 dB).
	r := m*logTable[j][0] - 1
	const l1, l2 = math.Log2E, math.Log2E / 2
	return (e + logTable[j][1]) + r*(l1-r*l2)
}

// exp2Bits[j][0] = the bits of 2^(j/256), to which Exp2 adds the integer
// part of the exponent. (The entries are 16 bytes, as logTable's, so the
// block kernels fetch both tables' entries the same way.)
var exp2Bits [tableSize][2]uint64

func init() {
	for j, v := range exp2Table {
		exp2Bits[j][0] = math.Float64bits(v)
	}
}

// roundShifter is 1.5·2⁵²: adding it to a float64 of magnitude < 2⁵¹ rounds
// it to an integer held in the low mantissa bits (round to nearest).
const roundShifter = 1.5 * (1 << 52)

// Exp2 returns 2^y for |y| < 1000. (The compressor's gains stay within
// ±160: float32 samples are below 2¹²⁸, i.e. +771 dBFS.)
func Exp2(y float64) float64 {
	// y = k/256 + f with k = round(256·y), |f| ≤ 1/512, without integer
	// conversions: k sits in the low bits of t.
	y *= tableSize
	t := y + roundShifter
	k := int64(math.Float64bits(t)) - int64(math.Float64bits(roundShifter))
	f := (y - (t - roundShifter)) * (math.Ln2 / tableSize) // |f| ≤ ln2/512
	// e^f to f²: error < |f|³/6 < 5e-10.
	p := 1 + f*(1+f*(1.0/2))
	// 2^(k/256) = 2^(j/256)·2^(k>>8): add k>>8 to the table entry's exponent.
	return p * math.Float64frombits(exp2Bits[k&(tableSize-1)][0]+uint64(k>>tableBits)<<52)
}

// Relu returns max(x, 0) for a finite x without a branch: a negative x has
// the sign bit set, which the arithmetic shift spreads into a clearing mask.
func Relu(x float64) float64 {
	b := math.Float64bits(x)
	return math.Float64frombits(b &^ uint64(int64(b)>>63))
}

// MaxPos and MinPos are max and min for non-negative finite numbers, whose
// IEEE 754 bit patterns order as unsigned integers (a conditional move).
func MaxPos(a, b float64) float64 {
	return math.Float64frombits(max(math.Float64bits(a), math.Float64bits(b)))
}

func MinPos(a, b float64) float64 {
	return math.Float64frombits(min(math.Float64bits(a), math.Float64bits(b)))
}

// Abs returns |x| (clears the sign bit).
func Abs(x float64) float64 {
	return math.Float64frombits(math.Float64bits(x) &^ (1 << 63))
}
