//go:build amd64 && !purego

#include "textflag.h"

// func kweight2AVX(xa, xb []float32, k *wideK, st *[14]float64)
//
// Both K-weighting stages over two channels side by side in the two lanes
// of an XMM register, with the sum of the squared output. Per lane the
// operations and their order are those of kFilter.run (no fused
// multiply-add), so each channel's figures are bit-identical to run2's.
// st holds x1 x2 y1 y2 o1 o2 sum, each [channel a, channel b]; k holds
// b0 b1 b2 a1 a2 c1 c2 and 2, each stored twice.
TEXT ·kweight2AVX(SB), NOSPLIT, $0-64
	MOVQ    st+56(FP), BX
	VMOVUPD 0(BX), X1  // x1
	VMOVUPD 16(BX), X2 // x2
	VMOVUPD 32(BX), X3 // y1
	VMOVUPD 48(BX), X4 // y2
	VMOVUPD 64(BX), X5 // o1
	VMOVUPD 80(BX), X6 // o2
	VMOVUPD 96(BX), X7 // sum
	MOVQ    k+48(FP), AX
	MOVQ    xb_base+24(FP), DI
	MOVQ    xa_base+0(FP), SI
	XORQ    DX, DX
	MOVQ    xa_len+8(FP), CX
	CMPQ    CX, $0
	JEQ     done

loop:
	VMOVSS    (SI)(DX*4), X0
	VINSERTPS $0x10, (DI)(DX*4), X0, X0
	VCVTPS2PD X0, X0 // in

	// y = (b0·in + b1·x1 + b2·x2 − a2·y2) − a1·y1
	VMULPD 0(AX), X0, X8
	VMULPD 16(AX), X1, X9
	VADDPD X9, X8, X8
	VMULPD 32(AX), X2, X9
	VADDPD X9, X8, X8
	VMULPD 64(AX), X4, X9
	VSUBPD X9, X8, X8
	VMULPD 48(AX), X3, X9
	VSUBPD X9, X8, X8

	// o = (y − 2·y1 + y2 − c2·o2) − c1·o1
	VMULPD 112(AX), X3, X10
	VSUBPD X10, X8, X10
	VADDPD X4, X10, X10
	VMULPD 96(AX), X6, X11
	VSUBPD X11, X10, X10
	VMULPD 80(AX), X5, X11
	VSUBPD X11, X10, X10

	VMOVAPD X1, X2
	VMOVAPD X0, X1
	VMOVAPD X3, X4
	VMOVAPD X8, X3
	VMOVAPD X5, X6
	VMOVAPD X10, X5
	VMULPD  X10, X10, X11
	VADDPD  X11, X7, X7

	INCQ DX
	CMPQ DX, CX
	JL   loop

done:
	VMOVUPD X1, 0(BX)
	VMOVUPD X2, 16(BX)
	VMOVUPD X3, 32(BX)
	VMOVUPD X4, 48(BX)
	VMOVUPD X5, 64(BX)
	VMOVUPD X6, 80(BX)
	VMOVUPD X7, 96(BX)
	RET
