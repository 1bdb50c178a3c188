//go:build amd64 && !purego

#include "textflag.h"

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
	VPMAXUD      Y1, Y0, Y0
	VPMAXUD      Y3, Y2, Y2
	VPMAXUD      Y2, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPMAXUD      X1, X0, X0
	VPSHUFD      $0x4e, X0, X1
	VPMAXUD      X1, X0, X0
	VPSHUFD      $0xb1, X0, X1
	VPMAXUD      X1, X0, X0
	VMOVD        X0, AX
	MOVL         AX, ret+24(FP)
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
	VPMINSD      Y1, Y0, Y0
	VPMAXSD      Y3, Y2, Y2
	VEXTRACTI128 $1, Y0, X1
	VPMINSD      X1, X0, X0
	VPSHUFD      $0x4e, X0, X1
	VPMINSD      X1, X0, X0
	VPSHUFD      $0xb1, X0, X1
	VPMINSD      X1, X0, X0
	VMOVD        X0, AX
	MOVL         AX, lo+24(FP)
	VEXTRACTI128 $1, Y2, X3
	VPMAXSD      X3, X2, X2
	VPSHUFD      $0x4e, X2, X3
	VPMAXSD      X3, X2, X2
	VPSHUFD      $0xb1, X2, X3
	VPMAXSD      X3, X2, X2
	VMOVD        X2, AX
	MOVL         AX, hi+28(FP)
	VZEROUPPER
	RET
