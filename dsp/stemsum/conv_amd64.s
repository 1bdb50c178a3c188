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

// func addAVX(dst, src []float32)
//
// dst[i] += src[i], eight elements a step (len(dst) a multiple of 8, src as
// long): each sum rounded to float32 as in Go.
TEXT ·addAVX(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ src_base+24(FP), SI
	XORQ DX, DX
	TESTQ CX, CX
	JZ    adddone

addloop:
	VMOVUPS (DI)(DX*4), Y0
	VADDPS  (SI)(DX*4), Y0, Y0
	VMOVUPS Y0, (DI)(DX*4)
	ADDQ    $8, DX
	CMPQ    DX, CX
	JL      addloop

adddone:
	VZEROUPPER
	RET

// func scale2AVX(l, r, inL, inR []float32, gl, gr float32)
//
// l[i] = gl·inL[i] and r[i] = gr·inR[i], eight elements a step (len(l) a
// multiple of 8, the other slices as long): each product rounded to
// float32 as in Go.
TEXT ·scale2AVX(SB), NOSPLIT, $0-104
	MOVQ         l_base+0(FP), DI
	MOVQ         l_len+8(FP), CX
	MOVQ         r_base+24(FP), BX
	MOVQ         inL_base+48(FP), SI
	MOVQ         inR_base+72(FP), R8
	VBROADCASTSS gl+96(FP), Y14
	VBROADCASTSS gr+100(FP), Y15
	XORQ         DX, DX
	TESTQ        CX, CX
	JZ           scaledone

scaleloop:
	VMULPS  (SI)(DX*4), Y14, Y0
	VMULPS  (R8)(DX*4), Y15, Y1
	VMOVUPS Y0, (DI)(DX*4)
	VMOVUPS Y1, (BX)(DX*4)
	ADDQ    $8, DX
	CMPQ    DX, CX
	JL      scaleloop

scaledone:
	VZEROUPPER
	RET

// func setAVX(dst, src []float32)
//
// dst[i] = 0 + src[i], eight elements a step (len(dst) a multiple of 8,
// src as long): src with −0 turned to +0, as adding it to a cleared dst.
TEXT ·setAVX(SB), NOSPLIT, $0-48
	MOVQ   dst_base+0(FP), DI
	MOVQ   dst_len+8(FP), CX
	MOVQ   src_base+24(FP), SI
	XORQ   DX, DX
	VXORPS Y1, Y1, Y1
	TESTQ  CX, CX
	JZ     setdone

setloop:
	VADDPS  (SI)(DX*4), Y1, Y0
	VMOVUPS Y0, (DI)(DX*4)
	ADDQ    $8, DX
	CMPQ    DX, CX
	JL      setloop

setdone:
	VZEROUPPER
	RET
