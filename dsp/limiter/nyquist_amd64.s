//go:build amd64 && !purego

#include "textflag.h"

// func nyquistPairAVX(k *nyquistKernel, inA, inB, hf []float64)
//
// runNyquistPair with the two channels in the two lanes of an XMM
// register: the same operations in the same order per lane (VEX-encoded
// SSE2 arithmetic, no fused multiply-add), so the same bits. k holds the
// coefficients (each duplicated for the two lanes), the two sections'
// state (lane 0 channel A, lane 1 channel B), the sign of the modulation
// and the masks; X8 … X15 hold the state during the loop.
// SECTION(off, in, x1, x2, y1, y2, out) runs one biquad section (its
// coefficients at off(DX)) on in, left to right as the Go code:
// out = b0·in + b1·x1 + b2·x2 − a1·y1 − a2·y2; then shifts its state.
#define SECTION(off, in, x1, x2, y1, y2, out) \
	VMULPD off(DX), in, out \
	VMULPD off+16(DX), x1, X2 \
	VADDPD X2, out, out \
	VMULPD off+32(DX), x2, X2 \
	VADDPD X2, out, out \
	VMULPD off+48(DX), y1, X2 \
	VSUBPD X2, out, out \
	VMULPD off+64(DX), y2, X2 \
	VSUBPD X2, out, out \
	VMOVAPD x1, x2 \
	VMOVAPD in, x1 \
	VMOVAPD y1, y2 \
	VMOVAPD out, y1

TEXT ·nyquistPairAVX(SB), NOSPLIT, $0-80
	MOVQ k+0(FP), DX
	MOVQ inA_base+8(FP), SI
	MOVQ inA_len+16(FP), CX
	VMOVUPD 160(DX), X8  // section 0: x1
	VMOVUPD 176(DX), X9  // x2
	VMOVUPD 192(DX), X10 // y1
	VMOVUPD 208(DX), X11 // y2
	VMOVUPD 224(DX), X12 // section 1: x1
	VMOVUPD 240(DX), X13 // x2
	VMOVUPD 256(DX), X14 // y1
	VMOVUPD 272(DX), X15 // y2
	VMOVUPD 288(DX), X7  // the sign, ±1 in both lanes
	MOVQ inB_base+32(FP), DI
	MOVQ hf_base+56(FP), R8
	XORQ    AX, AX

loop:
	CMPQ AX, CX
	JGE  done
	VMOVSD  (SI)(AX*8), X0
	VMOVHPD (DI)(AX*8), X0, X0
	VMULPD  X7, X0, X0 // the input times (−1)ⁿ

	SECTION(0, X0, X8, X9, X10, X11, X1)
	SECTION(80, X1, X12, X13, X14, X15, X3)

	// hf[i] = max(hf[i], |y_A|, |y_B|)
	VANDPD    320(DX), X3, X3
	VUNPCKHPD X3, X3, X4
	VMAXSD    X4, X3, X4
	VMOVSD    (R8)(AX*8), X5
	VMAXSD    X4, X5, X5
	VMOVSD    X5, (R8)(AX*8)

	VXORPD 304(DX), X7, X7 // the next sign
	INCQ   AX
	JMP    loop

done:
	VMOVUPD X8, 160(DX)
	VMOVUPD X9, 176(DX)
	VMOVUPD X10, 192(DX)
	VMOVUPD X11, 208(DX)
	VMOVUPD X12, 224(DX)
	VMOVUPD X13, 240(DX)
	VMOVUPD X14, 256(DX)
	VMOVUPD X15, 272(DX)
	VMOVUPD X7, 288(DX)
	RET
