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
TEXT ·nyquistPairAVX(SB), NOSPLIT, $0-80
	MOVQ k+0(FP), DX
	MOVQ inA_base+8(FP), SI
	MOVQ inA_len+16(FP), CX
	MOVQ inB_base+32(FP), DI
	MOVQ hf_base+56(FP), R8
	VMOVUPD 160(DX), X8  // section 0: x1
	VMOVUPD 176(DX), X9  // x2
	VMOVUPD 192(DX), X10 // y1
	VMOVUPD 208(DX), X11 // y2
	VMOVUPD 224(DX), X12 // section 1: x1
	VMOVUPD 240(DX), X13 // x2
	VMOVUPD 256(DX), X14 // y1
	VMOVUPD 272(DX), X15 // y2
	VMOVUPD 288(DX), X7  // the sign, ±1 in both lanes
	XORQ    AX, AX

loop:
	CMPQ AX, CX
	JGE  done
	VMOVSD  (SI)(AX*8), X0
	VMOVHPD (DI)(AX*8), X0, X0
	VMULPD  X7, X0, X0 // the input times (−1)ⁿ

	// section 0: y = b0·u + b1·x1 + b2·x2 − a1·y1 − a2·y2, left to right
	VMULPD 0(DX), X0, X1
	VMULPD 16(DX), X8, X2
	VADDPD X2, X1, X1
	VMULPD 32(DX), X9, X2
	VADDPD X2, X1, X1
	VMULPD 48(DX), X10, X2
	VSUBPD X2, X1, X1
	VMULPD 64(DX), X11, X2
	VSUBPD X2, X1, X1
	VMOVAPD X8, X9
	VMOVAPD X0, X8
	VMOVAPD X10, X11
	VMOVAPD X1, X10

	// section 1 on section 0's output
	VMULPD 80(DX), X1, X3
	VMULPD 96(DX), X12, X2
	VADDPD X2, X3, X3
	VMULPD 112(DX), X13, X2
	VADDPD X2, X3, X3
	VMULPD 128(DX), X14, X2
	VSUBPD X2, X3, X3
	VMULPD 144(DX), X15, X2
	VSUBPD X2, X3, X3
	VMOVAPD X12, X13
	VMOVAPD X1, X12
	VMOVAPD X14, X15
	VMOVAPD X3, X14

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
