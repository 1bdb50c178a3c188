//go:build amd64 && !purego

#include "textflag.h"

// LANES(op, y, x, t) combines the eight 32-bit lanes of y (x its low
// half) with op into AX, t a scratch X register.
#define LANES(op, y, x, t) \
	VEXTRACTI128 $1, y, t \
	op           t, x, x \
	VPSHUFD      $0x4e, x, t \
	op           t, x, x \
	VPSHUFD      $0xb1, x, t \
	op           t, x, x \
	VMOVD        x, AX

// func peakBitsAVX2(x []float32) uint32
//
// The largest bit pattern of |v| (the sign bit cleared) over x, whose
// length is a multiple of 32: the unsigned integer maximum, as PeakAbs's
// loop takes it, 32 samples per iteration in four YMM accumulators.
TEXT ·peakBitsAVX2(SB), NOSPLIT, $0-28
	MOVQ     x_base+0(FP), SI
	MOVQ     x_len+8(FP), CX
	VPCMPEQD Y15, Y15, Y15
	VPSRLD   $1, Y15, Y15 // 0x7fffffff in every lane
	VPXOR    Y0, Y0, Y0
	VPXOR    Y1, Y1, Y1
	VPXOR    Y2, Y2, Y2
	VPXOR    Y3, Y3, Y3
	XORQ     DX, DX
	TESTQ    CX, CX
	JZ       reduce

loop:
	VPAND   (SI)(DX*4), Y15, Y4
	VPAND   32(SI)(DX*4), Y15, Y5
	VPAND   64(SI)(DX*4), Y15, Y6
	VPAND   96(SI)(DX*4), Y15, Y7
	VPMAXUD Y4, Y0, Y0
	VPMAXUD Y5, Y1, Y1
	VPMAXUD Y6, Y2, Y2
	VPMAXUD Y7, Y3, Y3
	ADDQ    $32, DX
	CMPQ    DX, CX
	JL      loop

reduce:
	VPMAXUD Y1, Y0, Y0
	VPMAXUD Y3, Y2, Y2
	VPMAXUD Y2, Y0, Y0
	LANES(VPMAXUD, Y0, X0, X1)
	MOVL    AX, ret+24(FP)
	VZEROUPPER
	RET

// KEYS(x) turns the float32 bits in x into order keys (orderKey): every
// bit but the sign flipped in the negative ones. It clobbers Y8.
#define KEYS(x) \
	VPSRAD $31, x, Y8 \
	VPSRLD $1, Y8, Y8 \
	VPXOR  Y8, x, x

// func extremeKeysAVX2(x []float32) (lo, hi int32)
//
// The smallest and largest order key over x, whose length is a multiple of
// 16: the signed integer minimum and maximum, as Extremes's loop takes
// them, 16 samples per iteration in two pairs of YMM accumulators.
TEXT ·extremeKeysAVX2(SB), NOSPLIT, $0-32
	MOVQ     x_base+0(FP), SI
	MOVQ     x_len+8(FP), CX
	VPCMPEQD Y0, Y0, Y0
	VPSRLD   $1, Y0, Y0 // MaxInt32 in every lane: the minima
	VMOVDQU  Y0, Y1
	VPXOR    Y2, Y2, Y2
	VPCMPEQD Y3, Y3, Y3
	VPSUBD   Y0, Y2, Y2
	VPSUBD   Y3, Y2, Y2 // MinInt32 (−MaxInt32 − 1): the maxima
	VMOVDQU  Y2, Y3
	XORQ     DX, DX
	TESTQ    CX, CX
	JZ       xreduce

xloop:
	VMOVDQU (SI)(DX*4), Y4
	VMOVDQU 32(SI)(DX*4), Y5
	KEYS(Y4)
	KEYS(Y5)
	VPMINSD Y4, Y0, Y0
	VPMINSD Y5, Y1, Y1
	VPMAXSD Y4, Y2, Y2
	VPMAXSD Y5, Y3, Y3
	ADDQ    $16, DX
	CMPQ    DX, CX
	JL      xloop

xreduce:
	VPMINSD Y1, Y0, Y0
	VPMAXSD Y3, Y2, Y2
	LANES(VPMINSD, Y0, X0, X1)
	MOVL    AX, lo+24(FP)
	LANES(VPMAXSD, Y2, X2, X3)
	MOVL    AX, hi+28(FP)
	VZEROUPPER
	RET
