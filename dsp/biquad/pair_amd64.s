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
// SECTION runs one section on the input in register IN, with the
// coefficients at K(AX) (b0 k1 k2 a1 a2, 16 bytes apart) and the state in
// S1 and S2, leaving the output in OUT:
// y = b0·u + s1; s1 = (k1·u + s2) − a1·s1; s2 = k2·u − a2·s1.
#define SECTION(IN, OUT, K, S1, S2) \
	VMULPD  K+0(AX), IN, OUT  \
	VADDPD  S1, OUT, OUT      \
	VMULPD  K+16(AX), IN, X6  \
	VADDPD  S2, X6, X6        \
	VMULPD  K+48(AX), S1, X7  \
	VSUBPD  X7, X6, X6        \
	VMULPD  K+32(AX), IN, X8  \
	VMULPD  K+64(AX), S1, X9  \
	VSUBPD  X9, X8, S2        \
	VMOVAPD X6, S1

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
	SECTION(X0, X1, 0, X2, X3)
	SECTION(X1, X0, 80, X4, X5)
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
