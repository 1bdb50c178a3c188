//go:build amd64 && !purego

#include "textflag.h"
#include "sums_amd64.h"

// AVX_IN(off, y, x) loads accumulator j of both blocks (lanes[0][j] at
// off, lanes[1][j] at off+80) into y: block 0 in the low half.
#define AVX_IN(off, y, x) \
	VMOVUPD     off(AX), x \
	VINSERTF128 $1, off+80(AX), y, y

#define AVX_OUT(off, y, x) \
	VMOVUPD      x, off(AX) \
	VEXTRACTF128 $1, y, off+80(AX)

// AVX_LOAD(p0, p1, x, y) converts frames DX and DX+1 of p0 and of p1 to
// doubles in y: p0's in the low half, p1's in the high.
#define AVX_LOAD(p0, p1, x, y) \
	VMOVSD    (p0)(DX*4), x \
	VMOVHPS   (p1)(DX*4), x, x \
	VCVTPS2PD x, y

// func stereoLanes2AVX(l0, r0, l1, r1 []float32, lanes *[2][5][2]float64)
//
// stereoLanesSSE2's two blocks in one 256-bit register, block 0's even
// and odd lanes in the low half and block 1's in the high: the same
// operations on each lane in the same order, so the same bits, in half the
// instructions. len(l0) is even and non-zero, and the other three are as
// long.
TEXT ·stereoLanes2AVX(SB), NOSPLIT, $0-104
	LANES_ARGS
	AVX_IN(0, Y0, X0)
	AVX_IN(16, Y1, X1)
	AVX_IN(32, Y2, X2)
	AVX_IN(48, Y3, X3)
	AVX_IN(64, Y4, X4)
	XORQ DX, DX

avxloop:
	AVX_LOAD(SI, R8, X5, Y5)
	AVX_LOAD(DI, R9, X6, Y6)
	VMULPD Y5, Y5, Y7
	VADDPD Y5, Y0, Y0
	VADDPD Y7, Y1, Y1
	VMULPD Y6, Y6, Y8
	VADDPD Y6, Y2, Y2
	VADDPD Y8, Y3, Y3
	VSUBPD Y6, Y5, Y5
	VMULPD Y5, Y5, Y5
	VADDPD Y5, Y4, Y4
	ADDQ   $2, DX
	CMPQ   DX, CX
	JL     avxloop

	AVX_OUT(0, Y0, X0)
	AVX_OUT(16, Y1, X1)
	AVX_OUT(32, Y2, X2)
	AVX_OUT(48, Y3, X3)
	AVX_OUT(64, Y4, X4)
	VZEROUPPER
	RET
