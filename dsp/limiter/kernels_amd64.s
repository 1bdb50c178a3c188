//go:build amd64 && !purego

#include "textflag.h"

DATA peakconst<>+0(SB)/8, $0x4020000000000000 // 8.0
DATA peakconst<>+8(SB)/8, $0x7fffffffffffffff // |·| mask
DATA peakconst<>+16(SB)/8, $0x3ff0000000000000 // 1.0
GLOBL peakconst<>(SB), RODATA|NOPTR, $24

// HMAX(y, x, xt) leaves the largest of y's four lanes in the low lane of x
// (y's low half), xt scratch: VMAXPD's maximum, which drops a NaN.
#define HMAX(y, x, xt) \
	VEXTRACTF128 $1, y, xt \
	VMAXPD       xt, x, x \
	VPERMILPD    $1, x, xt \
	VMAXPD       xt, x, x

// func framePeaksAVX(zm, hf, out []float64, k *framePeakArgs)
//
// framePeaks one frame a pass: the four candidates refine(a, b, v) of the
// frame as one vector (the parabola's vertex computed in every lane and
// blended in where b is a local maximum with 2b − a − v > 0, with the Go
// code's operations in its order), then the maximum of the previous
// frame's last candidate and this frame's first three, plus w·hf[i]. No
// value carries from frame to frame but the last candidate (Y7). A frame
// without a local maximum (most frames of music: the 4× values of content
// well below fs/2 rise and fall slowly) skips the division.
TEXT ·framePeaksAVX(SB), NOSPLIT, $0-80
	MOVQ k+72(FP), AX
	VMOVSD 0(AX), X9              // w
	VMOVSD 8(AX), X7              // the frame's peak so far
	MOVQ zm_base+0(FP), SI
	MOVQ hf_base+24(FP), DX
	MOVQ out_base+48(FP), DI
	MOVQ out_len+56(FP), CX
	VBROADCASTSD peakconst<>+0(SB), Y10
	VXORPD Y11, Y11, Y11

fploop:
	VMOVUPD   0(SI), Y0           // a
	VMOVUPD   8(SI), Y1           // b
	VMOVUPD   16(SI), Y2          // v
	VCMPPD    $13, Y0, Y1, Y3     // b ≥ a
	VCMPPD    $13, Y2, Y1, Y4     // b ≥ v
	VANDPD    Y4, Y3, Y3
	VADDPD    Y1, Y1, Y4
	VSUBPD    Y0, Y4, Y4
	VSUBPD    Y2, Y4, Y4          // d = 2b − a − v
	VCMPPD    $14, Y11, Y4, Y5    // d > 0
	VANDPD    Y5, Y3, Y3
	VMOVMSKPD Y3, R11
	TESTQ     R11, R11
	JZ        fpmax               // no local maximum (most frames of music)
	VSUBPD    Y0, Y2, Y5
	VMULPD    Y5, Y5, Y5          // (v − a)²
	VMULPD    Y10, Y4, Y4         // 8d
	VDIVPD    Y4, Y5, Y5
	VADDPD    Y5, Y1, Y5          // the vertex
	VBLENDVPD Y3, Y5, Y1, Y1      // the candidates p0 … p3

fpmax:
	VPERMPD   $0x93, Y1, Y6       // p3, p0, p1, p2
	VBLENDPD  $1, Y7, Y6, Y6      // the previous frame's, p0, p1, p2
	VPERMPD   $0xff, Y1, Y7       // p3 for the next frame
	HMAX(Y6, X6, X8)
	VMULSD    (DX), X9, X8
	VADDSD    X8, X6, X6
	VMOVSD    X6, (DI)
	ADDQ      $32, SI
	ADDQ      $8, DX
	ADDQ      $8, DI
	DECQ      CX
	JNZ       fploop

	VMOVSD X7, 8(AX)
	VZEROUPPER
	RET

// func magnitudesAVX(z, even, odd []float64, first bool)
//
// magnitudes four values of each a pass: |even| and |odd| interleaved
// into z, or z raised to them.
TEXT ·magnitudesAVX(SB), NOSPLIT, $0-73
	MOVBQZX first+72(FP), AX
	VBROADCASTSD peakconst<>+8(SB), Y8
	MOVQ z_base+0(FP), DI
	MOVQ even_base+24(FP), SI
	MOVQ odd_base+48(FP), DX
	MOVQ odd_len+56(FP), CX

magloop:
	VANDPD     (SI), Y8, Y0
	VANDPD     (DX), Y8, Y1
	VUNPCKLPD  Y1, Y0, Y2         // e0 o0 | e2 o2
	VUNPCKHPD  Y1, Y0, Y3         // e1 o1 | e3 o3
	VPERM2F128 $0x20, Y3, Y2, Y4  // e0 o0 e1 o1
	VPERM2F128 $0x31, Y3, Y2, Y5  // e2 o2 e3 o3
	TESTQ      AX, AX
	JNZ        magstore
	VMAXPD     (DI), Y4, Y4
	VMAXPD     32(DI), Y5, Y5

