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

// func stereoLanes2SSE2(l0, r0, l1, r1 []float32, lanes *[2][5][2]float64)
//
// stereoLanesSSE2 for two stereo blocks of one length (even) at once, the
// first into lanes[0] (X0–X4), the second into lanes[1] (X8–X12): each
// block's sums are the same operations in the same order as alone, and the
// two chains of additions overlap. X15 is left alone (Go's zero register).
TEXT ·stereoLanes2SSE2(SB), NOSPLIT, $0-104
	MOVQ l0_base+0(FP), SI
	MOVQ l0_len+8(FP), CX
	MOVQ r0_base+24(FP), DI
	MOVQ l1_base+48(FP), R8
	MOVQ r1_base+72(FP), R9
	MOVQ lanes+96(FP), AX
	MOVUPD 0(AX), X0
	MOVUPD 16(AX), X1
	MOVUPD 32(AX), X2
	MOVUPD 48(AX), X3
	MOVUPD 64(AX), X4
	MOVUPD 80(AX), X8
	MOVUPD 96(AX), X9
	MOVUPD 112(AX), X10
	MOVUPD 128(AX), X11
	MOVUPD 144(AX), X12
	XORQ   DX, DX
	TESTQ  CX, CX
	JZ     done2

loop2:
	CVTPS2PD (SI)(DX*4), X5 // first block: L of two frames
	MOVAPD   X5, X7
	MULPD    X5, X7
	ADDPD    X5, X0
	ADDPD    X7, X1
	CVTPS2PD (DI)(DX*4), X6 // R
	MOVAPD   X6, X7
	MULPD    X6, X7
	ADDPD    X6, X2
	ADDPD    X7, X3
	SUBPD    X6, X5
	MULPD    X5, X5
	ADDPD    X5, X4
	CVTPS2PD (R8)(DX*4), X13 // second block: L
	MOVAPD   X13, X7
	MULPD    X13, X7
	ADDPD    X13, X8
	ADDPD    X7, X9
	CVTPS2PD (R9)(DX*4), X14 // R
	MOVAPD   X14, X7
	MULPD    X14, X7
	ADDPD    X14, X10
	ADDPD    X7, X11
	SUBPD    X14, X13
	MULPD    X13, X13
	ADDPD    X13, X12
	ADDQ     $2, DX
	CMPQ     DX, CX
	JL       loop2

done2:
	MOVUPD X0, 0(AX)
	MOVUPD X1, 16(AX)
	MOVUPD X2, 32(AX)
	MOVUPD X3, 48(AX)
	MOVUPD X4, 64(AX)
	MOVUPD X8, 80(AX)
	MOVUPD X9, 96(AX)
	MOVUPD X10, 112(AX)
	MOVUPD X11, 128(AX)
	MOVUPD X12, 144(AX)
	RET
