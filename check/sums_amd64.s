//go:build amd64 && !purego

#include "textflag.h"
#include "sums_amd64.h"

// The sums of one stereo block, two frames per step in packed doubles:
// lane 0 of each accumulator sums the even frames, lane 1 the odd ones,
// A0 Σ L, A1 Σ L², A2 Σ R, A3 Σ R², A4 Σ (L − R)², each product rounded
// before it is added, as in stereoLanesGo. L and R are the two channels'
// samples at frame DX; T0, T1 and T2 are scratch.
#define STEREO_STEP(L, R, A0, A1, A2, A3, A4, T0, T1, T2) \
	CVTPS2PD (L)(DX*4), T0 \
	MOVAPD   T0, T2        \
	MULPD    T0, T2        \
	ADDPD    T0, A0        \
	ADDPD    T2, A1        \
	CVTPS2PD (R)(DX*4), T1 \
	MOVAPD   T1, T2        \
	MULPD    T1, T2        \
	ADDPD    T1, A2        \
	ADDPD    T2, A3        \
	SUBPD    T1, T0        \
	MULPD    T0, T0        \
	ADDPD    T0, A4

// The five accumulators of one block's lanes, at P+off.
#define LANES_IN(P, off, A0, A1, A2, A3, A4) \
	MOVUPD off+0(P), A0  \
	MOVUPD off+16(P), A1 \
	MOVUPD off+32(P), A2 \
	MOVUPD off+48(P), A3 \
	MOVUPD off+64(P), A4

#define LANES_OUT(P, off, A0, A1, A2, A3, A4) \
	MOVUPD A0, off+0(P)  \
	MOVUPD A1, off+16(P) \
	MOVUPD A2, off+32(P) \
	MOVUPD A3, off+48(P) \
	MOVUPD A4, off+64(P)

// func stereoLanesSSE2(l0, r0, l1, r1 []float32, lanes *[2][5][2]float64)
//
// The lanes of one block (l1 empty) or of two blocks of one length at
// once, the first into lanes[0], the second into lanes[1]: each block's
// sums are the same operations in the same order as alone, and the two
// chains of additions overlap. len(l0) is even. X15 is left alone (Go's
// zero register).
TEXT ·stereoLanesSSE2(SB), NOSPLIT, $0-104
	LANES_ARGS
	MOVQ l1_len+56(FP), BX
	LANES_IN(AX, 0, X0, X1, X2, X3, X4)
	LANES_IN(AX, 80, X8, X9, X10, X11, X12)
	XORQ  DX, DX
	TESTQ CX, CX
	JZ    done

loop:
	STEREO_STEP(SI, DI, X0, X1, X2, X3, X4, X5, X6, X7)
	TESTQ BX, BX
	JZ    next
	STEREO_STEP(R8, R9, X8, X9, X10, X11, X12, X13, X14, X7)

next:
	ADDQ $2, DX
	CMPQ DX, CX
	JL   loop

done:
	LANES_OUT(AX, 0, X0, X1, X2, X3, X4)
	LANES_OUT(AX, 80, X8, X9, X10, X11, X12)
	RET
