//go:build amd64 && !purego

#include "textflag.h"

// flatArgs (DX)
#define F_HI 0
#define F_LO 64
#define F_JMULHI 128
#define F_JMULLO 136
#define F_JINCHI 144
#define F_JINCLO 152
#define F_SCALE 160
#define F_INV 168
#define F_MIN 176
#define F_MAX 184

// DRAW(hi, lo, ptr) dithers the eight samples at ptr with the draws of
// the lanes in hi and lo (see flatLanesAVX512); it clobbers Z2–Z4.
#define DRAW(hi, lo, ptr) \
	VPSRLQ      $32, hi, Z2 \
	VPXORQ      Z2, hi, Z2 \
	VPMULLQ     Z20, Z2, Z2 \
	VPSRLQ      $48, Z2, Z3 \
	VPXORQ      Z3, Z2, Z2 \
	VPORQ       Z18, lo, Z3 \
	VPMULLQ     Z3, Z2, Z2 \
	VPSRLQ      $32, Z2, Z3 \
	VPANDQ      Z21, Z2, Z2 \
	VPSUBQ      Z2, Z3, Z3 \
	VCVTQQ2PD   Z3, Z3 \
	VMULPD      Z22, Z3, Z3 \
	VCVTPS2PD   (ptr), Z4 \
	VMULPD      Z23, Z4, Z4 \
	VADDPD      Z3, Z4, Z4 \
	VADDPD      Z27, Z4, Z4 \
	VMAXPD      Z4, Z25, Z4 \
	VMINPD      Z4, Z26, Z4 \
	VRNDSCALEPD $1, Z4, Z4 \
	VMULPD      Z24, Z4, Z4 \
	VCVTPD2PS   Z4, Y4 \
	VMOVUPS     Y4, (ptr)

// ADVANCE(hi, lo) moves the lanes in hi and lo eight states on; it
// clobbers Z5–Z12 and K1.
#define ADVANCE(hi, lo) \
	VPMULLQ  Z29, hi, Z5 \
	VPMULLQ  Z28, lo, Z6 \
	VPADDQ   Z6, Z5, Z5 \
	VPSRLQ   $32, lo, Z7 \
	VPMULUDQ Z29, lo, Z8 \
	VPMULUDQ Z19, lo, Z9 \
	VPMULUDQ Z29, Z7, Z10 \
	VPMULUDQ Z19, Z7, Z11 \
	VPSRLQ   $32, Z8, Z8 \
	VPANDQ   Z21, Z9, Z12 \
	VPADDQ   Z12, Z8, Z8 \
	VPANDQ   Z21, Z10, Z12 \
	VPADDQ   Z12, Z8, Z8 \
	VPSRLQ   $32, Z9, Z9 \
	VPSRLQ   $32, Z10, Z10 \
	VPSRLQ   $32, Z8, Z8 \
	VPADDQ   Z9, Z11, Z11 \
	VPADDQ   Z10, Z11, Z11 \
	VPADDQ   Z8, Z11, Z11 \
	VPADDQ   Z11, Z5, Z5 \
	VPMULLQ  Z29, lo, lo \
	VPADDQ   Z31, lo, lo \
	VPCMPUQ  $1, Z31, lo, K1 \
	VPADDQ   Z30, Z5, hi \
	VPADDQ   Z18, hi, K1, hi

// CONSTS loads the constants of both kernels from the flatArgs at DX.
#define CONSTS \
	MOVQ         $0xda942042e4dd58b5, AX \
	VPBROADCASTQ AX, Z20 \
	MOVQ         $0xffffffff, AX \
	VPBROADCASTQ AX, Z21 \
	MOVQ         $0x3df0000000000000, AX \
	VPBROADCASTQ AX, Z22 \
	MOVQ         $0x3fe0000000000000, AX \
	VPBROADCASTQ AX, Z27 \
	MOVQ         $1, AX \
	VPBROADCASTQ AX, Z18 \
	VPBROADCASTQ F_SCALE(DX), Z23 \
	VPBROADCASTQ F_INV(DX), Z24 \
	VPBROADCASTQ F_MIN(DX), Z25 \
	VPBROADCASTQ F_MAX(DX), Z26 \
	VPBROADCASTQ F_JMULHI(DX), Z28 \
	VPBROADCASTQ F_JMULLO(DX), Z29 \
	VPSRLQ       $32, Z29, Z19 \
	VPBROADCASTQ F_JINCHI(DX), Z30 \
	VPBROADCASTQ F_JINCLO(DX), Z31

// func flatLanesAVX512(a, b []float32, ka, kb *flatArgs)
//
// processFlat over a (len a multiple of 8, at least 8) with the lanes of
// ka and, where b is not empty (then as long as a), over b with those of
// kb at once (the constants are ka's; kb is not read for an empty b): the
// two generators' chains are independent, so the processor overlaps them.
// Eight samples a step: lane j draws the generator's (8i+j+1)-th number
// from the state in its lane (the DXSM output, 64-bit products mod 2⁶⁴),
// turns it into the triangular value as tpdf does (the halves' integer
// difference, converted exactly, times 2⁻³²), and quantises sample 8i+j as
// quantiseCode does, the same operations in the same order: (v + t) + ½,
// the maximum with the lowest code (VMAXPD keeps v when it is NaN, as max
// does), the minimum with the highest, the floor (VRNDSCALEPD, round down,
// as ROUNDSD in math.Floor), times the inverse scale, rounded to float32.
// Between steps every lane moves eight states on: (hi, lo) ← (hi,
// lo)·jump + inc mod 2¹²⁸, the high word of lo·jumpLo from four 32-bit
// products. On return the lanes hold the states of the last eight draws.
TEXT ·flatLanesAVX512(SB), NOSPLIT, $0-64
	MOVQ      a_base+0(FP), SI
	MOVQ      a_len+8(FP), CX
	MOVQ      b_base+24(FP), DI
	MOVQ      b_len+32(FP), R8
	MOVQ      kb+56(FP), BX
	MOVQ      ka+48(FP), DX
	VMOVDQU64 F_HI(DX), Z0
	VMOVDQU64 F_LO(DX), Z1
	TESTQ     R8, R8
	JZ        consts
	VMOVDQU64 F_HI(BX), Z13
	VMOVDQU64 F_LO(BX), Z14

consts:
	CONSTS

flatloop:
	DRAW(Z0, Z1, SI)
	TESTQ R8, R8
	JZ    drawn
	DRAW(Z13, Z14, DI)
	ADDQ  $32, DI

drawn:
	ADDQ $32, SI
	SUBQ $8, CX
	JZ   flatdone
	ADVANCE(Z0, Z1)
	TESTQ R8, R8
	JZ    flatloop
	ADVANCE(Z13, Z14)
	JMP   flatloop

flatdone:
	VMOVDQU64 Z0, F_HI(DX)
	VMOVDQU64 Z1, F_LO(DX)
	TESTQ     R8, R8
	JZ        ret
	VMOVDQU64 Z13, F_HI(BX)
	VMOVDQU64 Z14, F_LO(BX)

ret:
	VZEROUPPER
	RET
