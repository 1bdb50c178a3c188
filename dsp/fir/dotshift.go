package fir

import "math"

// shiftBlock is how many elements Dot2Shifts takes of every row before
// moving on: b0's and b1's blocks (16 KiB) and the rows' stretch stay in
// the first-level cache while every row passes over them.
const shiftBlock = 1024

// Dot2Shifts sets out[2j] and out[2j+1] to Dot2(a[offs[j]:offs[j]+k], b0,
// b1) for every j < len(offs), the same bits as Dot2 row by row. With the
// vector kernel it walks the k elements in blocks, every row against one
// block of b0 and b1 before the next block, so that a search over many
// shifts of a against long windows (a lag search) reads the windows from
// memory once rather than once per row. It panics if a row lies outside a,
// b0 or b1 is shorter than k, or out is shorter than 2·len(offs).
func Dot2Shifts(a []float64, offs []int, k int, b0, b1, out []float64) {
	out = out[:2*len(offs)]
	b0, b1 = b0[:k], b1[:k]
	for _, o := range offs {
		if o < 0 || k < 0 || o+k > len(a) {
			panic("fir: Dot2Shifts: row out of range")
		}
	}
	if !shiftsAccelerated || k < 16 {
		for j, o := range offs {
			out[2*j], out[2*j+1] = dot2Impl(a[o:o+k], b0, b1)
		}
		return
	}
	n16 := k &^ 15
	acc := make([]float64, 32*len(offs))
	for lo := 0; lo < n16; lo += shiftBlock {
		n := min(shiftBlock, n16-lo)
		for j, o := range offs {
			dot2LanesAVX(&a[o+lo], &b0[lo], &b1[lo], n, (*[32]float64)(acc[32*j:]))
		}
	}
	for j, o := range offs {
		lanes := (*[32]float64)(acc[32*j:])
		out[2*j] = finishRow((*[16]float64)(lanes[:16]), a[o:o+k], b0, n16)
		out[2*j+1] = finishRow((*[16]float64)(lanes[16:]), a[o:o+k], b1, n16)
	}
}

// finishRow ends dot2RowsAVX2's sum of a·b after its whole steps of 16
// (the first i elements, in y: accumulators Y0–Y3 of four lanes each):
// at most one step of 8 into the first two accumulators and one of 4 into
// the third, the horizontal sum (a + b) + (c + d), then lanes (0 + 2) +
// (1 + 3), then single elements, each product fused with its addition as
// the FMA instructions do.
func finishRow(y *[16]float64, a, b []float64, i int) float64 {
	k := len(a)
	b = b[:k]
	if k-i >= 8 {
		for l := range 8 {
			y[l] = math.FMA(a[i+l], b[i+l], y[l])
		}
		i += 8
	}
	if k-i >= 4 {
		for l := range 4 {
			y[8+l] = math.FMA(a[i+l], b[i+l], y[8+l])
		}
		i += 4
	}
	var t [4]float64
	for l := range t {
		t[l] = (y[l] + y[4+l]) + (y[8+l] + y[12+l])
	}
	s := (t[0] + t[2]) + (t[1] + t[3])
	for ; i < k; i++ {
		s = math.FMA(a[i], b[i], s)
	}
	return s
}

// Dot4Job is one of DotPortable4Many's jobs: DotPortable(A, B[q]) for
// q < 4, into Out.
type Dot4Job struct {
	A   []float64
	B   [4][]float64
	Out [4]float64
	acc [16]float64
}

// DotPortable4Many runs DotPortable4 for every job, the same bits, all of
// one length n (every A and B at least n long, n = len(jobs[0].A)). With
// the vector kernel it walks the n elements in blocks, every job against
// one block before the next, so that vectors several jobs share (a least-
// squares fit's stems) are read from memory once per block rather than
// once per job.
func DotPortable4Many(jobs []Dot4Job) {
	if len(jobs) == 0 {
		return
	}
	n := len(jobs[0].A)
	for i := range jobs {
		j := &jobs[i]
		j.A = j.A[:n]
		for q := range j.B {
			j.B[q] = j.B[q][:n]
		}
		j.acc = [16]float64{}
	}
	m := 0
	if lanesAccelerated && n >= 4 {
		m = n &^ 3
		for lo := 0; lo < m; lo += shiftBlock {
			c := min(shiftBlock, m-lo)
			for i := range jobs {
				j := &jobs[i]
				dot4LanesAVX(&j.A[lo], &[4]*float64{&j.B[0][lo], &j.B[1][lo], &j.B[2][lo], &j.B[3][lo]}, c, &j.acc)
			}
		}
	}
	for i := range jobs {
		j := &jobs[i]
		for q := range j.B {
			j.Out[q] = finishLanes(j.A, j.B[q], m, j.acc[4*q:4*q+4])
		}
	}
}
