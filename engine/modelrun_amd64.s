//go:build amd64 && !purego

#include "textflag.h"

// func kweightPeakAVX(xl, xr []float32, st *kLanes, k *kCoeffs, energy, peak *[2]float64)
//
// The gain model's K-weighting, energy and peak estimate (runGo) with the
// left channel in lane 0 and the right in lane 1 of each register, every
// product and sum rounded as runGo rounds it. len(xr) == len(xl) > 0.
//
// X0 x1  X1 x2  X2 y1  X3 y2  X4 o1  X5 o2  X6 p3  X7 p2  X8 p1
// X9 energy  X10 peak  X11 the input  X12-X15 scratch
// BIQUAD leaves in OUT b0·IN + b1·Z1 + b2·Z2 − a1·W1 − a2·W2, summed left
// to right, with the coefficients at K(BX) (b0 b1 b2 a1 a2, 16 bytes
// apart); T is scratch.
#define BIQUAD(K, IN, Z1, Z2, W1, W2, OUT, T) \
	VMULPD K+0(BX), IN, OUT  \
	VMULPD K+16(BX), Z1, T   \
	VADDPD T, OUT, OUT       \
	VMULPD K+32(BX), Z2, T   \
	VADDPD T, OUT, OUT       \
	VMULPD K+48(BX), W1, T   \
	VSUBPD T, OUT, OUT       \
	VMULPD K+64(BX), W2, T   \
	VSUBPD T, OUT, OUT

TEXT ·kweightPeakAVX(SB), NOSPLIT, $0-80
	MOVQ    xl_base+0(FP), SI
	MOVQ    xl_len+8(FP), CX
	MOVQ    xr_base+24(FP), DI
	MOVQ    st+48(FP), AX
	MOVQ    k+56(FP), BX
	VMOVUPD 0(AX), X0
	VMOVUPD 16(AX), X1
	VMOVUPD 32(AX), X2
	VMOVUPD 48(AX), X3
	VMOVUPD 64(AX), X4
	VMOVUPD 80(AX), X5
	VMOVUPD 96(AX), X6
	VMOVUPD 112(AX), X7
	VMOVUPD 128(AX), X8
	VXORPD  X9, X9, X9
	VXORPD  X10, X10, X10
	XORQ    DX, DX

loop:
	VMOVSS    (SI)(DX*4), X11
	VINSERTPS $0x10, (DI)(DX*4), X11, X11
	VCVTPS2PD X11, X11

	BIQUAD(0, X11, X0, X1, X2, X3, X12, X13)  // shelf: y
	BIQUAD(80, X12, X2, X3, X4, X5, X13, X14) // high-pass: o

	VMOVAPD X0, X1
	VMOVAPD X11, X0
	VMOVAPD X2, X3
	VMOVAPD X12, X2
	VMOVAPD X4, X5
	VMOVAPD X13, X4

	// energy += o·o
	VMULPD X13, X13, X14
	VADDPD X14, X9, X9

	// mid = (9·(p2 + p1) − p3 − in)/16; peak = max(peak, |in|, |mid|)
	VADDPD X8, X7, X14
	VMULPD 160(BX), X14, X14
	VSUBPD X6, X14, X14
	VSUBPD X11, X14, X14
	VMULPD 176(BX), X14, X14
	VANDPD 192(BX), X11, X15
	VMAXPD X15, X10, X10
	VANDPD 192(BX), X14, X14
	VMAXPD X14, X10, X10

	VMOVAPD X7, X6
	VMOVAPD X8, X7
	VMOVAPD X11, X8

	INCQ DX
	CMPQ DX, CX
	JL   loop

	VMOVUPD X0, 0(AX)
	VMOVUPD X1, 16(AX)
	VMOVUPD X2, 32(AX)
	VMOVUPD X3, 48(AX)
	VMOVUPD X4, 64(AX)
	VMOVUPD X5, 80(AX)
	VMOVUPD X6, 96(AX)
	VMOVUPD X7, 112(AX)
	VMOVUPD X8, 128(AX)
	MOVQ    energy+64(FP), AX
	VMOVUPD X9, 0(AX)
	MOVQ    peak+72(FP), AX
	VMOVUPD X10, 0(AX)
	RET
