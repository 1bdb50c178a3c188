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

	// y = sB0·in + sB1·x1 + sB2·x2 − sA1·y1 − sA2·y2
	VMULPD 0(BX), X11, X12
	VMULPD 16(BX), X0, X13
	VADDPD X13, X12, X12
	VMULPD 32(BX), X1, X13
	VADDPD X13, X12, X12
	VMULPD 48(BX), X2, X13
	VSUBPD X13, X12, X12
	VMULPD 64(BX), X3, X13
	VSUBPD X13, X12, X12

	// o = hB0·y + hB1·y1 + hB2·y2 − hA1·o1 − hA2·o2
	VMULPD 80(BX), X12, X13
	VMULPD 96(BX), X2, X14
	VADDPD X14, X13, X13
	VMULPD 112(BX), X3, X14
	VADDPD X14, X13, X13
	VMULPD 128(BX), X4, X14
	VSUBPD X14, X13, X13
	VMULPD 144(BX), X5, X14
	VSUBPD X14, X13, X13

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
