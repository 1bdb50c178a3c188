//go:build amd64 && !purego

#include "textflag.h"

// Each kernel does the Go code's operations in its order, four lanes at a
// time, so the bits are the same: VMAXPD and VMINPD agree with the Go
// code's bitwise maximum and minimum on the non-negative values they see
// (and VMAXPD against +0 with its Relu, −0 included).

// func curveAVX(lg []float64, k *curve)
TEXT ·curveAVX(SB), NOSPLIT, $0-32
	MOVQ lg_base+0(FP), DI
	MOVQ lg_len+8(FP), CX
	MOVQ k+24(FP), DX
	VBROADCASTSD 0(DX), Y8   // scale
	VBROADCASTSD 8(DX), Y9   // thr
	VBROADCASTSD 16(DX), Y10 // halfKnee
	VBROADCASTSD 24(DX), Y11 // knee
	VBROADCASTSD 32(DX), Y12 // inv2W
	VBROADCASTSD 40(DX), Y13 // slope
	VXORPD Y14, Y14, Y14

curveloop:
	CMPQ CX, $4
	JLT  curvedone
	VMULPD  (DI), Y8, Y0
	VSUBPD  Y9, Y0, Y0       // d
	VADDPD  Y10, Y0, Y1
	VMAXPD  Y14, Y1, Y1      // Relu(d + W/2)
	VMINPD  Y11, Y1, Y1      // k
	VMULPD  Y1, Y1, Y1
	VMULPD  Y12, Y1, Y1      // k²/(2W)
	VSUBPD  Y10, Y0, Y0
	VMAXPD  Y14, Y0, Y0      // Relu(d − W/2)
	VADDPD  Y0, Y1, Y1
	VMULPD  Y1, Y13, Y1
	VMOVUPD Y1, (DI)
	ADDQ    $32, DI
	SUBQ    $4, CX
	JMP     curveloop

curvedone:
	VZEROUPPER
	RET

// func peakAVX(lv []float64, x, y []float32, floor float64)
TEXT ·peakAVX(SB), NOSPLIT, $0-80
	MOVQ lv_base+0(FP), DI
	MOVQ lv_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ y_base+48(FP), DX
	VBROADCASTSD floor+72(FP), Y8
	VPCMPEQQ Y9, Y9, Y9
	VPSRLQ   $1, Y9, Y9      // |·| mask

peakloop:
	CMPQ CX, $4
	JLT  peakdone
	VCVTPS2PD (SI), Y0
	VCVTPS2PD (DX), Y1
	VANDPD  Y9, Y0, Y0
	VANDPD  Y9, Y1, Y1
	VMAXPD  Y1, Y0, Y0
	VMAXPD  Y8, Y0, Y0
	VMOVUPD Y0, (DI)
	ADDQ    $16, SI
	ADDQ    $16, DX
	ADDQ    $32, DI
	SUBQ    $4, CX
	JMP     peakloop

peakdone:
	VZEROUPPER
	RET

// func applyAVX(x []float32, gains []float64)
TEXT ·applyAVX(SB), NOSPLIT, $0-48
	MOVQ x_base+0(FP), DI
	MOVQ x_len+8(FP), CX
	MOVQ gains_base+24(FP), SI

applyloop:
	CMPQ CX, $8
	JLT  apply4
	VCVTPS2PD (DI), Y0
	VCVTPS2PD 16(DI), Y1
	VMULPD  (SI), Y0, Y0
	VMULPD  32(SI), Y1, Y1
	VCVTPD2PSY Y0, X0
	VCVTPD2PSY Y1, X1
	VMOVUPS X0, (DI)
	VMOVUPS X1, 16(DI)
	ADDQ    $32, DI
	ADDQ    $64, SI
	SUBQ    $8, CX
	JMP     applyloop

apply4:
	CMPQ CX, $4
	JLT  applydone
	VCVTPS2PD (DI), Y0
	VMULPD  (SI), Y0, Y0
	VCVTPD2PSY Y0, X0
	VMOVUPS X0, (DI)

applydone:
	VZEROUPPER
	RET
