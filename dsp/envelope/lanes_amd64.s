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

// func controlLanesAVX(k *laneArgs, n int)
//
// controlAVX's frame with one detector per lane: per frame the lanes'
// |x0| and |x1| (a NaN turned into +0 by VMAXPD with +0, which returns its
// second source on a NaN), their larger, env = max(env·decay, that), peak
// = max(peak, env), pos + 1 and the gain from + step·pos, stored to each
// lane's output. Over non-negative numbers the maximum is the same bits in
// any order, so each lane gets controlAVX's bits. The twelve frame
// pointers are advanced to the block's end and indexed by DX counting up
// from −n to 0.
TEXT ·controlLanesAVX(SB), NOSPLIT, $0-16
	MOVQ    k+0(FP), AX
	MOVQ    n+8(FP), DX
	VMOVUPD L_ENV(AX), Y8
	VMOVUPD L_PEAK(AX), Y9
	VMOVUPD L_FROM(AX), Y10
	VMOVUPD L_STEP(AX), Y11
	VMOVUPD L_DECAY(AX), Y12
	VBROADCASTSD L_POS(AX), Y13
	VBROADCASTSD ·laneOne(SB), Y14
	VBROADCASTSD ·absMask(SB), Y15
	VXORPD  Y7, Y7, Y7
	MOVQ    L_X0(AX), R8
	LEAQ    (R8)(DX*8), R8
	MOVQ    L_X0+8(AX), R9
	LEAQ    (R9)(DX*8), R9
	MOVQ    L_X0+16(AX), R10
	LEAQ    (R10)(DX*8), R10
	MOVQ    L_X0+24(AX), R11
	LEAQ    (R11)(DX*8), R11
	MOVQ    L_X1(AX), R12
	LEAQ    (R12)(DX*8), R12
	MOVQ    L_X1+8(AX), R13
	LEAQ    (R13)(DX*8), R13
	MOVQ    L_X1+16(AX), SI
	LEAQ    (SI)(DX*8), SI
	MOVQ    L_X1+24(AX), DI
	LEAQ    (DI)(DX*8), DI
	MOVQ    L_G+8(AX), BX
	LEAQ    (BX)(DX*8), BX
	MOVQ    L_G+16(AX), CX
	LEAQ    (CX)(DX*8), CX
	MOVQ    L_G+24(AX), R14
	LEAQ    (R14)(DX*8), R14
	MOVQ    L_G(AX), AX
	LEAQ    (AX)(DX*8), AX
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
	VMOVSD       X2, (AX)(DX*8)
	VMOVHPD      X2, (BX)(DX*8)
	VEXTRACTF128 $1, Y2, X3
	VMOVSD       X3, (CX)(DX*8)
	VMOVHPD      X3, (R14)(DX*8)
	INCQ         DX
	JNZ          loop

	MOVQ    k+0(FP), AX
	VMOVUPD Y8, L_ENV(AX)
	VMOVUPD Y9, L_PEAK(AX)
	VZEROUPPER
	RET
