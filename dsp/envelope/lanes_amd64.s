//go:build amd64 && !purego

#include "textflag.h"

// laneArgs (offsets checked by TestLanesMatchProcess).
#define L_X0 0
#define L_X1 32
#define L_G 64
#define L_ENV 96
#define L_PEAK 128
#define L_FROM 160
#define L_STEP 192
#define L_DECAY 224
#define L_POS 256
#define L_ONES 264
#define L_ABS 296

// LANES(off, r0, r1, r2, r3) loads the four lanes' pointers at off in k
// (AX) to r0 … r3, each advanced by the DX frames of the block (the loop
// indexes them from −DX up to 0); r3 may be AX, loaded last.
#define LANES(off, r0, r1, r2, r3) \
	MOVQ off(AX), r0; LEAQ (r0)(DX*8), r0 \
	MOVQ off+8(AX), r1; LEAQ (r1)(DX*8), r1 \
	MOVQ off+16(AX), r2; LEAQ (r2)(DX*8), r2 \
	MOVQ off+24(AX), r3; LEAQ (r3)(DX*8), r3

// func controlLanesAVX(k *laneArgs, n int)
//
// controlAVX's frame with one detector per lane: per frame the lanes'
// |x0| and |x1| (a NaN turned into +0 by VMAXPD with +0, which returns its
// second source on a NaN), their larger, env = max(env·decay, that), peak
// = max(peak, env), pos + 1 and the gain from + step·pos, stored to each
// lane's output. Over non-negative numbers the maximum is the same bits in
// any order, so each lane gets controlAVX's bits.
TEXT ·controlLanesAVX(SB), NOSPLIT, $0-16
	MOVQ    k+0(FP), AX
	MOVQ    n+8(FP), DX
	VMOVUPD L_ENV(AX), Y8
	VMOVUPD L_PEAK(AX), Y9
	VBROADCASTSD L_POS(AX), Y13
	VXORPD  Y7, Y7, Y7
	LANES(L_X0, R8, R9, R10, R11)
	VMOVUPD L_FROM(AX), Y10
	VMOVUPD L_STEP(AX), Y11
	VMOVUPD L_DECAY(AX), Y12
	LANES(L_X1, R12, R13, SI, DI)
	VMOVUPD L_ONES(AX), Y14
	VMOVUPD L_ABS(AX), Y15
	LANES(L_G, R14, BX, CX, AX)
	NEGQ    DX

loop:
	VMOVSD       (R8)(DX*8), X0
	VMOVHPD      (R9)(DX*8), X0, X0
	VMOVSD       (R10)(DX*8), X1
	VMOVHPD      (R11)(DX*8), X1, X1
	VINSERTF128  $1, X1, Y0, Y0
	VMOVSD       (R12)(DX*8), X1
	VMOVHPD      (R13)(DX*8), X1, X1
	VMOVSD       (SI)(DX*8), X2
	VMOVHPD      (DI)(DX*8), X2, X2
	VINSERTF128  $1, X2, Y1, Y1
	VANDPD       Y15, Y0, Y0
	VANDPD       Y15, Y1, Y1
	VMAXPD       Y7, Y0, Y0
	VMAXPD       Y7, Y1, Y1
	VMAXPD       Y1, Y0, Y0
	VMULPD       Y12, Y8, Y8
	VMAXPD       Y8, Y0, Y8
	VMAXPD       Y9, Y8, Y9
	VADDPD       Y14, Y13, Y13
	VMULPD       Y11, Y13, Y2
	VADDPD       Y10, Y2, Y2
	VMOVSD       X2, (R14)(DX*8)
	VMOVHPD      X2, (BX)(DX*8)
	VEXTRACTF128 $1, Y2, X3
	VMOVSD       X3, (CX)(DX*8)
	VMOVHPD      X3, (AX)(DX*8)
	INCQ         DX
	JNZ          loop

	MOVQ    k+0(FP), AX
	VMOVUPD Y8, L_ENV(AX)
	VMOVUPD Y9, L_PEAK(AX)
	VZEROUPPER
	RET
