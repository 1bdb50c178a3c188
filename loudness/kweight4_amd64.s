//go:build amd64 && !purego

#include "textflag.h"

// func kweight4AVX(xa0, xa1, xb0, xb1 []float32, k *quadK, st *[28]float64)
//
// Both K-weighting stages over four channels (two stereo streams) side by
// side in the four lanes of a YMM register, with the sum of the squared
// output. Per lane the operations and their order are kweight2AVX's (no
// fused multiply-add), so each channel's figures are bit-identical to
// run2's. st holds x1 x2 y1 y2 o1 o2 sum, each [a0, a1, b0, b1]; k holds
// b0 b1 b2 a1 a2 c1 c2 and 2, each stored four times.
TEXT ·kweight4AVX(SB), NOSPLIT, $0-112
	MOVQ    st+104(FP), BX
	VMOVUPD 0(BX), Y1    // x1
	VMOVUPD 32(BX), Y2   // x2
	VMOVUPD 64(BX), Y3   // y1
	VMOVUPD 96(BX), Y4   // y2
	VMOVUPD 128(BX), Y5  // o1
	VMOVUPD 160(BX), Y6  // o2
	VMOVUPD 192(BX), Y7  // sum
	MOVQ    k+96(FP), AX
	MOVQ    xa0_base+0(FP), SI
	MOVQ    xa1_base+24(FP), DI
	MOVQ    xb0_base+48(FP), R8
	MOVQ    xb1_base+72(FP), R9
	XORQ    DX, DX
	MOVQ    xa0_len+8(FP), CX
	CMPQ    CX, $0
	JEQ     done

loop:
	VMOVSS    (SI)(DX*4), X0
	VINSERTPS $0x10, (DI)(DX*4), X0, X0
	VINSERTPS $0x20, (R8)(DX*4), X0, X0
	VINSERTPS $0x30, (R9)(DX*4), X0, X0
	VCVTPS2PD X0, Y0 // in

	// y = (b0·in + b1·x1 + b2·x2 − a2·y2) − a1·y1
	VMULPD 0(AX), Y0, Y8
	VMULPD 32(AX), Y1, Y9
	VADDPD Y9, Y8, Y8
	VMULPD 64(AX), Y2, Y9
	VADDPD Y9, Y8, Y8
	VMULPD 128(AX), Y4, Y9
	VSUBPD Y9, Y8, Y8
	VMULPD 96(AX), Y3, Y9
	VSUBPD Y9, Y8, Y8

	// o = (y − 2·y1 + y2 − c2·o2) − c1·o1
	VMULPD 224(AX), Y3, Y10
	VSUBPD Y10, Y8, Y10
	VADDPD Y4, Y10, Y10
	VMULPD 192(AX), Y6, Y11
	VSUBPD Y11, Y10, Y10
	VMULPD 160(AX), Y5, Y11
	VSUBPD Y11, Y10, Y10

	VMOVAPD Y1, Y2
	VMOVAPD Y0, Y1
	VMOVAPD Y3, Y4
	VMOVAPD Y8, Y3
	VMOVAPD Y5, Y6
	VMOVAPD Y10, Y5
	VMULPD  Y10, Y10, Y11
	VADDPD  Y11, Y7, Y7

	INCQ DX
	CMPQ DX, CX
	JL   loop

done:
	VMOVUPD Y1, 0(BX)
	VMOVUPD Y2, 32(BX)
	VMOVUPD Y3, 64(BX)
	VMOVUPD Y4, 96(BX)
	VMOVUPD Y5, 128(BX)
	VMOVUPD Y6, 160(BX)
	VMOVUPD Y7, 192(BX)
	VZEROUPPER
	RET
