//go:build amd64 && !purego

#include "textflag.h"

// func convAddAVX(dst, acc []float64, x []float32, gain, weight float64)
//
// dst[i] = float64(x[i])·gain; acc[i] += weight·dst[i], four elements a step, each
// product rounded before the addition as in convAddGo.
TEXT ·convAddAVX(SB), NOSPLIT, $0-88
	MOVQ         dst_base+0(FP), DI
	MOVQ         dst_len+8(FP), CX
	MOVQ         acc_base+24(FP), BX
	MOVQ         x_base+48(FP), SI
	LEAQ         gain+72(FP), AX
	VBROADCASTSD (AX), Y14
	VBROADCASTSD 8(AX), Y15 // weight
	XORQ         DX, DX
	TESTQ        CX, CX
	JZ           done

loop:
	VCVTPS2PD (SI)(DX*4), Y0
	VMULPD    Y14, Y0, Y0
	VMOVUPD   Y0, (DI)(DX*8)
	VMULPD    Y15, Y0, Y1
	VADDPD    (BX)(DX*8), Y1, Y1
	VMOVUPD   Y1, (BX)(DX*8)
	ADDQ      $4, DX
	CMPQ      DX, CX
	JL        loop

done:
	VZEROUPPER
	RET

// func scaleAVX(dst, src []float32, gain float32)
//
// dst[i] = gain·src[i], eight float32 products a step (sixteen while at least
// sixteen remain), each rounded as in scaleGo.
TEXT ·scaleAVX(SB), NOSPLIT, $0-52
	MOVQ         dst_base+0(FP), DI
	MOVQ         dst_len+8(FP), CX
	MOVQ         src_base+24(FP), SI
	VBROADCASTSS gain+48(FP), Y15
	XORQ         DX, DX
	MOVQ         CX, BX
	ANDQ         $-16, BX
	JZ           tail

loop16:
	VMULPS  (SI)(DX*4), Y15, Y0
	VMULPS  32(SI)(DX*4), Y15, Y1
	VMOVUPS Y0, (DI)(DX*4)
	VMOVUPS Y1, 32(DI)(DX*4)
	ADDQ    $16, DX
	CMPQ    DX, BX
	JL      loop16

tail:
	CMPQ DX, CX
	JGE  sdone
	VMULPS  (SI)(DX*4), Y15, Y0
	VMOVUPS Y0, (DI)(DX*4)

sdone:
	VZEROUPPER
	RET
