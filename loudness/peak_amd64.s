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
