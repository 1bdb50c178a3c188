//go:build amd64 && !purego

#include "textflag.h"

// func stereoLanesSSE2(l, r []float32, lanes *[5][2]float64)
//
// Lane 0 of each accumulator sums the even frames, lane 1 the odd ones:
// X0 Σ L, X1 Σ L², X2 Σ R, X3 Σ R², X4 Σ (L − R)², each product rounded
// before it is added, as in stereoLanesGo. len(l) is even.
TEXT ·stereoLanesSSE2(SB), NOSPLIT, $0-56
	MOVQ l_base+0(FP), SI
	MOVQ l_len+8(FP), CX
	MOVQ r_base+24(FP), DI
	MOVQ lanes+48(FP), AX
	MOVUPD 0(AX), X0
	MOVUPD 16(AX), X1
	MOVUPD 32(AX), X2
	MOVUPD 48(AX), X3
	MOVUPD 64(AX), X4
	XORQ   DX, DX
	TESTQ  CX, CX
	JZ     done

loop:
	CVTPS2PD (SI)(DX*4), X5 // L of two frames
	CVTPS2PD (DI)(DX*4), X6 // R
	MOVAPD   X5, X7
	MULPD    X5, X7
	ADDPD    X5, X0
	ADDPD    X7, X1
	MOVAPD   X6, X8
	MULPD    X6, X8
	ADDPD    X6, X2
	ADDPD    X8, X3
	SUBPD    X6, X5
	MULPD    X5, X5
	ADDPD    X5, X4
	ADDQ     $2, DX
	CMPQ     DX, CX
	JL       loop

done:
	MOVUPD X0, 0(AX)
	MOVUPD X1, 16(AX)
	MOVUPD X2, 32(AX)
	MOVUPD X3, 48(AX)
	MOVUPD X4, 64(AX)
	RET