magstore:
	VMOVUPD    Y4, (DI)
	VMOVUPD    Y5, 32(DI)
	ADDQ       $32, SI
	ADDQ       $32, DX
	ADDQ       $64, DI
	SUBQ       $4, CX
	JNZ        magloop
	VZEROUPPER
	RET

// func maxAbsAVX(x []float64) float64
//
// The largest |x| of four values a pass (len(x) a multiple of 4, at least
// 4), or NaN if any value is NaN (VMAXPD alone would drop it; the Go code's
// max keeps it).
TEXT ·maxAbsAVX(SB), NOSPLIT, $0-32
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	VBROADCASTSD peakconst<>+8(SB), Y8
	VXORPD Y0, Y0, Y0 // maxima
	VXORPD Y1, Y1, Y1 // NaN lanes

maxloop:
	VANDPD  (SI), Y8, Y2
	VCMPPD  $3, Y2, Y2, Y3 // unordered
	VORPD   Y3, Y1, Y1
	VMAXPD  Y2, Y0, Y0
	ADDQ    $32, SI
	SUBQ    $4, CX
	JNZ     maxloop
	VORPD   Y1, Y0, Y0 // a NaN lane becomes all ones: a NaN
	VEXTRACTF128 $1, Y0, X2
	VEXTRACTF128 $1, Y1, X3
	VORPD   X3, X1, X1
	VMAXPD  X2, X0, X0
	VPERMILPD $1, X0, X2
	VPERMILPD $1, X1, X3
	VORPD   X3, X1, X1
	VMAXSD  X2, X0, X0
	VORPD   X1, X0, X0
	VMOVSD  X0, ret+24(FP)
	VZEROUPPER
	RET

// func ceilingAVX(g []float64, ceiling float64)
//
// ceilingGains four values a pass: VMINPD with the quotient second, so a
// NaN quotient is kept as Go's min keeps it.
TEXT ·ceilingAVX(SB), NOSPLIT, $0-32
	VBROADCASTSD ceiling+24(FP), Y8
	VBROADCASTSD peakconst<>+16(SB), Y9
	MOVQ g_base+0(FP), DI
	MOVQ g_len+8(FP), CX

ceilloop:
	VDIVPD  (DI), Y8, Y0
	VMINPD  Y0, Y9, Y0
	VMOVUPD Y0, (DI)
	ADDQ    $32, DI
	SUBQ    $4, CX
	JNZ     ceilloop
	VZEROUPPER
	RET

// func statsAVX2(x []float64, s *[3]float64)
//
// statsOf's maxima over x[2:] (len(x) − 2 a positive multiple of 4), four
// samples a step: s[0] the largest |x[i]|, s[1] the largest |x[i] − x[i−1]|,
// s[2] the largest |x[i−2] − 2x[i−1] + x[i]|, each at least its value in
// s on entry. (A NaN need not survive: the caller's other bound does.)
TEXT ·statsAVX2(SB), NOSPLIT, $0-32
	MOVQ         x_base+0(FP), SI
	MOVQ         x_len+8(FP), CX
	MOVQ         s+24(FP), DI
	SUBQ         $2, CX
	VBROADCASTSD peakconst<>+8(SB), Y15
	VBROADCASTSD 0(DI), Y0
	VBROADCASTSD 8(DI), Y1
	VBROADCASTSD 16(DI), Y2

statsloop:
	VMOVUPD 16(SI), Y3 // x[i…i+3]
	VMOVUPD 8(SI), Y4  // x[i−1…]
	VMOVUPD (SI), Y5   // x[i−2…]
	VSUBPD  Y4, Y3, Y6
	VADDPD  Y4, Y4, Y4
	VSUBPD  Y4, Y5, Y5
	VADDPD  Y3, Y5, Y5
	VANDPD  Y15, Y3, Y3
	VANDPD  Y15, Y6, Y6
	VANDPD  Y15, Y5, Y5
	VMAXPD  Y0, Y3, Y0
	VMAXPD  Y1, Y6, Y1
	VMAXPD  Y2, Y5, Y2
	ADDQ    $32, SI
	SUBQ    $4, CX
	JNZ     statsloop

	HMAX(Y0, X0, X3)
	VMOVSD       X0, 0(DI)
	HMAX(Y1, X1, X3)
	VMOVSD       X1, 8(DI)
	HMAX(Y2, X2, X3)
	VMOVSD       X2, 16(DI)
	VZEROUPPER
	RET
