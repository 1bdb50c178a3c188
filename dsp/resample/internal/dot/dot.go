// Package dot holds the inner kernel of the resampler: float64 dot products,
// one row of filter taps against one or two input histories at a time.
//
// On amd64 processors with AVX2 and FMA (checked at run time with
// golang.org/x/sys/cpu) the kernels are Go assembly (Plan 9 syntax, in
// dot_amd64.s): 256-bit fused multiply-adds, four doubles per instruction,
// with independent accumulators to hide the FMA latency. Go assembly is
// built by the Go toolchain itself and needs no C compiler or C library, so
// the package, and stemmaster, still build with CGO_ENABLED=0: it is pure
// Go in the sense the project means. On amd64 without AVX2 or FMA the
// kernels are gonum's floats.Dot (its SSE2 assembly), what the resampler
// used before. Everywhere else — other architectures, or any architecture
// with the build tag purego — they are plain Go (dotGeneric, dot2Generic).
//
// The summation order differs between the two (the assembly keeps 4–8
// partial sums), so results agree to rounding, not bit for bit; each is
// deterministic and independent of the slices' memory alignment, so a
// given machine gives the same output for the same input however it is
// laid out.
package dot

// Dot returns Σ a[i]·b[i] over i < len(a). It panics if len(b) < len(a).
func Dot(a, b []float64) float64 {
	b = b[:len(a)]
	return dotImpl(a, b)
}

// Dot2 returns a·b0 and a·b1, the sums over i < len(a), in one pass over a:
// a row of filter taps against two channels' histories (each tap is loaded
// once for both), or one history against two rows of taps. It panics if b0
// or b1 is shorter than a.
func Dot2(a, b0, b1 []float64) (s0, s1 float64) {
	b0 = b0[:len(a)]
	b1 = b1[:len(a)]
	return dot2Impl(a, b0, b1)
}

// Kernel names the implementation in use: "avx2+fma" (assembly),
// "sse2 (gonum)" (amd64 without AVX2 or FMA: gonum's floats.Dot) or "go".
func Kernel() string { return kernel }

// dotGeneric is the portable Dot: four partial sums, which lets the
// processor overlap the multiply-adds (measured faster than one sum).
func dotGeneric(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// dot2Generic is the portable Dot2: one pass, two partial sums per result,
// each element of a loaded once for both. (In the resampler this measured
// 20 % faster than two passes of dotGeneric, and faster than four partial
// sums per result, for which the compiler runs out of registers.)
func dot2Generic(a, b0, b1 []float64) (float64, float64) {
	b0 = b0[:len(a)]
	b1 = b1[:len(a)]
	var s0, s1, t0, t1 float64
	i := 0
	for ; i+2 <= len(a); i += 2 {
		x, y := a[i], a[i+1]
		s0 += x * b0[i]
		s1 += y * b0[i+1]
		t0 += x * b1[i]
		t1 += y * b1[i+1]
	}
	if i < len(a) {
		s0 += a[i] * b0[i]
		t0 += a[i] * b1[i]
	}
	return s0 + s1, t0 + t1
}
