//go:build amd64 && !purego

#include "textflag.h"

// func pairAVX(x0, x1 []float64, k *wideCoefficients, st *[8]float64)
//
// Two sections in series over two channels, the channels side by side in
// the two lanes of an XMM register. Per lane the operations and their order
// are those of run (no fused multiply-add), so each channel's output is
// bit-identical to run2 applied section by section. The second section's
// work on frame i overlaps the first's on frame i+1 in the CPU's pipeline.
// The coefficients are read as memory operands, each stored twice (one per
// lane). st holds p1 p2 (first section) and q1 q2 (second), each [ch0 ch1].
TEXT ·pairAVX(SB), NOSPLIT, $0-64
	MOVQ    x0_base+0(FP), SI
	MOVQ    x0_len+8(FP), CX
	MOVQ    x1_base+24(FP), DI
	MOVQ    k+48(FP), AX
	MOVQ    st+56(FP), BX
	VMOVUPD 0(BX), X2  // p1
	VMOVUPD 16(BX), X3 // p2
	VMOVUPD 32(BX), X4 // q1
	VMOVUPD 48(BX), X5 // q2
	XORQ    DX, DX
	TESTQ   CX, CX
	JZ      done

loop:
	VMOVSD  (SI)(DX*8), X0
	VMOVHPD (DI)(DX*8), X0, X0 // u = [x0[i], x1[i]]

	// first section: y = b0·u + p1; p1 = (k1·u + p2) − a1·p1; p2 = k2·u − a2·p1
	VMULPD  0(AX), X0, X1
	VADDPD  X2, X1, X1
	VMULPD  16(AX), X0, X6
	VADDPD  X3, X6, X6
	VMULPD  48(AX), X2, X7
	VSUBPD  X7, X6, X6
	VMULPD  32(AX), X0, X8
	VMULPD  64(AX), X2, X9
	VSUBPD  X9, X8, X3
	VMOVAPD X6, X2

	// second section on y
	VMULPD  80(AX), X1, X0
	VADDPD  X4, X0, X0
	VMULPD  96(AX), X1, X6
	VADDPD  X5, X6, X6
	VMULPD  128(AX), X4, X7
	VSUBPD  X7, X6, X6
	VMULPD  112(AX), X1, X8
	VMULPD  144(AX), X4, X9
	VSUBPD  X9, X8, X5
	VMOVAPD X6, X4

	VMOVSD  X0, (SI)(DX*8)
	VMOVHPD X0, (DI)(DX*8)
	INCQ    DX
	CMPQ    DX, CX
	JL      loop

done:
	VMOVUPD X2, 0(BX)
	VMOVUPD X3, 16(BX)
	VMOVUPD X4, 32(BX)
	VMOVUPD X5, 48(BX)
	RET
